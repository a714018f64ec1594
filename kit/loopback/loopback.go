// Package loopback says whether a host the browser talks to is this
// machine, the one place plain http and the development IdP are allowed.
//
// It is the browser's notion: besides localhost and the loopback
// addresses, every name under .localhost (RFC 6761 §6.3), which Chromium,
// Firefox and Safari resolve to loopback themselves and treat as secure
// contexts. That is what lets a developer try the element on one site's
// two hosts (www.arendevy.localhost embedding arenden.arendevy.localhost)
// without certificates. It is not a rule for addresses the server dials:
// Go's resolver asks DNS for such names, so a URL the kit fetches from is
// loopback only as localhost or a loopback address.
package loopback

import (
	"net/netip"
	"strings"
)

// Host reports whether host, a name or an address without port (brackets
// around an IPv6 address allowed), is loopback for a browser.
func Host(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") && !strings.HasPrefix(host, ".") && !strings.Contains(host, "..") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
