package ratelimit

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientAddress is the address a request's limit is kept for: the peer of
// the connection, unless that peer is a trusted proxy, in which case the
// nearest address in X-Forwarded-For that is not a trusted proxy. Without
// trusted proxies the header is ignored: anyone can write it, and a client
// that could choose its address could give every request a fresh one.
//
// An IPv6 address counts as its /64, the block one subscriber usually
// holds, so hopping between its addresses does not escape the limit.
func ClientAddress(r *http.Request, trusted []netip.Prefix) string {
	peer, ok := parseAddr(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if isTrusted(peer, trusted) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, ok := parseAddr(strings.TrimSpace(hops[i]))
			if !ok {
				break // a hop we cannot read: trust nothing beyond it
			}
			peer = a
			if !isTrusted(a, trusted) {
				break
			}
		}
	}
	if peer.Is6() && !peer.Is4In6() {
		p, _ := peer.Prefix(64)
		return p.String()
	}
	return peer.Unmap().String()
}

func parseAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone(""), true
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(host)
	return a.WithZone(""), err == nil
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
