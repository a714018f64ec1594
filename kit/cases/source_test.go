package cases

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// stepTimeout is how the transport reports a dial, TLS handshake or answer
// that took too long: an error that says Timeout, not the context's.
type stepTimeout struct{}

func (stepTimeout) Error() string { return "net/http: TLS handshake timeout" }
func (stepTimeout) Timeout() bool { return true }

func TestFailedOutcome(t *testing.T) {
	hub := Actor{ID: "hub", Name: "Ärendenavet"}
	tests := []struct {
		name string
		err  error
		want State
	}{
		{"deadline", fmt.Errorf("hub: %w", context.DeadlineExceeded), Timeout},
		{"a step ran out of time", fmt.Errorf("hub: %w", stepTimeout{}), Timeout},
		{"a read deadline", fmt.Errorf("hub: %w", os.ErrDeadlineExceeded), Timeout},
		{"undecodable", fmt.Errorf("hub: %w: not JSON", ErrInvalidResponse), Invalid},
		{"refused", errors.New("hub: connection refused"), Failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := FailedOutcome("hub", hub, tt.err)
			require.Equal(t, tt.want, o.State)
			require.Equal(t, "hub", o.Source)
			require.Equal(t, hub, o.Producer)
			if tt.want == Timeout {
				require.Equal(t, "no answer within the deadline", o.Message)
			}
		})
	}
}
