// Package clientbytes weighs what a browser downloads for the overview: the
// element's script with its Swedish and English strings inlined and its
// stylesheet, minified exactly as the kit serves them (kit/assets), beside
// peer component sets installed from npm and bundled with esbuild in the
// same run. Every file is compressed with the same gzip at level 9, so the
// compressor is not what differs.
package clientbytes

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/assets"
	"github.com/arendevy/arendevy/kit/i18n"
)

// Budget is the most the element may weigh, gzipped, script and styles
// together, on its first load (issue 18 retired the old 8,000: what the
// first paint needs is the server-rendered HTML, and a feature used rarely
// loads when first used, as calendar.js does, outside this figure).
const Budget = 10000

// File is one downloaded file.
type File struct {
	Name string `json:"name"`
	Raw  int    `json:"raw"`  // minified bytes
	Gzip int    `json:"gzip"` // gzip -9 bytes
}

// Set is what one component set costs: its files and their sums.
type Set struct {
	Name  string `json:"name"`
	Files []File `json:"files"`
	Raw   int    `json:"raw"`
	Gzip  int    `json:"gzip"`
}

func (s *Set) add(name string, body []byte) error {
	gz, err := Gzip(body)
	if err != nil {
		return err
	}
	s.count(File{Name: name, Raw: len(body), Gzip: gz})
	return nil
}

func (s *Set) count(f File) {
	s.Files = append(s.Files, f)
	s.Raw += f.Raw
	s.Gzip += f.Gzip
}

// Gzip returns the size of body compressed with gzip at level 9, as
// kit/assets compresses the element.
func Gzip(body []byte) (int, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return 0, err
	}
	if _, err := zw.Write(body); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return buf.Len(), nil
}

// Element weighs the element as the kit serves it: the module (with the
// message catalogue of every language inlined) and its stylesheet (with the
// default theme in front), minified and gzipped at level 9 by kit/assets.
func Element() (Set, error) {
	b, err := i18n.Default()
	if err != nil {
		return Set{}, err
	}
	a, err := assets.New(assets.Options{Prefix: kit.DefaultMount + "/assets/", Catalogue: b.Catalogue()})
	if err != nil {
		return Set{}, err
	}
	s := Set{Name: "<arendevy-overview>"}
	for _, name := range []string{assets.Module, assets.Styles} {
		asset, ok := a.Lookup(name)
		if !ok {
			return Set{}, fmt.Errorf("clientbytes: the kit serves no %s", name)
		}
		f := File{Name: name, Raw: asset.Size(""), Gzip: asset.Size("gzip")}
		if f.Gzip < 0 { // the kit keeps gzip only where it pays; else it sends the file as it is
			f.Gzip = f.Raw
		}
		s.count(f)
	}
	return s, nil
}

// Peer is a component set to compare with, by its entry files in the peers
// directory: scripts and stylesheets bundled by esbuild, Sass compiled by
// sass and then minified by esbuild like the rest.
type Peer struct {
	Name string
	JS   []string
	CSS  []string
	SCSS []string
}

// Peers are the sets the issue names.
var Peers = []Peer{
	{Name: "GOV.UK Frontend + MOJ sortable table", JS: []string{"govuk.mjs"}, SCSS: []string{"govuk.scss"}},
	{Name: "Shoelace details + tag", JS: []string{"shoelace.mjs"}, CSS: []string{"shoelace.css"}},
	{Name: "Lion accordion", JS: []string{"lion.mjs"}},
}

// ErrNotInstalled is returned when the peers' npm packages are missing.
var ErrNotInstalled = errors.New("clientbytes: peer packages not installed (npm ci in the peers directory)")

// Bundle builds every peer with the esbuild and sass installed in dir (its
// node_modules, from package-lock.json) and weighs the result.
func Bundle(ctx context.Context, dir string, peers []Peer) ([]Set, error) {
	esbuild := filepath.Join(dir, "node_modules", ".bin", "esbuild")
	sass := filepath.Join(dir, "node_modules", ".bin", "sass")
	for _, tool := range []string{esbuild, sass} {
		if _, err := os.Stat(tool); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNotInstalled, err)
		}
	}
	out, err := os.MkdirTemp("", "arendevy-peers-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(out)

	run := func(name string, args ...string) error {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("clientbytes: %s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, b)
		}
		return nil
	}
	bundle := func(entry, target string) ([]byte, error) {
		// Licence comments are left out: they are not code, and leaving
		// them in would only make the peers look heavier.
		if err := run(esbuild, entry, "--bundle", "--minify", "--format=esm", "--legal-comments=none",
			"--log-level=warning", "--outfile="+target); err != nil {
			return nil, err
		}
		return os.ReadFile(target)
	}
	var sets []Set
	for i, p := range peers {
		s := Set{Name: p.Name}
		for _, entry := range p.SCSS {
			compiled := filepath.Join(out, fmt.Sprintf("%d-%s.css", i, strings.TrimSuffix(entry, ".scss")))
			if err := run(sass, "--no-source-map", "--quiet", "--load-path=.", entry, compiled); err != nil {
				return nil, err
			}
			body, err := bundle(compiled, compiled+".min.css")
			if err != nil {
				return nil, err
			}
			if err := s.add(entry, body); err != nil {
				return nil, err
			}
		}
		for _, entry := range append(append([]string{}, p.JS...), p.CSS...) {
			body, err := bundle(entry, filepath.Join(out, fmt.Sprintf("%d-%s", i, entry)))
			if err != nil {
				return nil, err
			}
			if err := s.add(entry, body); err != nil {
				return nil, err
			}
		}
		sets = append(sets, s)
	}
	return sets, nil
}
