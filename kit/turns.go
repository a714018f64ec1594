package kit

import (
	"context"
	"time"
)

// turns admit overviews to the processor a few at a time, in arrival
// order. Under load each request then waits for its turn and runs without
// sharing the processor with every other, instead of all of them slowing
// down together: the slowest answers stay close to the typical one. With
// 50 clients on 2 cores this took the API's p99 from 64 to under 25 ms at
// the same throughput (docs/performance.md).
//
// A turn is for work, not for waiting: a request whose sources answer at
// once (from memory, a cache, a fast hub) runs start to end in one turn,
// but one whose sources take longer than turnGrace gives its turn to the
// next request and queues again when they have answered. Writing the answer
// comes after the turn, so a slow client never holds one either.
type turns chan struct{}

// turnGrace is how long a request may wait for its sources in its turn.
// Sources answering from memory need well under a millisecond; under full
// load, waiting to be scheduled, up to about two.
const turnGrace = 2 * time.Millisecond

func newTurns(n int) turns { return make(turns, max(n, 1)) }

// take waits for a turn, in arrival order, or until ctx is done.
func (t turns) take(ctx context.Context) error {
	select {
	case t <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// give ends a turn.
func (t turns) give() { <-t }

// during runs wait, which asks the sources, in a turn already taken: for
// at most turnGrace in it, then outside it, queueing for a new turn once
// wait returns. It returns holding a turn, unless it returns an error.
func (t turns) during(ctx context.Context, wait func() error) error {
	lent := time.AfterFunc(turnGrace, t.give)
	err := wait()
	if lent.Stop() { // still in the turn
		if err != nil {
			t.give()
		}
		return err
	}
	if err != nil {
		return err
	}
	return t.take(ctx)
}
