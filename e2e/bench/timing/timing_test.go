package timing

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/bench/server"
	"github.com/arendevy/arendevy/e2e/bench/synth"
	"github.com/arendevy/arendevy/e2e/browser"
)

// TestProbeMeasuresTheRealElement drives the element as the benchmark
// does, on the bench server's page, and checks that every figure is there
// and that the re-renders really changed what is shown.
func TestProbeMeasuresTheRealElement(t *testing.T) {
	const n, pageSize = 30, 10
	ps, err := synth.Producers(n, 3, time.Now())
	require.NoError(t, err)
	dir, err := synth.Directory(ps)
	require.NoError(t, err)
	srv, err := server.New(server.Config{Sources: synth.Members(ps), Producers: dir})
	require.NoError(t, err)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	cookie, err := srv.Login(time.Now())
	require.NoError(t, err)
	bygglov := 0
	for _, p := range ps {
		for _, c := range p.Cases {
			if strings.Contains(strings.ToLower(c.Title), "bygglov") {
				bygglov++
			}
		}
	}
	require.Positive(t, bygglov)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := browser.Start(ctx)
	require.NoError(t, err)
	defer b.Close()
	tab, err := b.NewTab(ctx)
	require.NoError(t, err)
	defer tab.Close()
	require.NoError(t, LogIn(ctx, tab, hs.URL, cookie.Name+"="+cookie.Value))
	require.NoError(t, Install(ctx, tab))

	l, err := Open(ctx, tab, hs.URL+server.PagePath+"?page-size=10", 30*time.Second)
	require.NoError(t, err)
	require.Equal(t, pageSize, l.Rows, "the first page")
	require.Positive(t, l.APIEnd, "the element fetched its data")
	require.Positive(t, l.StyleEnd, "and its stylesheet")
	require.GreaterOrEqual(t, l.Loaded, max(l.APIEnd, l.StyleEnd))
	require.GreaterOrEqual(t, l.Layout, l.Loaded)
	require.Positive(t, l.Render())
	require.Positive(t, l.FCP)

	sorted, err := Rerender(ctx, tab, "sort", "title")
	require.NoError(t, err)
	require.Positive(t, sorted.Ms)
	require.GreaterOrEqual(t, sorted.Settled, sorted.Ms, "idle only after the frame")
	require.Equal(t, pageSize, sorted.Rows)
	require.Equal(t, "Ansökan om bygglov för tillbyggnad", sorted.First, "first by title in Swedish order")

	filtered, err := Rerender(ctx, tab, "filter-text", "bygglov")
	require.NoError(t, err)
	require.Positive(t, filtered.Ms)
	require.Equal(t, min(bygglov, pageSize), filtered.Rows)

	gone, err := browser.Eval[bool](ctx, tab, `!document.querySelector("arendevy-overview").hasAttribute("filter-text")`)
	require.NoError(t, err)
	require.True(t, gone, "the change is taken back after it was measured")

	again, err := Report(ctx, tab)
	require.NoError(t, err)
	require.Equal(t, l.Loaded, again.Loaded, "one navigation, one first load")
	for _, task := range again.Tasks {
		require.Greater(t, task.Duration, 0.0)
	}
}

func TestOpenWithoutTheProbeSaysSo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := browser.Start(ctx)
	require.NoError(t, err)
	defer b.Close()
	tab, err := b.NewTab(ctx)
	require.NoError(t, err)
	defer tab.Close()
	hs := httptest.NewServer(nil)
	defer hs.Close()
	_, err = Open(ctx, tab, hs.URL, time.Second)
	require.Error(t, err, "a 404 is no page to measure")
	require.Error(t, LogIn(ctx, tab, hs.URL, "no-equals-sign"))
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{nil, 0}, {[]float64{4}, 4}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5},
	} {
		require.Equal(t, tc.want, Median(tc.xs), "%v", tc.xs)
	}
	xs := []float64{3, 1, 2}
	Median(xs)
	require.Equal(t, []float64{3, 1, 2}, xs, "the input is left as it was")
}

func TestLoadFigures(t *testing.T) {
	l := Load{APIEnd: 40, StyleEnd: 55, Layout: 80, Tasks: []Task{{Start: 1, Duration: 51}, {Start: 90, Duration: 70}}}
	require.Equal(t, 25.0, l.Render(), "from the later of data and stylesheet")
	require.Equal(t, 70.0, l.LongestTask())
	require.Zero(t, Load{}.LongestTask())
}
