// Package cli is what the checking commands (a11ycheck, conformance) share:
// the exit statuses a CI step reads, a flag that may be repeated, and a main
// that ends on Ctrl-C with the run's status.
package cli

import (
	"context"
	"io"
	"os"
	"os/signal"
	"strings"
)

// Exit statuses: the check passed, it found something, or it could not run.
const (
	ExitPass     = 0
	ExitFindings = 1
	ExitError    = 2
)

// Repeated is a flag that may be given more than once.
type Repeated []string

func (r *Repeated) String() string     { return strings.Join(*r, ",") }
func (r *Repeated) Set(v string) error { *r = append(*r, v); return nil }

// Main runs run with the command line and the standard streams, cancels its
// context on Ctrl-C, and exits with the status it returns.
func Main(run func(ctx context.Context, args []string, stdout, stderr io.Writer) int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
