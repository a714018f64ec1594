package conformance

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/chromedp/cdproto/network"
)

// Checks of the session's protection.
const (
	CheckCookieFlags = "security.cookie-flags"
	CheckHSTS        = "security.https-hsts"
	CheckCSP         = "security.csp"
	CheckFraming     = "security.frame-ancestors"
)

// minHSTS is a year, the least that browsers' preload lists accept.
const minHSTS = 31536000

var maxAge = regexp.MustCompile(`(?i)max-age\s*=\s*"?(\d+)`)

// checkSecurity reads the overview document's headers and the cookies.
func (r *run) checkSecurity(ctx context.Context) error {
	_, responses := r.rec.snapshot()
	var doc *response
	for i := range responses {
		e := &responses[i]
		if e.kind == network.ResourceTypeDocument && e.url == r.report.FinalURL {
			doc = e
		}
	}
	if doc == nil {
		return fmt.Errorf("no response recorded for the overview document %s", r.report.FinalURL)
	}

	const hstsTitle = "Served over HTTPS with Strict-Transport-Security (at least a year)"
	hsts := doc.headers["strict-transport-security"]
	switch {
	case !strings.HasPrefix(doc.url, "https://"):
		r.report.add(CheckHSTS, hstsTitle, Privacy, Fail, "the overview is served over plain http: "+doc.url)
	case hsts == "":
		r.report.add(CheckHSTS, hstsTitle, Privacy, Fail, "no Strict-Transport-Security header on the overview")
	default:
		age := 0
		if m := maxAge.FindStringSubmatch(hsts); m != nil {
			age, _ = strconv.Atoi(m[1]) // too large to parse is 0: refused
		}
		if age < minHSTS {
			r.report.add(CheckHSTS, hstsTitle, Privacy, Fail, fmt.Sprintf("Strict-Transport-Security %q: max-age must be at least %d (a year)", hsts, minHSTS))
		} else {
			r.report.add(CheckHSTS, hstsTitle, Privacy, Pass, "Strict-Transport-Security: "+hsts)
		}
	}

	csp := doc.headers["content-security-policy"]
	const cspTitle = "A Content-Security-Policy that allows no inline or foreign script"
	const frameTitle = "Framing limited with the CSP's frame-ancestors"
	directives := parseCSP(csp)
	if csp == "" {
		r.report.add(CheckCSP, cspTitle, Privacy, Fail, "no Content-Security-Policy header on the overview")
	} else {
		r.report.verdict(CheckCSP, cspTitle, Privacy, cspProblems(directives), "Content-Security-Policy: "+csp)
	}
	if fa, ok := directives["frame-ancestors"]; !ok {
		r.report.add(CheckFraming, frameTitle, Privacy, Fail, "the overview's CSP has no frame-ancestors directive: any site may frame it (clickjacking)")
	} else if strings.Contains(" "+strings.Join(fa, " ")+" ", " * ") {
		r.report.add(CheckFraming, frameTitle, Privacy, Fail, "frame-ancestors * lets any site frame the overview")
	} else {
		r.report.add(CheckFraming, frameTitle, Privacy, Pass, "frame-ancestors "+strings.Join(fa, " "))
	}
	return r.checkCookieFlags(ctx)
}

// parseCSP splits a policy into its directives.
func parseCSP(csp string) map[string][]string {
	out := map[string][]string{}
	for d := range strings.SplitSeq(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			if _, seen := out[strings.ToLower(f[0])]; !seen { // the first one counts
				out[strings.ToLower(f[0])] = f[1:]
			}
		}
	}
	return out
}

// cspProblems: scripts only from known places, no inline script without a
// nonce or hash, no eval.
func cspProblems(d map[string][]string) []string {
	src, ok := d["script-src"]
	name := "script-src"
	if !ok {
		src, ok = d["default-src"]
		name = "default-src"
	}
	if !ok {
		return []string{"neither script-src nor default-src: scripts from anywhere may run"}
	}
	var problems []string
	nonceOrHash := false
	for _, s := range src {
		if strings.HasPrefix(s, "'nonce-") || strings.HasPrefix(s, "'sha") {
			nonceOrHash = true
		}
	}
	for _, s := range src {
		switch strings.ToLower(s) {
		case "*", "http:", "https:", "data:":
			problems = append(problems, fmt.Sprintf("%s allows %s", name, s))
		case "'unsafe-eval'":
			problems = append(problems, fmt.Sprintf("%s allows 'unsafe-eval'", name))
		case "'unsafe-inline'":
			if !nonceOrHash {
				problems = append(problems, fmt.Sprintf("%s allows 'unsafe-inline'", name))
			}
		}
	}
	return problems
}

// checkCookieFlags: every cookie the portal sets is Secure, HttpOnly and
// SameSite Lax or Strict. SameSite=None is accepted only on a cookie
// scoped to a path (a SAML endpoint that the IdP posts to from its own
// site).
func (r *run) checkCookieFlags(ctx context.Context) error {
	const title = "Cookies are Secure, HttpOnly and SameSite"
	cookies, err := r.cookies(ctx)
	if err != nil {
		return err
	}
	setByPortal := r.rec.setCookieNames()
	var injected map[string]bool
	if l, ok := r.opts.Login.(CookieLogin); ok {
		injected = l.names()
	}
	var problems, checked, unchecked []string
	for _, c := range cookies {
		if injected[c.Name] && !setByPortal[c.Name] {
			unchecked = append(unchecked, c.Name)
			continue // its attributes are the checker's, not the portal's
		}
		checked = append(checked, c.Name)
		var missing []string
		if !c.Secure {
			missing = append(missing, "Secure")
		}
		if !c.HTTPOnly {
			missing = append(missing, "HttpOnly")
		}
		switch c.SameSite {
		case network.CookieSameSiteLax, network.CookieSameSiteStrict:
		case network.CookieSameSiteNone:
			if c.Path == "/" || c.Path == "" {
				missing = append(missing, "SameSite=Lax or Strict (None on the whole site)")
			}
		default:
			missing = append(missing, "SameSite")
		}
		if len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("the cookie %s (path %s) lacks %s", c.Name, c.Path, strings.Join(missing, ", ")))
		}
	}
	if len(checked) == 0 {
		r.report.add(CheckCookieFlags, title, Privacy, NeedsHuman,
			"the only cookies are the ones -login put in ("+strings.Join(unchecked, ", ")+"): check their attributes where the portal sets them")
		return nil
	}
	passed := []string{"checked: " + strings.Join(checked, ", ")}
	if len(unchecked) > 0 {
		passed = append(passed, "not checked (put in by -login, never set by the portal during the run): "+strings.Join(unchecked, ", "))
	}
	r.report.verdict(CheckCookieFlags, title, Privacy, problems, passed...)
	return nil
}
