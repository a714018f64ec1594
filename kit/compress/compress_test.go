package compress

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/require"
)

// page is a body like the overview's: long and repetitive.
var page = strings.Repeat(`<li class="case"><a href="/arendevy/go/abc">Ansökan om bygglov</a></li>`+"\n", 200)

func serve(t *testing.T, h http.Handler, method, acceptEncoding string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, "/", nil)
	if acceptEncoding != "" {
		r.Header.Set("Accept-Encoding", acceptEncoding)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func decode(t *testing.T, res *http.Response) string {
	t.Helper()
	var rd io.Reader = res.Body
	switch res.Header.Get("Content-Encoding") {
	case "gzip":
		zr, err := gzip.NewReader(res.Body)
		require.NoError(t, err)
		rd = zr
	case "br":
		rd = brotli.NewReader(res.Body)
	case "":
	default:
		t.Fatalf("unexpected coding %q", res.Header.Get("Content-Encoding"))
	}
	b, err := io.ReadAll(rd)
	require.NoError(t, err)
	return string(b)
}

func htmlPage(body string) http.Handler {
	return Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("ETag", `"v1"`)
		_, _ = io.WriteString(w, body)
	}))
}

func TestCompressedDecodesToTheSameContent(t *testing.T) {
	h := htmlPage(page)
	for header, want := range map[string]string{
		"gzip, deflate, br, zstd":    "br",
		"gzip":                       "gzip",
		"br;q=0.5, gzip":             "gzip",
		"identity":                   "",
		"":                           "",
		"br, gzip, identity;q=0":     "br",
		"gzip;q=0.2, identity;q=0.9": "",
		"*":                          "br",
		"br;q=0, gzip;q=0, *;q=1":    "",
		"x-gzip":                     "gzip",
	} {
		res := serve(t, h, http.MethodGet, header)
		require.Equal(t, want, res.Header.Get("Content-Encoding"), header)
		require.Equal(t, page, decode(t, serve(t, h, http.MethodGet, header)), header)
		require.Equal(t, []string{"Accept-Encoding"}, res.Header.Values("Vary"), header)
		require.Equal(t, "no-store", res.Header.Get("Cache-Control"), "the coding keeps Cache-Control (%s)", header)
		if want != "" {
			require.Equal(t, `"v1-`+want+`"`, res.Header.Get("ETag"), "another representation, another validator")
		}
	}
}

func TestContentLengthIsTheBytesOnTheWire(t *testing.T) {
	for _, coding := range []string{"br", "gzip"} {
		res := serve(t, htmlPage(page), http.MethodGet, coding)
		body, _ := io.ReadAll(res.Body)
		require.Equal(t, strconv.Itoa(len(body)), res.Header.Get("Content-Length"), coding)
		require.Less(t, len(body), len(page)/10, coding)

		head := serve(t, htmlPage(page), http.MethodHead, coding)
		require.Equal(t, coding, head.Header.Get("Content-Encoding"), "HEAD answers as GET would")
		require.Equal(t, res.Header.Get("Content-Length"), head.Header.Get("Content-Length"), "HEAD answers as GET would")
	}
}

func TestALongBodyIsStreamed(t *testing.T) {
	long := strings.Repeat(page, 40) // compresses beyond what is held back
	var random bytes.Buffer
	for i := 0; random.Len() < 3*maxHeld; i++ {
		random.WriteString(strconv.Itoa(i*7919%100003) + " ")
	}
	for _, body := range []string{long, random.String()} {
		res := serve(t, htmlPage(body), http.MethodGet, "gzip")
		require.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
		require.Equal(t, body, decode(t, res))
	}
}

func TestWhatIsNotCompressed(t *testing.T) {
	cases := map[string]http.HandlerFunc{
		"a tiny body": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"token":"x"}`)
		},
		"an image": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			_, _ = io.WriteString(w, page)
		},
		"no-transform": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Cache-Control", "no-store, no-transform")
			_, _ = io.WriteString(w, page)
		},
		"no content": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		},
	}
	for name, h := range cases {
		res := serve(t, Handler(h), http.MethodGet, "br, gzip")
		require.Empty(t, res.Header.Get("Content-Encoding"), name)
		require.Equal(t, []string{"Accept-Encoding"}, res.Header.Values("Vary"), name)
	}
	// Already encoded (kit/assets' precompressed files): left as they are.
	pre := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		w.Header().Set("Content-Encoding", "br")
		w.Header().Set("Vary", "Accept-Encoding")
		_, _ = io.WriteString(w, page)
	}))
	res := serve(t, pre, http.MethodGet, "br, gzip")
	require.Equal(t, "br", res.Header.Get("Content-Encoding"))
	require.Equal(t, page, func() string { b, _ := io.ReadAll(res.Body); return string(b) }())
	require.Equal(t, []string{"Accept-Encoding"}, res.Header.Values("Vary"), "Vary once, however many layers")
}

func TestFlushStreams(t *testing.T) {
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, page)
		http.NewResponseController(w).Flush()
		_, _ = io.WriteString(w, page)
	}))
	res := serve(t, h, http.MethodGet, "br")
	require.Equal(t, "br", res.Header.Get("Content-Encoding"))
	require.Empty(t, res.Header.Get("Content-Length"))
	require.Equal(t, page+page, decode(t, res))
}

// A body may come in pieces of any size, and without a Content-Type: the
// bytes held back before the decision and the rest arrive in order, and
// the type is sniffed as net/http would.
func TestABodyInPieces(t *testing.T) {
	doc := "<!doctype html>" + page
	for _, piece := range []int{1, 100, 1000, 1023, 1024, 5000, len(doc)} {
		h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for rest := doc; rest != ""; {
				n := min(piece, len(rest))
				_, _ = io.WriteString(w, rest[:n])
				rest = rest[n:]
			}
		}))
		res := serve(t, h, http.MethodGet, "br")
		require.Equal(t, "br", res.Header.Get("Content-Encoding"), "pieces of %d", piece)
		require.Equal(t, doc, decode(t, res), "pieces of %d", piece)
		require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"), "pieces of %d", piece)
	}
	short := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"a":`)
		_, _ = io.WriteString(w, `1}`)
	}))
	res := serve(t, short, http.MethodGet, "br")
	require.Empty(t, res.Header.Get("Content-Encoding"))
	require.Equal(t, `{"a":1}`, decode(t, res))
}

// Pages (the phone's first load, counted in bytes) get brotli's denser
// level; JSON answers, where compressing is most of the server's CPU, the
// cheap one.
func TestPagesAndAnswersHaveTheirOwnLevel(t *testing.T) {
	require.Less(t, brotliJSONLevel, brotliLevel)
	for mediaType, level := range map[string]int{
		"text/html; charset=utf-8": brotliLevel, "text/css": brotliLevel,
		"application/json; charset=utf-8": brotliJSONLevel, "application/problem+json": brotliJSONLevel,
	} {
		h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", mediaType)
			_, _ = io.WriteString(w, page)
		}))
		var want bytes.Buffer
		enc := brotli.NewWriterLevel(&want, level)
		_, _ = io.WriteString(enc, page)
		require.NoError(t, enc.Close())
		res := serve(t, h, http.MethodGet, "br")
		got, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, want.Bytes(), got, mediaType)
	}
}
