// Package portal is the reference portal's web application: a municipal
// "Mina sidor" (or, with the bank theme, an internet bank) built only on the
// kit's public API. It renders its own pages — start, the overview, settings,
// about — and mounts the kit for everything under the kit's mount path.
package portal

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/compress"
	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/session"
	"github.com/arendevy/arendevy/static"
)

//go:embed templates/*.html
var templateFS embed.FS

// InfoPath is the portal's page for a case without an e-service
// (kit.Config.InfoPath): the overview's information links lead here.
const InfoPath = "/mina-arenden/kontakt/"

// Themes the portal knows. "default" is the municipal look, "bank" the
// internet bank: the same portal, branded by one setting.
var Themes = []string{"default", "bank"}

// Options is what the portal is built from. The caller (main, or a test)
// builds the kit and its parts from the configuration.
type Options struct {
	Kit         *kit.Kit
	Sessions    *session.Manager
	Preferences preferences.Store
	Producers   *producers.Directory
	// LoginURL starts an e-legitimation login that comes back to returnTo.
	LoginURL func(returnTo string) string
	// Theme is one of Themes.
	Theme string
	// Languages the portal speaks, the first the fallback, each offered in
	// the language switch; every one a language of the kit's catalogue.
	// Empty: the catalogue's, Swedish first.
	Languages []string
	// Trust is the trust line per language ("sv", "en"); the kit's default
	// is used for a language without one.
	Trust map[string]string
	// Demo tells the start page to explain that personas replace e-legitimation.
	Demo bool
	// PublicURL is where the portal is reached, for the notifications'
	// "log in to … to see what".
	PublicURL string
	// Outbox is the development outbox page (OutboxPath); nil: no page.
	// Only with the development IdP.
	Outbox *Outbox
	// Extra routes the portal serves besides its pages (health, metrics, the
	// development IdP): path prefix → handler.
	Extra map[string]http.Handler
	// Middleware wraps every request (access log, metrics); optional.
	Middleware []func(http.Handler) http.Handler
	Logger     *slog.Logger
}

// Portal is the running application.
type Portal struct {
	o        Options
	bundle   *i18n.Bundle // the kit's catalogue among Options.Languages
	langs    []langChoice // the language switch
	pages    map[string]*template.Template
	cssPath  string
	jsPath   string
	handler  http.Handler
	mount    string
	brandKey string
}

// New checks o and builds the portal.
func New(o Options) (*Portal, error) {
	var problems []string
	if o.Kit == nil {
		problems = append(problems, "Kit: required")
	}
	if o.Sessions == nil {
		problems = append(problems, "Sessions: required")
	}
	if o.LoginURL == nil {
		problems = append(problems, "LoginURL: required")
	}
	if o.Theme == "" {
		o.Theme = "default"
	}
	if !contains(Themes, o.Theme) {
		problems = append(problems, "Theme: must be default or bank")
	}
	if len(problems) > 0 {
		return nil, errors.New("portal: " + strings.Join(problems, "; "))
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	p := &Portal{o: o, bundle: o.Kit.Messages(), pages: map[string]*template.Template{}, mount: o.Kit.Mount()}
	if len(o.Languages) > 0 {
		among, err := p.bundle.Among(o.Languages...)
		if err != nil {
			return nil, fmt.Errorf("portal: Languages: %w", err)
		}
		p.bundle = among
	}
	for _, tag := range p.bundle.Languages() {
		l := p.bundle.Localizer(tag.String())
		p.langs = append(p.langs, langChoice{Code: l.Lang(), Dir: l.Dir(), Name: l.Text("portal.lang.name")})
	}
	for _, name := range []string{"start", "cases", "info", "settings", "about", "error", "consent", "withdraw", "outbox"} {
		t, err := template.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		p.pages[name] = t
	}
	p.cssPath = hashedPath(static.PortalCSS, ".css")
	p.jsPath = hashedPath(static.PortalJS, ".js")
	p.handler = p.routes()
	return p, nil
}

// hashedPath is where a static file is served: named by its content, so it
// may be cached for good.
func hashedPath(content []byte, ext string) string {
	sum := sha256.Sum256(content)
	return "/static/portal-" + hex.EncodeToString(sum[:6]) + ext
}

// favicon answers the request every browser makes for /favicon.ico with
// "no content", cached for a week: the reference portal's brand is its
// name and a CSS mark, and a 404 page for every visit would only fill the
// logs. A portal with an icon of its own serves it here.
func favicon(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=604800")
	c.Status(http.StatusNoContent)
}

// Handler serves the whole portal: its pages, the kit and the extras.
func (p *Portal) Handler() http.Handler { return p.handler }

func (p *Portal) routes() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	r.RedirectTrailingSlash = false
	// Every page answers HEAD as it answers GET (net/http sends the
	// headers and drops the body): monitors and link checkers use HEAD.
	for path, page := range map[string]gin.HandlerFunc{
		"/": p.start, "/mina-arenden": p.cases, "/installningar": p.settings,
		"/om-tjansten": p.about, "/sprak/:lang": p.switchLanguage, p.cssPath: p.css, p.jsPath: p.js,
		InfoPath + ":token": p.info,
		"/favicon.ico":      favicon,
	} {
		r.GET(path, page)
		r.HEAD(path, page)
	}
	r.POST("/installningar", p.saveSettings)
	if p.o.Kit.ConsentRequired() {
		r.GET(ConsentPath, p.consent)
		r.POST(ConsentPath, p.giveConsent)
		r.GET(WithdrawPath, p.confirmWithdraw)
		r.POST(WithdrawPath, p.withdraw)
	}
	if p.o.Outbox != nil {
		r.GET(OutboxPath, p.outbox)
		r.POST(OutboxPath, p.simulate)
	}
	r.NoRoute(p.notFound)

	mux := http.NewServeMux()
	for prefix, h := range p.o.Extra {
		mux.Handle(prefix, h)
	}
	mux.Handle("/", p.o.Kit.Protect(r))
	// The kit's paths go to the kit, which protects itself, without a
	// pattern of ours in between: logs and metrics then name the kit's own
	// route (Kit.Route) instead of one catch-all.
	kitHandler, prefix := p.o.Kit.Handler(), p.mount+"/"
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, prefix) {
			kitHandler.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
	// The portal's pages and stylesheet are compressed by the kit's
	// middleware too; the kit's own answers already are, and pass through.
	h = compress.Handler(h)
	for i := len(p.o.Middleware) - 1; i >= 0; i-- {
		h = p.o.Middleware[i](h)
	}
	return h
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (p *Portal) css(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Data(http.StatusOK, "text/css; charset=utf-8", static.PortalCSS)
}

func (p *Portal) js(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", static.PortalJS)
}

// render writes a page. Every page may carry personal data (the user's
// name), so none may be cached: the back button after logout shows nothing.
func (p *Portal) render(c *gin.Context, status int, page string, v view) {
	var buf bytes.Buffer
	if err := p.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		p.o.Logger.Error("rendering page failed", slog.String("page", page), slog.String("error", err.Error()))
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}
