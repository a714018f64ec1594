// Package reportfile writes a checker's report as its commands do: the
// summary to the terminal, then the JSON and HTML files asked for.
package reportfile

import (
	"fmt"
	"io"
	"os"
)

// Report is what a checker's report can write.
type Report interface {
	WriteText(io.Writer) error
	WriteJSON(io.Writer) error
	WriteHTML(io.Writer) error
}

// Write prints the summary to stdout and writes the JSON and HTML files
// whose names are not empty.
func Write(r Report, stdout io.Writer, jsonFile, htmlFile string) error {
	if err := r.WriteText(stdout); err != nil {
		return err
	}
	for _, out := range []struct {
		file  string
		write func(io.Writer) error
	}{{jsonFile, r.WriteJSON}, {htmlFile, r.WriteHTML}} {
		if out.file == "" {
			continue
		}
		if err := writeFile(out.file, out.write); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(name string, write func(io.Writer) error) (err error) {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("writing the report: %w", cerr)
		}
	}()
	return write(f)
}
