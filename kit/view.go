package kit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/arendevy/arendevy/kit/assets"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/internal/deeplink"
	"github.com/arendevy/arendevy/kit/internal/render"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/localpath"
	"github.com/arendevy/arendevy/kit/overview"
	"github.com/arendevy/arendevy/kit/preferences"
)

// View is how the overview looks wherever the kit shows it: in the element
// the portal puts on its page, in the overview the kit renders on the
// server, and on the producers' information pages.
type View struct {
	// ApprovedBy names who approved the service for the trust line ("This
	// service is approved by …"); empty: no trust line.
	ApprovedBy string
	// PageSize is how many cases show before "Show more"; 0: every case.
	PageSize int
	// SettingsURL is the portal's page where the customer shows hidden
	// actors again: the notice "2 actors hidden — show them" links to it.
	// Empty: the notice names them without a link.
	SettingsURL string
	// HeadingYields leaves the element's heading out when the page's own
	// heading already says it ("Mina ärenden" twice helps nobody).
	HeadingYields bool
	// SignedOutURL is the portal's page (a local path) for someone who
	// follows a link to a case without a session — it ended while the
	// overview stood open, or the link was opened in another browser. The
	// link opens in a new window; there the portal's own page, in its layout
	// and theme, says why and offers its login. Empty: the kit's plain
	// "log in first" page.
	SignedOutURL string
	// Theme is the look of the pages the kit renders itself: "default" (or
	// empty) or "bank". A portal's own pages choose theirs with Assets().Tags.
	Theme string
}

// view is what the kit needs to serve and render the overview.
type view struct {
	bundle   *i18n.Bundle
	assets   *assets.Set
	renderer *render.Renderer
	styles   template.HTML // the stylesheets of the kit's own pages
}

// mountView prepares the catalogue, the assets and the templates once, and
// adds their routes: the element and its stylesheets under Mount/assets/,
// the producers' information pages under Mount/producers/{id}.
func (k *Kit) mountView() error {
	b, err := i18n.Default()
	if err != nil {
		return err
	}
	a, err := assets.New(assets.Options{Prefix: k.cfg.Mount + "/assets/", Catalogue: b.Catalogue()})
	if err != nil {
		return err
	}
	r, err := render.New(b)
	if err != nil {
		return err
	}
	styles, err := a.Styles(k.cfg.View.Theme)
	if err != nil {
		return &ConfigError{Problems: []string{"View.Theme: " + err.Error()}}
	}
	if k.cfg.View.PageSize < 0 {
		return &ConfigError{Problems: []string{"View.PageSize: must not be negative"}}
	}
	if u := k.cfg.View.SignedOutURL; u != "" {
		if err := localpath.Check(u); err != nil {
			return &ConfigError{Problems: []string{"View.SignedOutURL: " + err.Error()}}
		}
	}
	k.view = view{bundle: b, assets: a, renderer: r, styles: styles}
	k.mux.Handle("GET "+k.cfg.Mount+"/assets/", a.Handler())
	k.mux.HandleFunc("GET "+k.cfg.Mount+"/producers/{id}", k.serveProducer)
	return nil
}

// Assets are the element and its stylesheets as the kit serves them: a
// portal template puts Assets().Tags(theme) in its <head>.
func (k *Kit) Assets() *assets.Set { return k.view.assets }

// Messages is the catalogue of locales/ the kit speaks from: a portal's
// pages take their texts (the portal.* messages) and their language from it,
// so the portal and the kit agree on both.
func (k *Kit) Messages() *i18n.Bundle { return k.view.bundle }

// TrustLine is the line that tells the user who approved the service, in
// lang (a tag or an Accept-Language value), as the element shows it; "" when
// View.ApprovedBy is not set.
func (k *Kit) TrustLine(lang string) string {
	if k.cfg.View.ApprovedBy == "" {
		return ""
	}
	return k.view.bundle.Localizer(lang).Text("approved", "By", k.cfg.View.ApprovedBy)
}

// Render writes the overview of subject as a complete <arendevy-overview>
// element for a portal page: the cases that q selects, server-rendered in
// lang (a language tag or an Accept-Language value) so that they show before
// and without JavaScript, and the data the element needs to take over
// without asking the kit again. q and prefs are what Query gave for the
// request; actors the customer hid stay out. The page that carries it must
// not be cached (Cache-Control: no-store), like the API's answers.
func (k *Kit) Render(ctx context.Context, w io.Writer, subject identity.Subject, q listing.Query, prefs preferences.Preferences, lang string) error {
	// The element filters and sorts in the browser, so it gets every case.
	all := listing.Query{Sort: q.Sort, Descending: q.Descending, Scope: listing.All, Older: q.Older, Reveal: q.Reveal}
	// The sources ask for texts in the language the page is rendered in.
	ctx = cases.WithLanguage(ctx, k.view.bundle.Match(lang).String())
	ov, err := k.Overview(ctx, subject, all, prefs)
	if err != nil {
		return fmt.Errorf("kit: render: %w", err)
	}
	// Rendered after the overview's turn (see turns), like the API's answer
	// is written after it: a slow page writer holds no turn.
	return k.view.renderer.Overview(w, k.fragment(ctx, lang, q, false, &ov))
}

func (k *Kit) fragment(ctx context.Context, lang string, q listing.Query, refused bool, ov *overview.Overview) render.Fragment {
	v := k.cfg.View
	f := render.Fragment{
		Lang: lang, Src: k.cfg.Mount + "/api/overview", ApprovedBy: v.ApprovedBy, SettingsURL: v.SettingsURL,
		HeadingYields: v.HeadingYields, PageSize: v.PageSize, Query: q, QueryRefused: refused, Overview: ov,
	}
	if forms, ok := ctx.Value(pageFormsKey{}).(render.Forms); ok && k.keepsGroups() {
		forms.Action = k.cfg.Mount + "/api/groups"
		f.Forms = &forms
	}
	return f
}

type pageFormsKey struct{}

// WithPageForms returns ctx telling Render and RenderPage that the page
// can carry form posts: csrf is the session's CSRF token (each form gets
// it masked afresh, websec.MaskToken), and returnPath the page's own local path with
// its query, where a form post comes back to. The overview then has, without
// JavaScript, the forms that change the customer's case groups (POST
// {mount}/api/groups): in each case's detail, and for the groups its data
// suggests. Without it the page has none, and the element adds its own.
func WithPageForms(ctx context.Context, csrf, returnPath string) context.Context {
	return context.WithValue(ctx, pageFormsKey{}, render.Forms{CSRF: csrf, Return: localpath.Or(returnPath, "/")})
}

// RenderPage is Render for a page whose own address carries the sorting and
// filtering: the overview's GET form (which works without JavaScript)
// submits to the page, and the page hands its query parameters here. Only
// the listing's parameters are read (listing.Params), so the page may have
// others. A sorting or filter that cannot be used is never an error page:
// the overview shows with the customer's usual query and a notice saying
// so, and nothing of the refused input is shown back.
func (k *Kit) RenderPage(ctx context.Context, w io.Writer, subject identity.Subject, params url.Values, lang string) error {
	own := url.Values{}
	for _, name := range listing.Params {
		if v, ok := params[name]; ok {
			own[name] = v
		}
	}
	q, prefs, err := k.Query(ctx, subject, own)
	var pe *listing.ParamError
	if err != nil && !errors.As(err, &pe) {
		return fmt.Errorf("kit: render: %w", err) // no consent, or it could not be read
	}
	refused := err != nil
	if refused {
		q, prefs, _ = k.Query(ctx, subject, nil)
	}
	// The sources ask for texts, and discreet mode writes its placeholder,
	// in the language the page is rendered in.
	ctx = cases.WithLanguage(ctx, k.view.bundle.Match(lang).String())
	all := listing.Query{Sort: q.Sort, Descending: q.Descending, Scope: listing.All, Older: q.Older, Reveal: q.Reveal}
	ov, err := k.Overview(ctx, subject, all, prefs)
	if err != nil {
		return fmt.Errorf("kit: render: %w", err)
	}
	return k.view.renderer.Overview(w, k.fragment(ctx, lang, q, refused, &ov))
}

// InfoPage is what a portal needs besides the body to show the
// information page of a case (RenderInfo): its title and the status to
// answer with.
type InfoPage struct {
	Title  string
	Status int
}

// RenderInfo writes, in lang, the body of the information page that token
// names: the last part of the link of a case without an e-service under
// Config.InfoPath. It says who the producer is, the case number to quote
// and how to reach the producer's customer service; the portal puts it in
// its own layout, with a way back to the overview, and must not cache it
// (it names a case number). A token of another session, an expired one
// or one of a producer no longer in the directory gets a body saying so
// and a 4xx status, never an error. The token names no case: the kit asks
// the sources for subject's cases again and finds the one it refers to (a
// case gone since gets 404, sources that did not answer in full 503).
func (k *Kit) RenderInfo(ctx context.Context, w io.Writer, subject identity.Subject, token, lang string) (InfoPage, error) {
	write := func(status int, titleID, textID string) (InfoPage, error) {
		title, err := k.view.renderer.Notice(w, lang, titleID, textID)
		return InfoPage{Title: title, Status: status}, err
	}
	if k.links == nil {
		return write(http.StatusNotFound, "server.producer.notFound", "server.producer.notFoundText")
	}
	c, err := k.links.OpenInfo(ctx, subject, token)
	switch {
	case errors.Is(err, deeplink.ErrExpired):
		return write(http.StatusBadRequest, "deeplink.expired.title", "deeplink.expired.text")
	case errors.Is(err, deeplink.ErrGone):
		return write(http.StatusNotFound, "deeplink.gone.title", "deeplink.gone.text")
	case errors.Is(err, deeplink.ErrUnavailable):
		return write(http.StatusServiceUnavailable, "deeplink.unavailable.title", "deeplink.unavailable.text")
	case err != nil:
		k.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "case reference refused", slog.String("reason", err.Error()))
		return write(http.StatusBadRequest, "deeplink.invalid.title", "deeplink.invalid.text")
	}
	info, ok := k.cfg.Producers.Lookup(c.Sender.ID)
	if !ok {
		return write(http.StatusNotFound, "server.producer.notFound", "server.producer.notFoundText")
	}
	title, err := k.view.renderer.Info(w, lang, info, c.CaseNumber)
	return InfoPage{Title: title, Status: http.StatusOK}, err
}

// serveProducer is the information page of a producer: who it is and how to
// reach its customer service, in the language asked for (?lang=) or
// preferred by the browser.
func (k *Kit) serveProducer(w http.ResponseWriter, r *http.Request) {
	lang := []string{r.URL.Query().Get("lang"), r.Header.Get("Accept-Language")}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
	var page bytes.Buffer
	info, ok := k.cfg.Producers.Lookup(r.PathValue("id"))
	var err error
	if ok {
		// Public directory information, no case data.
		h.Set("Cache-Control", "public, max-age=300")
		err = k.view.renderer.Producer(&page, k.view.bundle.Match(lang...).String(), info, k.view.styles)
	} else {
		err = k.view.renderer.NotFound(&page, k.view.bundle.Match(lang...).String(), k.view.styles)
	}
	if err != nil {
		k.cfg.Logger.ErrorContext(r.Context(), "producer page failed", "error", err.Error())
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	if !ok {
		w.WriteHeader(http.StatusNotFound)
	}
	_, _ = w.Write(page.Bytes())
}
