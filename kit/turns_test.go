package kit

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
)

// A request whose sources take their time gives its turn to the next one
// and takes a new turn when they have answered.
func TestWaitingForSourcesHoldsNoTurn(t *testing.T) {
	tr := newTurns(1)
	ctx := context.Background()
	require.NoError(t, tr.take(ctx))
	answer := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- tr.during(ctx, func() error { <-answer; return nil }) }()

	next, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	require.NoError(t, tr.take(next), "the next request got no turn while the first waited for its sources")
	tr.give()
	close(answer)
	require.NoError(t, <-done)
	require.Len(t, tr, 1, "the first request holds a turn again for its own work")
	tr.give()
}

// Sources that answer at once keep the request in its turn.
func TestQuickSourcesKeepTheTurn(t *testing.T) {
	tr := newTurns(1)
	ctx := context.Background()
	require.NoError(t, tr.take(ctx))
	require.NoError(t, tr.during(ctx, func() error { return nil }))
	require.Len(t, tr, 1)
	tr.give()
}

// Whatever fails, no turn is lost or left taken.
func TestTurnsAreNeverLeaked(t *testing.T) {
	tr := newTurns(1)
	ctx := context.Background()
	boom := errors.New("boom")

	require.NoError(t, tr.take(ctx))
	require.ErrorIs(t, tr.during(ctx, func() error { return boom }), boom)
	require.Empty(t, tr, "a quick failure gave its turn back")

	require.NoError(t, tr.take(ctx))
	require.ErrorIs(t, tr.during(ctx, func() error { time.Sleep(4 * turnGrace); return boom }), boom)
	// The turn was lent from a timer's goroutine, which may still be on its way.
	require.Eventually(t, func() bool { return len(tr) == 0 }, 5*time.Second, time.Millisecond, "a slow failure queues for no new turn")

	require.NoError(t, tr.take(ctx))
	gone, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, tr.take(gone), context.Canceled, "a request whose client left stops queueing")
	tr.give()
	require.Empty(t, tr)
}

// After many overviews at once, every turn is free again.
func TestOverviewsGiveTheirTurnsBack(t *testing.T) {
	k := newTestKit(t, testCase("a", "Bygglov", "skatteverket", cases.InProgress, 3, ""))
	codes := make(chan int, 20)
	for range 20 {
		go func() { codes <- get(t, k, "/arendevy/api/overview", &tolvan).Code }()
	}
	for range 20 {
		require.Equal(t, http.StatusOK, <-codes)
	}
	require.Empty(t, k.turns)
}
