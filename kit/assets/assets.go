// Package assets serves the <arendevy-overview> element and its stylesheets
// the way a portal wants static files: minified once at start-up, under
// content-hashed URLs that are cached for a year, compressed with brotli or
// gzip as the browser accepts, and with the Subresource Integrity hashes a
// portal page puts on its <script> and <link> tags.
package assets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/js"
	mjson "github.com/tdewolff/minify/v2/json"

	"github.com/arendevy/arendevy/kit/compress"
	"github.com/arendevy/arendevy/widget"
)

// Names of the assets, as the element and the portal know them.
const (
	Module   = widget.Module   // the element
	Manifest = widget.Manifest // its Custom Elements Manifest
	// Styles is the element's stylesheet, for its shadow root and for the
	// server-rendered markup. It is served with DefaultTheme in front of it,
	// so that one file gives the element its look.
	Styles = widget.Styles
	// DefaultTheme holds the default value of every --arendevy-* property;
	// also served alone, as the template of a theme.
	DefaultTheme = widget.DefaultTheme
)

// catalogueMarker is the string in the element that the message catalogue
// replaces.
const catalogueMarker = `"@@messages@@"`

// ErrBuild is returned when the assets cannot be prepared.
var ErrBuild = errors.New("assets: build")

// ErrUnknownTheme is returned by Tags for a theme the kit does not have.
var ErrUnknownTheme = errors.New("assets: unknown theme")

// Asset is one served file.
type Asset struct {
	Name      string // as the element and the portal know it: "themes/bank.css"
	URL       string // content-hashed, cacheable for a year: "/arendevy/assets/themes/bank.3f9a…c1.css"
	Type      string // Content-Type
	Integrity string // Subresource Integrity of the (uncompressed) body: "sha384-…"

	hashed  string // URL path below the prefix
	tag     string // ETag stem: a digest of the body
	bodies  map[string][]byte
	encoded []string // content codings available besides identity, best first
}

// Set is every asset, prepared once. It is safe for concurrent use.
type Set struct {
	prefix string
	list   []*Asset
	byPath map[string]route
}

type route struct {
	asset     *Asset
	immutable bool // the hashed path: it never changes
}

// Options configures New.
type Options struct {
	// Prefix is the URL path the Handler is mounted at, starting and ending
	// with /: the kit's mount + "/assets/". Required.
	Prefix string
	// Catalogue is the element's messages as JSON (i18n.Bundle.Catalogue);
	// it is inlined into the element.
	Catalogue []byte
}

// New minifies, links and compresses the element, its manifest and its
// stylesheets, as widget/ ships them. The work is done once per
// catalogue in a process: it does not depend on where the assets are
// mounted, and compressing at brotli's best level takes a moment.
func New(o Options) (*Set, error) {
	if !strings.HasPrefix(o.Prefix, "/") || !strings.HasSuffix(o.Prefix, "/") {
		return nil, fmt.Errorf("%w: prefix %q must start and end with /", ErrBuild, o.Prefix)
	}
	if !json.Valid(o.Catalogue) {
		return nil, fmt.Errorf("%w: the catalogue is not JSON", ErrBuild)
	}
	sum := sha256.Sum256(o.Catalogue)
	v, _ := builds.LoadOrStore(sum, &build{})
	b := v.(*build)
	b.once.Do(func() { b.assets, b.err = prepare(o.Catalogue) })
	if b.err != nil {
		return nil, b.err
	}
	s := &Set{prefix: o.Prefix, byPath: map[string]route{}}
	for _, prepared := range b.assets {
		a := *prepared // the bodies are shared, read-only
		a.URL = o.Prefix + a.hashed
		s.list = append(s.list, &a)
		s.byPath[a.hashed] = route{asset: &a, immutable: true}
		s.byPath[a.Name] = route{asset: &a}
	}
	return s, nil
}

// builds holds one build per catalogue (by SHA-256).
var builds sync.Map

type build struct {
	once   sync.Once
	assets []*Asset
	err    error
}

var types = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
}

// prepare minifies, links and compresses the shipped files. Stylesheets come
// first so that the element can be linked to their hashed names before it is
// hashed itself.
func prepare(catalogue []byte) ([]*Asset, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(widget.Assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[p], err = fs.ReadFile(widget.Assets, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBuild, err)
	}
	for _, need := range []string{Module, Styles, DefaultTheme} {
		if files[need] == nil {
			return nil, fmt.Errorf("%w: %s is missing", ErrBuild, need)
		}
	}
	m := minify.New()
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("text/javascript", js.Minify)
	m.AddFunc("application/json", mjson.Minify)

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	// CSS before JSON before the other modules before the element: the
	// element refers to the stylesheets and to the modules it imports.
	slices.SortFunc(names, func(a, b string) int {
		rank := func(n string) int {
			if n == Module {
				return len(".css.json.js")
			}
			return strings.Index(".css.json.js", path.Ext(n))
		}
		if r := rank(a) - rank(b); r != 0 {
			return r
		}
		return strings.Compare(a, b)
	})
	files[Styles] = append(append(slices.Clone(files[DefaultTheme]), '\n'), files[Styles]...)
	hashedNames := map[string]string{}
	var out []*Asset
	for _, name := range names {
		typ, ok := types[path.Ext(name)]
		if !ok {
			return nil, fmt.Errorf("%w: %s: no known type", ErrBuild, name)
		}
		body, err := m.Bytes(strings.SplitN(typ, ";", 2)[0], files[name])
		if err == nil && path.Ext(name) == ".css" {
			body, err = minifyContainers(m, body)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: minifying %s: %w", ErrBuild, name, err)
		}
		if name == Module {
			if body, err = link(body, catalogue, hashedNames); err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrBuild, name, err)
			}
		}
		a, err := newAsset(name, typ, body)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrBuild, name, err)
		}
		hashedNames[name] = a.hashed
		out = append(out, a)
	}
	return out, nil
}

// minifyContainers minifies the rules inside @container blocks, which the
// CSS minifier copies verbatim.
func minifyContainers(m *minify.M, css []byte) ([]byte, error) {
	var out bytes.Buffer
	for {
		at := bytes.Index(css, []byte("@container"))
		if at < 0 {
			out.Write(css)
			return out.Bytes(), nil
		}
		open := bytes.IndexByte(css[at:], '{')
		if open < 0 {
			return nil, errors.New("@container without a block")
		}
		open += at
		end, err := blockEnd(css, open)
		if err != nil {
			return nil, err
		}
		inner, err := m.Bytes("text/css", css[open+1:end])
		if err != nil {
			return nil, err
		}
		out.Write(css[:open+1])
		out.Write(inner)
		out.WriteByte('}')
		css = css[end+1:]
	}
}

// blockEnd returns the index of the brace that closes the one at open,
// skipping quoted strings.
func blockEnd(css []byte, open int) (int, error) {
	depth := 0
	for i := open; i < len(css); i++ {
		switch c := css[i]; c {
		case '"', '\'':
			for i++; i < len(css) && css[i] != c; i++ {
				if css[i] == '\\' {
					i++
				}
			}
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return i, nil
			}
		}
	}
	return 0, errors.New("unbalanced braces")
}

// link inlines the catalogue into the element and points its references to
// the stylesheets at their hashed names.
func link(body, catalogue []byte, hashed map[string]string) ([]byte, error) {
	if bytes.Count(body, []byte(catalogueMarker)) != 1 {
		return nil, fmt.Errorf("the catalogue marker %s must appear exactly once", catalogueMarker)
	}
	body = bytes.Replace(body, []byte(catalogueMarker), catalogue, 1)
	for name, h := range hashed {
		body = bytes.ReplaceAll(body, []byte(`"`+name+`"`), []byte(`"`+h+`"`))
	}
	if !bytes.Contains(body, []byte(`"`+hashed[Styles]+`"`)) {
		return nil, fmt.Errorf("the element does not load %s", Styles)
	}
	return body, nil
}

func newAsset(name, typ string, body []byte) (*Asset, error) {
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:8])
	ext := path.Ext(name)
	integrity := sha512.Sum384(body)
	a := &Asset{
		Name:      name,
		Type:      typ,
		Integrity: "sha384-" + base64.StdEncoding.EncodeToString(integrity[:]),
		hashed:    strings.TrimSuffix(name, ext) + "." + digest + ext,
		tag:       digest,
		bodies:    map[string][]byte{"": body},
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	var br bytes.Buffer
	bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
	if _, err := bw.Write(body); err != nil {
		return nil, err
	}
	if err := bw.Close(); err != nil {
		return nil, err
	}
	// Only codings that pay for themselves, best first.
	for _, c := range []struct {
		name string
		body []byte
	}{{"br", br.Bytes()}, {"gzip", gz.Bytes()}} {
		if len(c.body) < len(body) {
			a.bodies[c.name] = c.body
			a.encoded = append(a.encoded, c.name)
		}
	}
	return a, nil
}

// Lookup returns the asset called name ("arendevy-overview.js",
// "themes/bank.css").
func (s *Set) Lookup(name string) (Asset, bool) {
	r, ok := s.byPath[name]
	if !ok || r.asset.Name != name {
		return Asset{}, false
	}
	return *r.asset, true
}

// Size is the length of an asset's body as sent with the given content
// coding ("", "gzip" or "br"), or -1 when it is not available so.
func (a Asset) Size(coding string) int {
	b, ok := a.bodies[coding]
	if !ok {
		return -1
	}
	return len(b)
}

// Themes lists the themes a portal can choose for Tags: "default", "bank".
func (s *Set) Themes() []string {
	var out []string
	for _, a := range s.list {
		if t, ok := strings.CutPrefix(a.Name, "themes/"); ok && path.Ext(t) == ".css" {
			out = append(out, strings.TrimSuffix(t, ".css"))
		}
	}
	return out
}

// Styles returns the <link> elements, with SRI, for a page that shows the
// overview without the element (or before it upgrades): the stylesheet,
// which has the default theme in it, and the named theme on top of it (""
// or "default": none).
func (s *Set) Styles(theme string) (template.HTML, error) {
	names := []string{Styles}
	if theme != "" && theme != "default" {
		if _, ok := s.Lookup("themes/" + theme + ".css"); !ok {
			return "", fmt.Errorf("%w: %q (have %s)", ErrUnknownTheme, theme, strings.Join(s.Themes(), ", "))
		}
		names = append(names, "themes/"+theme+".css")
	}
	var b strings.Builder
	for _, n := range names {
		a, _ := s.Lookup(n)
		b.WriteString(`<link rel="stylesheet" href="` + template.HTMLEscapeString(a.URL) + `" integrity="` + a.Integrity + `">` + "\n")
	}
	return template.HTML(b.String()), nil
}

// Tags returns what a portal page's <head> needs for the element, with SRI:
// Styles(theme) and the module script. The element loads its own
// stylesheet; the page needs it for the server-rendered overview and for a
// theme other than the default.
func (s *Set) Tags(theme string) (template.HTML, error) {
	styles, err := s.Styles(theme)
	if err != nil {
		return "", err
	}
	mod, _ := s.Lookup(Module)
	return styles + template.HTML(`<script type="module" src="`+template.HTMLEscapeString(mod.URL)+`" integrity="`+mod.Integrity+`"></script>`+"\n"), nil
}

// Handler serves every asset below the prefix, both under its hashed name
// (cached for a year, immutable) and under its plain name (revalidated
// every time, for hand-written pages). It expects the full request path.
func (s *Set) Handler() http.Handler { return http.HandlerFunc(s.serve) }

func (s *Set) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	rt, ok := s.byPath[strings.TrimPrefix(r.URL.Path, s.prefix)]
	if !ok || !strings.HasPrefix(r.URL.Path, s.prefix) {
		http.NotFound(w, r)
		return
	}
	a := rt.asset
	coding := compress.Negotiate(r.Header.Get("Accept-Encoding"), a.encoded)
	h := w.Header()
	h.Set("Content-Type", a.Type)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	// Public, credential-free files: a portal on another origin may load them.
	h.Set("Access-Control-Allow-Origin", "*")
	if rt.immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	etag := a.tag
	if coding != "" {
		h.Set("Content-Encoding", coding)
		etag += "-" + coding
	}
	h.Set("ETag", `"`+etag+`"`)
	// The ETag is the validator: a modification time would differ between
	// the portal's replicas for the same bytes.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.bodies[coding]))
}
