package session

import (
	"net/http"
	"time"

	"github.com/arendevy/arendevy/kit/websec"
)

// DefaultWarnBefore is how long before the idle timeout the element offers
// to extend the session (WCAG 2.2.1, timing adjustable).
const DefaultWarnBefore = 2 * time.Minute

// Remaining is what GET {mount}/api/session tells the element about the
// request's session: no personal data, only times in whole seconds.
type Remaining struct {
	// Seconds until the session ends unless it is used: the sooner of the
	// idle and the absolute timeout.
	Seconds int `json:"seconds"`
	// WarnBefore is how many seconds before the end to offer "stay logged
	// in": Config.WarnBefore, at most half the idle timeout.
	WarnBefore int `json:"warnBefore"`
	// Extendable is false when the absolute timeout comes first: using
	// the session then cannot move its end.
	Extendable bool `json:"extendable"`
}

// warnBefore is Config.WarnBefore, at most half the idle timeout, so a
// short idle limit still leaves time to use the page before the offer.
func (m *Manager) warnBefore() time.Duration {
	return min(m.cfg.WarnBefore, m.cfg.IdleTimeout/2)
}

// remaining is how long d has from now.
func (m *Manager) remaining(d Data) Remaining {
	now := m.cfg.Now()
	idleEnd, absoluteEnd := d.LastSeen.Add(m.cfg.IdleTimeout), d.Created.Add(m.cfg.AbsoluteTimeout)
	return Remaining{
		Seconds:    int(max(0, m.ttl(d, now)) / time.Second),
		WarnBefore: int(m.warnBefore() / time.Second),
		Extendable: !absoluteEnd.Before(idleEnd),
	}
}

// isPeek reports whether r only asks how long its session has: that must
// not count as using it, or asking would keep the session alive forever.
func (m *Manager) isPeek(r *http.Request) bool {
	mount := m.mount.Load()
	return mount != nil && r.Method == http.MethodGet && r.URL.Path == *mount+"/api/session"
}

// serveSession answers GET (peek, the session's clock untouched) and POST
// (extend: the Middleware has just counted the request as use, behind the
// CSRF check) with the session's Remaining; 401 when it has ended.
func (m *Manager) serveSession(w http.ResponseWriter, r *http.Request) {
	websec.NoStore(w)
	gs, err := m.load(r)
	if err != nil {
		m.storeFailed(w, r, err)
		return
	}
	d, ok := m.valid(gs)
	if !ok || !m.accepted[d.Subject.LoA] {
		m.loginRequired(w, r)
		return
	}
	writeJSON(w, m.remaining(d))
}
