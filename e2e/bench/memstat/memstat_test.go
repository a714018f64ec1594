package memstat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRSSReadsProcStatus(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      uint64
	}{
		{"linux", "Name:\tbench\nVmPeak:\t  20000 kB\nVmRSS:\t   12345 kB\nThreads:\t5\n", 12345 << 10},
		{"absent", "Name:\tbench\n", 0},
		{"other unit", "VmRSS:\t 12 MB\n", 0},
		{"not a number", "VmRSS:\t lots kB\n", 0},
		{"absurd", "VmRSS:\t 99999999999999999 kB\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, rss(strings.NewReader(tc.doc)))
		})
	}
}

func TestReadSeesThisProcess(t *testing.T) {
	s := Read(true)
	require.Positive(t, s.HeapAlloc)
	require.Positive(t, s.Goroutines)
	require.GreaterOrEqual(t, s.NumGC, uint32(2), "gc collects before reading")
	require.Positive(t, s.RSS, "Linux tells the resident set size")
	require.Positive(t, s.CPU)
}

func TestFetchReadsTheHandler(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	before := Read(false).NumGC
	s, err := Fetch(context.Background(), srv.Client(), srv.URL, true)
	require.NoError(t, err)
	require.Positive(t, s.HeapAlloc)
	require.GreaterOrEqual(t, s.NumGC, before+2, "?gc=1 collects in the server")

	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer broken.Close()
	_, err = Fetch(context.Background(), broken.Client(), broken.URL, false)
	require.ErrorIs(t, err, ErrFetch)
}

func TestJudge(t *testing.T) {
	const mib = 1 << 20
	base := Stats{HeapAlloc: 5 * mib, Goroutines: 8}
	for _, tc := range []struct {
		name  string
		after Stats
		leak  bool
		says  string
	}{
		{"same", base, false, "back to baseline"},
		{"less", Stats{HeapAlloc: 4 * mib, Goroutines: 6}, false, "back to baseline"},
		{"within the slack", Stats{HeapAlloc: 5*mib + mib/2, Goroutines: 8}, false, "back to baseline"},
		{"heap grew", Stats{HeapAlloc: 8 * mib, Goroutines: 8}, true, "live heap grew by 3145728 bytes"},
		{"goroutines left behind", Stats{HeapAlloc: 5 * mib, Goroutines: 58}, true, "50 goroutines more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(base, tc.after)
			require.Equal(t, tc.leak, v.Leak)
			require.Contains(t, v.Reason, tc.says)
			require.Equal(t, int64(tc.after.HeapAlloc)-int64(base.HeapAlloc), v.HeapGrowth)
		})
	}
	require.EqualValues(t, mib, HeapSlack(mib), "at least 1 MiB")
	require.EqualValues(t, 10*mib, HeapSlack(100*mib), "10 % of a large heap")
}
