package synth

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/session"
)

var now = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

func TestProducersMakeValidCasesSpreadEvenly(t *testing.T) {
	for _, tc := range []struct{ n, producers, each int }{
		{10, 10, 1}, {100, 10, 10}, {1000, 10, 100}, {0, 3, 0},
	} {
		ps, err := Producers(tc.n, tc.producers, now)
		require.NoError(t, err)
		require.Len(t, ps, tc.producers)
		dir, err := Directory(ps)
		require.NoError(t, err)
		ids := map[string]bool{}
		for _, p := range ps {
			require.Len(t, p.Cases, tc.each, p.Info.ID)
			for _, c := range p.Cases {
				require.Empty(t, c.Validate(), c.ID)
				require.Equal(t, p.Info.Actor(), c.Sender)
				require.False(t, c.Date.After(now), "no case is dated in the future")
				require.True(t, dir.Allows(c.Sender.ID, c.Link), "the directory allows %s", c.Link)
				require.False(t, ids[c.ID], "case IDs are unique")
				ids[c.ID] = true
			}
		}
		again, err := Producers(tc.n, tc.producers, now)
		require.NoError(t, err)
		require.Equal(t, ps, again, "the data is deterministic")
	}
}

func TestProducersRefuseSizesOutOfRange(t *testing.T) {
	for _, tc := range []struct{ n, producers int }{{-1, 1}, {MaxCases + 1, 10}, {10, 0}, {10, MaxProducers + 1}} {
		_, err := Producers(tc.n, tc.producers, now)
		require.ErrorIs(t, err, ErrSize)
	}
}

func TestMembersAnswerWithCopies(t *testing.T) {
	ps, err := Producers(20, 2, now)
	require.NoError(t, err)
	ms := Members(ps)
	require.Len(t, ms, 2)
	require.Equal(t, ps[1].Info.ID, ms[1].Name)
	require.Equal(t, ps[1].Info.Actor(), ms[1].Actor)

	first, err := ms[0].Source.Overview(context.Background(), Subject(now))
	require.NoError(t, err)
	require.Equal(t, ps[0].Cases, first.Cases)
	first.Cases[0].Title = "changed"
	first.Cases[0].Pairs[0].Value = "changed"
	second, err := ms[0].Source.Overview(context.Background(), Subject(now))
	require.NoError(t, err)
	require.Equal(t, ps[0].Cases, second.Cases, "a caller changing an answer never changes the next one")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ms[0].Source.Overview(ctx, Subject(now))
	require.ErrorIs(t, err, context.Canceled)
}

func TestSubjectIsAcceptedByTheDefaultLevels(t *testing.T) {
	s := Subject(now)
	require.Equal(t, Customer, s.Customer())
	require.False(t, s.IsAgent())
	require.Contains(t, session.DefaultAcceptedLoAs(), s.LoA, "the session manager must let this subject see the overview")
}

func TestProducersUseEveryStatus(t *testing.T) {
	ps, err := Producers(40, 4, now)
	require.NoError(t, err)
	seen := map[cases.Status]int{}
	for _, p := range ps {
		for _, c := range p.Cases {
			seen[c.Status]++
		}
	}
	for _, st := range cases.Statuses {
		require.Equal(t, 10, seen[st], st)
	}
}
