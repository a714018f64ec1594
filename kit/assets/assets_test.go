package assets_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/assets"
	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/widget"
)

func set(t testing.TB) *assets.Set {
	t.Helper()
	b, err := i18n.Default()
	require.NoError(t, err)
	s, err := assets.New(assets.Options{Prefix: "/arendevy/assets/", Catalogue: b.Catalogue()})
	require.NoError(t, err)
	return s
}

func get(t testing.TB, s *assets.Set, method, path string, header http.Header) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w.Result()
}

func body(t testing.TB, res *http.Response) []byte {
	t.Helper()
	var r io.Reader = res.Body
	switch res.Header.Get("Content-Encoding") {
	case "gzip":
		zr, err := gzip.NewReader(res.Body)
		require.NoError(t, err)
		r = zr
	case "br":
		r = brotli.NewReader(res.Body)
	}
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return b
}

func TestHashedURLsAreImmutableWithTheRightTypes(t *testing.T) {
	s := set(t)
	tests := []struct {
		name, typ string
		has       []string // what the served file must contain
	}{
		{assets.Module, "text/javascript; charset=utf-8", []string{`customElements.define("arendevy-overview"`, `"Mina ärenden"`, `"My cases"`}},
		{assets.Styles, "text/css; charset=utf-8", []string{"--arendevy-accent:#1f4fa8", "@container arendevy (min-width:48em){.overview tr,"}},
		{assets.DefaultTheme, "text/css; charset=utf-8", []string{"--arendevy-accent:#1f4fa8"}},
		{"themes/bank.css", "text/css; charset=utf-8", []string{"--arendevy-accent:#00507a"}},
		{assets.Manifest, "application/json", []string{`"tagName":"arendevy-overview"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := s.Lookup(tt.name)
			require.True(t, ok)
			require.Regexp(t, `^/arendevy/assets/`+strings.TrimSuffix(tt.name, "."+ext(tt.name))+`\.[0-9a-f]{16}\.`+ext(tt.name)+`$`, a.URL)

			res := get(t, s, http.MethodGet, a.URL, nil)
			require.Equal(t, http.StatusOK, res.StatusCode)
			require.Equal(t, tt.typ, res.Header.Get("Content-Type"))
			require.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"))
			require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
			require.Regexp(t, `^"[0-9a-f]{16}"$`, res.Header.Get("ETag"), "a strong ETag")
			b := body(t, res)
			for _, h := range tt.has {
				require.Contains(t, string(b), h)
			}
			sum := sha512.Sum384(b)
			require.Equal(t, "sha384-"+base64.StdEncoding.EncodeToString(sum[:]), a.Integrity, "SRI is the hash of what is served")

			plain := get(t, s, http.MethodGet, "/arendevy/assets/"+tt.name, nil)
			require.Equal(t, http.StatusOK, plain.StatusCode)
			require.Equal(t, "no-cache", plain.Header.Get("Cache-Control"), "the plain name is revalidated")
			require.Equal(t, b, body(t, plain))
		})
	}
}

func ext(name string) string { return name[strings.LastIndex(name, ".")+1:] }

func TestMinifiedOnceAndLinked(t *testing.T) {
	s := set(t)
	js, _ := s.Lookup(assets.Module)
	css, _ := s.Lookup(assets.Styles)
	code := string(body(t, get(t, s, http.MethodGet, js.URL, nil)))
	require.NotContains(t, code, "@@messages@@", "the catalogue is inlined")
	require.NotContains(t, code, "// ", "comments are gone")
	require.Contains(t, code, `"`+strings.TrimPrefix(css.URL, "/arendevy/assets/")+`"`, "the element loads the hashed stylesheet")
	require.NotContains(t, code, `"arendevy.css"`)
	require.NotContains(t, code, "\n  ", "no indentation left")
	sheet := string(body(t, get(t, s, http.MethodGet, css.URL, nil)))
	require.NotContains(t, sheet, "  ", "no indentation left, inside @container either")
	require.Less(t, strings.Index(sheet, "--arendevy-accent"), strings.Index(sheet, ".overview{"), "the default theme comes first")
}

// The catalogue also holds the pages', the API's and the portal's texts:
// the element downloads only its own.
func TestTheElementCarriesOnlyItsOwnMessages(t *testing.T) {
	s := set(t)
	js, _ := s.Lookup(assets.Module)
	code := string(body(t, get(t, s, http.MethodGet, js.URL, nil)))
	sv := shippedLocalizer(t, "sv")
	require.Contains(t, code, `"`+sv.Text("status.action_required")+`"`, "the element's own messages are inlined")
	for _, id := range []string{"server.producer.notFound", "saml.failed.generic", "deeplink.invalid.title", "devidp.heading",
		"problem.loginRequired.title", "portal.start.intro"} {
		require.NotContains(t, code, `"`+id+`"`, "an id the element does not use")
		require.NotContains(t, code, sv.Text(id), "a text the element does not show: %s", id)
	}
}

// An id the element's source names must be one the element is sent: a new
// root needs its place in i18n.ElementRoots, or the element would show the
// id instead of the text.
func TestEveryIDTheElementNamesIsSentToIt(t *testing.T) {
	src, err := fs.ReadFile(widget.Assets, widget.Module)
	require.NoError(t, err)
	sv := shippedLocalizer(t, "sv")
	var named []string
	for _, m := range regexp.MustCompile(`\btranslate\("([A-Za-z_.]+)"`).FindAllStringSubmatch(string(src), -1) {
		named = append(named, m[1]) // translate("state.failed"), and prefixes like translate("status." + s)
	}
	for _, m := range regexp.MustCompile(`"([A-Za-z_]+(?:\.[A-Za-z_]+)*)"`).FindAllStringSubmatch(string(src), -1) {
		if sv.Text(m[1]) != m[1] { // a message of the catalogue, passed around before t() gets it
			named = append(named, m[1])
		}
	}
	require.Contains(t, named, "state.failed")
	require.Contains(t, named, "col.status")
	for _, id := range named {
		require.True(t, i18n.ForElement(id), "the element names %q, which it is not sent", id)
	}
}

func shippedLocalizer(t *testing.T, lang string) *i18n.Localizer {
	b, err := i18n.Default()
	require.NoError(t, err)
	return b.Localizer(lang)
}

func TestCompressionFollowsAcceptEncoding(t *testing.T) {
	s := set(t)
	js, _ := s.Lookup(assets.Module)
	identity := body(t, get(t, s, http.MethodGet, js.URL, nil))
	tests := []struct {
		accept, want string
	}{
		{"", ""},
		{"gzip", "gzip"},
		{"gzip, deflate, br", "br"},
		{"br;q=0.5, gzip", "gzip"},
		{"br;q=0, gzip;q=0", ""},
		{"*", "br"},
		{"*;q=0.1, br;q=0", "gzip"},
		{"identity", ""},
		{"x-gzip", "gzip"},
		{"GZIP;Q=0.9", "gzip"},
		{"br;q=2", ""},
		{"br;q=abc, gzip;q=0.1", "gzip"},
	}
	etags := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			res := get(t, s, http.MethodGet, js.URL, http.Header{"Accept-Encoding": {tt.accept}})
			require.Equal(t, tt.want, res.Header.Get("Content-Encoding"))
			require.Equal(t, "Accept-Encoding", res.Header.Get("Vary"))
			require.Equal(t, identity, body(t, res))
			if old, ok := etags[tt.want]; ok {
				require.Equal(t, old, res.Header.Get("ETag"))
			}
			etags[tt.want] = res.Header.Get("ETag")
		})
	}
	require.Len(t, etags, 3, "each coding has an ETag of its own")
	for _, coding := range []string{"gzip", "br"} {
		require.Less(t, js.Size(coding), js.Size(""), "%s pays for itself", coding)
	}
}

func TestConditionalRangeHeadAndErrors(t *testing.T) {
	s := set(t)
	js, _ := s.Lookup(assets.Module)
	first := get(t, s, http.MethodGet, js.URL, http.Header{"Accept-Encoding": {"br"}})

	again := get(t, s, http.MethodGet, js.URL, http.Header{"Accept-Encoding": {"br"}, "If-None-Match": {first.Header.Get("ETag")}})
	require.Equal(t, http.StatusNotModified, again.StatusCode)

	head := get(t, s, http.MethodHead, js.URL, nil)
	require.Equal(t, http.StatusOK, head.StatusCode)
	require.Empty(t, body(t, head))

	part := get(t, s, http.MethodGet, js.URL, http.Header{"Range": {"bytes=0-1"}})
	require.Equal(t, http.StatusPartialContent, part.StatusCode)
	require.Equal(t, "{c", string(body(t, part)))

	require.Equal(t, http.StatusNotFound, get(t, s, http.MethodGet, "/arendevy/assets/nothing.js", nil).StatusCode)
	require.Equal(t, http.StatusNotFound, get(t, s, http.MethodGet, "/elsewhere/"+assets.Module, nil).StatusCode)
	post := get(t, s, http.MethodPost, js.URL, nil)
	require.Equal(t, http.StatusMethodNotAllowed, post.StatusCode)
	require.Equal(t, "GET, HEAD", post.Header.Get("Allow"))
}

func TestTagsForAPortalPage(t *testing.T) {
	s := set(t)
	js, _ := s.Lookup(assets.Module)
	css, _ := s.Lookup(assets.Styles)
	bank, _ := s.Lookup("themes/bank.css")
	require.Equal(t, []string{"bank", "default"}, s.Themes())

	tags, err := s.Tags("")
	require.NoError(t, err)
	require.Equal(t, `<link rel="stylesheet" href="`+css.URL+`" integrity="`+css.Integrity+`">`+"\n"+
		`<script type="module" src="`+js.URL+`" integrity="`+js.Integrity+`"></script>`+"\n", string(tags))

	tags, err = s.Tags("bank")
	require.NoError(t, err)
	require.Contains(t, string(tags), `<link rel="stylesheet" href="`+bank.URL+`" integrity="`+bank.Integrity+`">`)
	require.Less(t, strings.Index(string(tags), css.URL), strings.Index(string(tags), bank.URL), "the theme after the defaults")

	styles, err := s.Styles("default")
	require.NoError(t, err)
	require.NotContains(t, string(styles), "<script")

	_, err = s.Tags("neon")
	require.True(t, errors.Is(err, assets.ErrUnknownTheme))
	require.Contains(t, err.Error(), "bank, default")
}

func TestPrefixAndCatalogueAreChecked(t *testing.T) {
	_, err := assets.New(assets.Options{Prefix: "assets", Catalogue: []byte(`{}`)})
	require.True(t, errors.Is(err, assets.ErrBuild))
	_, err = assets.New(assets.Options{Catalogue: []byte(`{}`)})
	require.True(t, errors.Is(err, assets.ErrBuild), "a prefix is required")
	_, err = assets.New(assets.Options{Prefix: "/arendevy/assets/", Catalogue: []byte(`{"sv":`)})
	require.True(t, errors.Is(err, assets.ErrBuild))

	s, err := assets.New(assets.Options{Prefix: "/portal/kit/assets/", Catalogue: []byte(`{"sv":{"heading":"X"}}`)})
	require.NoError(t, err)
	js, _ := s.Lookup(assets.Module)
	require.True(t, strings.HasPrefix(js.URL, "/portal/kit/assets/"))
	require.Contains(t, string(body(t, get(t, s, http.MethodGet, js.URL, nil))), `{"sv":{"heading":"X"}}`)
}

// BenchmarkWidgetBytes reports what a browser downloads for the element: the
// module, its stylesheet (with the default theme) and the Swedish and
// English strings (inlined in the module), minified and compressed with
// gzip -9. It reports the figure and never fails on it: the budget is
// weighed by make bench (e2e/bench), where a miss is a finding, not a broken
// build.
func BenchmarkWidgetBytes(b *testing.B) {
	s := set(b)
	js, _ := s.Lookup(assets.Module)
	css, _ := s.Lookup(assets.Styles)
	var total int
	for b.Loop() {
		total = 0
		for _, a := range []assets.Asset{js, css} {
			res := get(b, s, http.MethodGet, a.URL, http.Header{"Accept-Encoding": {"gzip"}})
			n, err := io.Copy(io.Discard, res.Body)
			if err != nil {
				b.Fatal(err)
			}
			total += int(n)
		}
	}
	// gzip -9 of what was served, checked independently of the server's own
	// compression.
	var again int
	for _, a := range []assets.Asset{js, css} {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body(b, get(b, s, http.MethodGet, a.URL, nil)))
		_ = zw.Close()
		again += buf.Len()
	}
	if again != total {
		b.Fatalf("served %d gzip bytes, gzip -9 gives %d", total, again)
	}
	b.ReportMetric(float64(total), "gzip-bytes")
	b.ReportMetric(float64(js.Size("gzip")), "js+strings-gzip-bytes")
	b.ReportMetric(float64(css.Size("gzip")), "css-gzip-bytes")
	b.ReportMetric(float64(js.Size("br")+css.Size("br")), "brotli-bytes")
}
