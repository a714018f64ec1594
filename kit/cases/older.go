package cases

import "context"

// olderKey carries how many windows further back than its own a source that
// looks back a limited time is asked to reach.
type olderKey struct{}

// MaxOlder bounds WithOlder: each step is a window of the source's own
// (Mina ärenden: a year), and the service is asked for all of it.
const MaxOlder = 10

// WithOlder returns ctx asking the sources that look back a limited time to
// reach n of their windows further back, because the user asked to see
// older closed cases; n is kept within 0 and MaxOlder.
func WithOlder(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, olderKey{}, min(max(n, 0), MaxOlder))
}

// OlderOf is the n of WithOlder, 0 when none was given.
func OlderOf(ctx context.Context) int {
	n, _ := ctx.Value(olderKey{}).(int)
	return n
}
