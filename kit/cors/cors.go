// Package cors lets a page on another host of the kit's own site use the
// kit: a bank serves its page from https://www.bank.se and the kit from
// https://arenden.bank.se, and the element on the page fetches the
// overview with the kit's session cookie.
//
// Only listed origins get CORS headers, each matched exactly and answered
// with itself, never "*", because the requests carry credentials. Every
// answer says Vary: Origin, so no cache hands one origin's answer to
// another. A preflight from a listed origin is answered here, before the
// session and the CSRF check, with the methods and headers the kit's API
// takes (X-CSRF-Token among them); the CSRF check itself is unchanged and
// lets those origins' state-changing requests through by their Origin
// (websec.Config.CrossOrigins).
//
// A listed origin must be on the same site as the kit: same scheme, same
// registrable domain (www.bank.se and arenden.bank.se; ports do not
// count). A page on another site cannot use the kit this way at all:
// Safari and Firefox block third-party cookies, Chromium is following,
// and the session cookie is SameSite=Lax besides. Such a portal serves the
// kit under its own origin through its reverse proxy (docs/widget.md).
package cors

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/arendevy/arendevy/kit/localpath"
)

// What a page of a listed origin may send: the methods of the kit's API
// (GET, and POST and PUT for act-for and preferences), and the request
// headers that are not CORS-safelisted: the CSRF token, the element's
// return address for a login, and JSON bodies.
const (
	AllowMethods = "GET, POST, PUT"
	AllowHeaders = "Content-Type, X-CSRF-Token, X-Arendevy-Return"
	// maxAge lets the browser keep a preflight's answer for ten minutes
	// (Chromium caps it at two hours, Firefox at a day), so the element's
	// loads do not each cost a second round trip.
	maxAge = "600"
)

// Policy answers the cross-origin requests of the listed origins.
type Policy struct {
	origins map[string]bool
}

// New checks origins (each with Check against own, the kit's origin as
// the browser sees it; "" when not known, which skips the same-site test)
// and builds the Policy. An empty list builds a Policy that allows nothing.
func New(origins []string, own string) (*Policy, error) {
	p := &Policy{origins: map[string]bool{}}
	var errs []error
	for i, o := range origins {
		switch err := Check(o, own); {
		case err != nil:
			errs = append(errs, fmt.Errorf("[%d]: %w", i, err))
		case p.origins[o]:
			errs = append(errs, fmt.Errorf("[%d]: %s is listed twice", i, o))
		}
		p.origins[o] = true
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// Check says why origin cannot be allowed to use a kit at own, or nil.
// own is the kit's origin ("" when not known). The message quotes origin,
// which comes from the portal's configuration, and says what to do.
func Check(origin, own string) error {
	if err := localpath.CheckOrigin(origin); err != nil {
		return err
	}
	u, _ := url.Parse(origin) // CheckOrigin parsed it
	switch {
	case strings.ContainsFunc(u.Host, func(r rune) bool { return r > 0x7e }):
		return fmt.Errorf("%s: write the host as browsers send it, in ASCII (xn--…)", origin)
	case u.Port() == "443" && u.Scheme == "https" || u.Port() == "80" && u.Scheme == "http":
		return fmt.Errorf("%s: leave out the default port; browsers send the origin without it", origin)
	case own == "":
		return nil
	case origin == own:
		return fmt.Errorf("%s is the kit's own origin, which needs no CORS", origin)
	}
	kit, err := url.Parse(own)
	if err != nil || kit.Host == "" {
		return fmt.Errorf("the kit's own origin %q is not a URL", own)
	}
	switch {
	case u.Scheme != kit.Scheme:
		return fmt.Errorf("%s: must be %s like the kit's origin %s; browsers take http and https for different sites", origin, kit.Scheme, own)
	case Site(u.Hostname()) != Site(kit.Hostname()):
		return fmt.Errorf("%s is not on the kit's site (%s): a page of another site cannot send the kit's session cookie; serve the kit under that site's origin through its reverse proxy instead", origin, Site(kit.Hostname()))
	}
	return nil
}

// Site is the part of host that decides, with the scheme, whether two
// origins are same-site: its registrable domain by the Public Suffix List
// (www.bank.se → bank.se, www.arendevy.localhost → arendevy.localhost), or
// the host itself for an address or a public suffix such as localhost.
func Site(host string) string {
	host = strings.ToLower(strings.Trim(host, "[]"))
	if net.ParseIP(host) != nil {
		return host
	}
	if site, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return site
	}
	return host
}

// Handler answers the listed origins' preflights itself and adds the CORS
// headers of a listed origin to next's answer; a request from any other
// origin, or without one, gets none of them. Every answer varies by Origin.
func (p *Policy) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if !p.origins[origin] {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", AllowMethods)
			h.Set("Access-Control-Allow-Headers", AllowHeaders)
			h.Set("Access-Control-Max-Age", maxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
