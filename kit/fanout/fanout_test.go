package fanout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
)

var subject = identity.Subject{User: identity.Party{Number: "191212121212", Kind: identity.Personnummer, Name: "Tolvan Tolvansson"}}

func actor(id string) cases.Actor { return cases.Actor{ID: id, Name: "Actor " + id} }

func oneCase(producer, title string) cases.Case {
	return cases.Case{ID: producer + ":1", Date: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Title: title,
		Sender: actor(producer), Status: cases.Received}
}

func answering(c cases.Case) cases.Source {
	return cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
		return cases.Result{Cases: []cases.Case{c}}, nil
	})
}

func slow(d time.Duration, c cases.Case) cases.Source {
	return cases.SourceFunc(func(ctx context.Context, _ identity.Subject) (cases.Result, error) {
		select {
		case <-time.After(d):
			return cases.Result{Cases: []cases.Case{c}}, nil
		case <-ctx.Done():
			return cases.Result{}, ctx.Err()
		}
	})
}

// deaf ignores its context, as a badly written source would.
func deaf(d time.Duration) cases.Source {
	return cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
		time.Sleep(d)
		return cases.Result{Cases: []cases.Case{oneCase("deaf", "late")}}, nil
	})
}

func byProducer(os []cases.Outcome) map[string]cases.Outcome {
	m := map[string]cases.Outcome{}
	for _, o := range os {
		m[o.Producer.ID] = o
	}
	return m
}

func TestSlowSourceBecomesTimeoutWithinTheDeadline(t *testing.T) {
	for _, tc := range []struct {
		name string
		slow cases.Source
	}{
		{"honours its context", slow(10*time.Second, oneCase("c", "late"))},
		{"ignores its context", deaf(10 * time.Second)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &Fanout{Deadline: 300 * time.Millisecond, Members: []Member{
				{Name: "a", Actor: actor("a"), Source: answering(oneCase("a", "A"))},
				{Name: "b", Actor: actor("b"), Source: slow(20*time.Millisecond, oneCase("b", "B"))},
				{Name: "c", Actor: actor("c"), Source: tc.slow},
			}}
			start := time.Now()
			r, err := f.Overview(context.Background(), subject)
			took := time.Since(start)
			require.NoError(t, err)
			require.Less(t, took, 300*time.Millisecond+100*time.Millisecond, "answers within the deadline + 100 ms")
			require.Len(t, r.Cases, 2)
			os := byProducer(r.Outcomes)
			require.Equal(t, cases.OK, os["a"].State)
			require.Equal(t, cases.OK, os["b"].State)
			require.Equal(t, cases.Timeout, os["c"].State)
			require.Equal(t, "Actor c", os["c"].Producer.Name, "the user is told whose cases are missing")
		})
	}
}

func TestMemberTimeoutIsItsOwn(t *testing.T) {
	f := &Fanout{Deadline: 2 * time.Second, Members: []Member{
		{Name: "fast", Actor: actor("fast"), Source: answering(oneCase("fast", "F"))},
		{Name: "slow", Actor: actor("slow"), Source: slow(time.Second, oneCase("slow", "S")), Timeout: 50 * time.Millisecond},
	}}
	start := time.Now()
	r, _ := f.Overview(context.Background(), subject)
	require.Less(t, time.Since(start), time.Second)
	require.Equal(t, cases.Timeout, byProducer(r.Outcomes)["slow"].State)
	require.Len(t, r.Cases, 1)
}

func TestFailuresBecomeOutcomesAndOthersStillShow(t *testing.T) {
	garbage := cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
		return cases.Result{}, fmt.Errorf("decoding: %w", cases.ErrInvalidResponse)
	})
	failing := cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
		return cases.Result{}, errors.New("hub answered 500")
	})
	panicking := cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
		panic("secret case title in a panic")
	})
	half := cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
		bad := oneCase("half", "")
		bad.ID = "half:2"
		return cases.Result{Cases: []cases.Case{oneCase("half", "ok"), bad}}, nil
	})
	var logs bytes.Buffer
	var observed []string
	f := &Fanout{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Observe: func(member string, os []cases.Outcome, _ time.Duration) {
			observed = append(observed, member)
		},
		Members: []Member{
			{Name: "good", Actor: actor("good"), Source: answering(oneCase("good", "fine"))},
			{Name: "garbage", Actor: actor("garbage"), Source: garbage},
			{Name: "failing", Actor: actor("failing"), Source: failing},
			{Name: "panicking", Actor: actor("panicking"), Source: panicking},
			{Name: "half", Actor: actor("half"), Source: half},
		}}
	r, err := f.Overview(context.Background(), subject)
	require.NoError(t, err)
	require.Len(t, r.Cases, 2)
	os := byProducer(r.Outcomes)
	require.Equal(t, cases.OK, os["good"].State)
	require.Equal(t, cases.Invalid, os["garbage"].State)
	require.Equal(t, cases.Failed, os["failing"].State)
	require.Equal(t, "hub answered 500", os["failing"].Message)
	require.Equal(t, cases.Failed, os["panicking"].State)
	require.Equal(t, cases.Invalid, os["half"].State)
	require.Equal(t, 1, os["half"].Cases)
	require.Equal(t, 1, os["half"].Rejected)
	require.ElementsMatch(t, []string{"good", "garbage", "failing", "panicking", "half"}, observed)
	require.NotContains(t, logs.String(), "secret")
	require.NotContains(t, logs.String(), "191212121212")
	require.Contains(t, logs.String(), "source panicked")
}

func TestOverviewKeepsMemberOrder(t *testing.T) {
	f := &Fanout{Members: []Member{
		{Name: "b", Actor: actor("b"), Source: slow(30*time.Millisecond, oneCase("b", "B"))},
		{Name: "a", Actor: actor("a"), Source: answering(oneCase("a", "A"))},
	}}
	r, _ := f.Overview(context.Background(), subject)
	require.Equal(t, "b", r.Outcomes[0].Producer.ID)
	require.Equal(t, "a", r.Outcomes[1].Producer.ID)
}

// Observe and the log name only producers the portal lists, or the members'
// own actors; the outcomes the page shows keep every producer as it came.
func TestObserveAndLogNameOnlyListedProducers(t *testing.T) {
	fromData := cases.Actor{ID: "199001012385", Name: "Tolvan Tolvansson"}
	answer := cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
		return cases.Result{Outcomes: []cases.Outcome{
			{Producer: actor("listed"), State: cases.Timeout}, {Producer: fromData, State: cases.Failed, Message: "down"}, {Producer: actor("a"), State: cases.Failed},
		}}, nil
	})
	for _, listed := range []func(string) bool{nil, func(id string) bool { return id == "listed" }} {
		var log bytes.Buffer
		var observed []cases.Outcome
		f := &Fanout{
			Members: []Member{{Name: "a", Actor: actor("a"), Source: answer}},
			Logger:  slog.New(slog.NewTextHandler(&log, nil)),
			Observe: func(_ string, os []cases.Outcome, _ time.Duration) { observed = os },
			Listed:  listed,
		}
		r, err := f.Overview(context.Background(), subject)
		require.NoError(t, err)
		require.Equal(t, fromData, r.Outcomes[1].Producer, "the page is told whose cases are missing")
		want := []string{"listed", Unlisted, "a"}
		if listed == nil {
			want[0] = Unlisted
		}
		var got []string
		for _, o := range observed {
			got = append(got, o.Producer.ID)
			require.NotEqual(t, fromData.Name, o.Producer.Name)
		}
		require.Equal(t, want, got)
		require.NotContains(t, log.String(), fromData.ID)
		require.NotContains(t, log.String(), "Tolvan")
		require.Contains(t, log.String(), "producer="+Unlisted)
	}
}

// TestConcurrencyTowardASourceIsCapped: with two requests to a source in
// flight and MaxConcurrent 2, a third overview does not reach it; the
// source is shown as busy while the others still answer, and once a place
// is free the source is asked again.
func TestConcurrencyTowardASourceIsCapped(t *testing.T) {
	// The first two calls hold their places until released, ignoring their
	// timeout as a hung producer's client might; a call beyond them (which
	// the cap must prevent) would answer at once.
	entered, release := make(chan struct{}, 2), make(chan struct{})
	var calls atomic.Int32
	blocking := cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
		calls.Add(1)
		select {
		case entered <- struct{}{}:
			<-release
		default:
		}
		return cases.Result{Cases: []cases.Case{oneCase("slow", "answer")}}, nil
	})
	f := &Fanout{Members: []Member{
		{Name: "slow", Actor: actor("slow"), Source: blocking, MaxConcurrent: 2, Timeout: 50 * time.Millisecond},
		{Name: "quick", Actor: actor("quick"), Source: answering(oneCase("quick", "q"))},
	}, Deadline: time.Minute}
	done := make(chan struct{}, 2)
	for range 2 {
		go func() { _, _ = f.Overview(context.Background(), subject); done <- struct{}{} }()
	}
	<-entered
	<-entered
	r, err := f.Overview(context.Background(), subject)
	require.NoError(t, err)
	got := byProducer(r.Outcomes)
	require.Equal(t, cases.Busy, got["slow"].State, "no place within its timeout: busy, not asked")
	require.Equal(t, cases.OK, got["quick"].State, "the other source still answers")
	require.Len(t, r.Cases, 1)
	require.EqualValues(t, 2, calls.Load(), "the third request never reached the source")

	close(release)
	<-done
	<-done
	r, err = f.Overview(context.Background(), subject)
	require.NoError(t, err)
	require.Equal(t, cases.OK, byProducer(r.Outcomes)["slow"].State, "places free again")
	require.EqualValues(t, 3, calls.Load())
}
