package cases

import (
	"context"
	"crypto/rand"
	"fmt"
)

// correlationKey carries the correlation id of one source's request, from
// the fan-out to the source's client.
type correlationKey struct{}

// WithCorrelationID returns ctx carrying id, the correlation id a source's
// client sends with its request (and its Outcome names), so that one
// request is the same in the portal's log and in the service's.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

// CorrelationIDOf is the id WithCorrelationID put in ctx, or "".
func CorrelationIDOf(ctx context.Context) string {
	s, _ := ctx.Value(correlationKey{}).(string)
	return s
}

// NewCorrelationID is a random version 4 UUID: never derived from who is
// asking, since it ends up in other organisations' logs and in ours.
func NewCorrelationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
