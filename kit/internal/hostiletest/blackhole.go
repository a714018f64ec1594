package hostiletest

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
)

// BlackHoleOverviews asks 60 overviews at once of two sources made by
// member, one at an Unaccepting address and one at a Silent one, under
// deadline, and fails the test unless every overview reports both as timed
// out and nothing is left behind after them (NothingLeftBehind): a source
// that swallows packets costs each overview its deadline and no more.
func BlackHoleOverviews(t *testing.T, deadline time.Duration, subject identity.Subject, member func(name, addr string) fanout.Member) {
	t.Helper()
	f := &fanout.Fanout{Deadline: deadline, Logger: slog.New(slog.DiscardHandler), Members: []fanout.Member{
		member("unaccepting", Unaccepting(t)),
		member("silent", Silent(t)),
	}}
	check := NothingLeftBehind(t)
	var wg sync.WaitGroup
	results := make([]cases.Result, 60)
	for i := range results {
		wg.Go(func() { results[i], _ = f.Overview(context.Background(), subject) })
	}
	wg.Wait()
	for _, r := range results {
		require.Empty(t, r.Cases)
		require.Len(t, r.Outcomes, 2)
		for _, o := range r.Outcomes {
			require.Equal(t, cases.Timeout, o.State, o.Source+": "+o.Message)
		}
	}
	check()
}
