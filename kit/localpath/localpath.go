// Package localpath is the one guard for every target the kit or a portal
// redirects to after taking it from outside: a login's or logout's return
// path, SAML RelayState, the act-for form's return field, the language
// switch. A target passes only when every browser resolves it to a path on
// the site's own origin, so none of them can become an open redirect.
//
// One target may leave the origin: a login started by the element on a
// page of another host of the same site (kit.Config.EmbedOrigins) returns
// to that page. CheckAt allows exactly those origins, each followed by a
// path Check accepts; CheckOrigin is the rule for what an origin is.
package localpath

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLen bounds a target: it travels in cookies and query strings.
const maxLen = 1024

// ErrNotLocal is wrapped by every refusal of Check.
var ErrNotLocal = errors.New("not a local path")

// Check returns nil when s is a local path, or an error wrapping
// ErrNotLocal that says why not (never quoting s). It refuses:
//   - empty and overlong targets, and text that is not UTF-8;
//   - control characters and white space anywhere, which browsers strip
//     before resolving (/<tab>/x becomes //x);
//   - anything not starting with exactly one slash: relative paths, any
//     scheme (javascript:, https://x), scheme-relative URLs (//x);
//   - backslashes anywhere, which browsers treat as slashes (/\x is //x);
//   - a path that, percent-decoded, would break the two rules before
//     (/%2F%2Fx, /%5Cx, /%09/x), so a layer that decodes it before
//     redirecting cannot turn it into another site. Other escaped bytes
//     stay escaped and harmless: /%0d%0a passes.
//
// A query and fragment may follow the path: /x?y#z passes.
func Check(s string) error {
	switch {
	case s == "" || len(s) > maxLen:
		return fmt.Errorf("%w: empty or longer than %d bytes", ErrNotLocal, maxLen)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: not UTF-8", ErrNotLocal)
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }):
		return fmt.Errorf("%w: control character or white space", ErrNotLocal)
	case !onePath(s):
		return fmt.Errorf("%w: must start with exactly one slash and hold no backslash", ErrNotLocal)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fmt.Errorf("%w: not a path", ErrNotLocal)
	}
	if !onePath(strings.Map(dropTabAndNewline, u.Path)) {
		return fmt.Errorf("%w: percent-decoded, it leaves the site", ErrNotLocal)
	}
	return nil
}

// CheckAt is Check widened to the given origins (each as CheckOrigin
// accepts it): s passes when it is a local path, or exactly one of origins
// followed by nothing or by a local path ("https://www.bank.se",
// "https://www.bank.se/mina-sidor?flik=1#arenden"). Anything between the
// origin and the path — another port, user info, a longer host name
// ("https://www.bank.se.evil.test/") — and every scheme or case spelling
// other than the configured one is refused. The error wraps ErrNotLocal
// and never quotes s.
func CheckAt(s string, origins []string) error {
	err := Check(s)
	if err == nil || strings.HasPrefix(s, "/") || len(s) > maxLen {
		return err
	}
	for _, o := range origins {
		if rest, ok := strings.CutPrefix(s, o); ok && o != "" && (rest == "" || Check(rest) == nil) {
			return nil
		}
	}
	return fmt.Errorf("%w: neither a local path nor a page of an allowed origin", ErrNotLocal)
}

// CheckOrigin accepts exactly scheme://host[:port] in lower case, http or
// https, the form of an origin in the Origin header, in a CSP source list
// and in Access-Control-Allow-Origin; the error quotes o, which comes from
// the portal's own configuration.
func CheckOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" || strings.HasSuffix(u.Host, ":") ||
		u.User != nil || u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" ||
		strings.ContainsAny(o, " ;,'\"*\\") || o != strings.ToLower(o) || u.Scheme+"://"+u.Host != o {
		return fmt.Errorf("%q is not an origin like https://www.example.se", o)
	}
	return nil
}

// Or returns s when Check accepts it, else fallback: for callers that
// carry on to a default page rather than refuse.
func Or(s, fallback string) string {
	if Check(s) != nil {
		return fallback
	}
	return s
}

// onePath reports whether a browser reads s as a path of this origin:
// one leading slash, and no backslash it would take for a slash.
func onePath(s string) bool {
	return strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && !strings.ContainsRune(s, '\\')
}

// dropTabAndNewline removes what browsers remove from anywhere in a URL.
func dropTabAndNewline(r rune) rune {
	if r == '\t' || r == '\n' || r == '\r' {
		return -1
	}
	return r
}
