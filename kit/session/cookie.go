package session

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
)

// dataKey is where a gorilla session keeps our Data among its Values.
type dataKey struct{}

// cookieStore is the gorilla/sessions Store of the Manager: the cookie
// carries only the random session ID, the Data lives in the Manager's Store.
// Gorilla's per-request registry makes every lookup in one request share a
// single load.
type cookieStore struct{ m *Manager }

var _ sessions.Store = (*cookieStore)(nil)

// Get implements sessions.Store.
func (c *cookieStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(c, name)
}

// New implements sessions.Store: the session named by the request's cookie,
// or a new empty one (IsNew) when there is none or the store forgot it.
func (c *cookieStore) New(r *http.Request, name string) (*sessions.Session, error) {
	s := sessions.NewSession(c, name)
	s.Options = c.options(name)
	s.IsNew = true
	ck, err := r.Cookie(name)
	if err != nil || !validID(ck.Value) {
		return s, nil
	}
	d, err := c.m.cfg.Store.Load(r.Context(), storeKey(ck.Value))
	switch {
	case errors.Is(err, ErrNotFound):
		return s, nil
	case err != nil:
		return s, err
	}
	s.ID, s.IsNew = ck.Value, false
	s.Values[dataKey{}] = d
	return s, nil
}

// Save implements sessions.Store. MaxAge < 0 deletes the session; a session
// without ID gets a fresh random one; an existing one is replaced only if
// it still exists. The cookie lives until the absolute timeout; the idle
// timeout is the server's business.
func (c *cookieStore) Save(r *http.Request, w http.ResponseWriter, s *sessions.Session) error {
	ctx := r.Context()
	if s.Options.MaxAge < 0 {
		if s.ID != "" {
			if err := c.m.cfg.Store.Delete(ctx, storeKey(s.ID)); err != nil {
				return fmt.Errorf("session: delete: %w", err)
			}
		}
		c.setCookies(w, s.Name(), "", s.Options)
		return nil
	}
	d, ok := s.Values[dataKey{}].(Data)
	if !ok {
		return errors.New("session: nothing to save")
	}
	now := c.m.cfg.Now()
	ttl := c.m.ttl(d, now)
	if ttl <= 0 {
		return errTimedOut
	}
	if s.ID == "" {
		id := randomToken()
		if err := c.m.cfg.Store.Save(ctx, storeKey(id), d, ttl); err != nil {
			return fmt.Errorf("session: save: %w", err)
		}
		s.ID, s.IsNew = id, false
	} else {
		err := c.m.cfg.Store.Update(ctx, storeKey(s.ID), func(cur *Data) (time.Duration, error) {
			*cur = d
			return ttl, nil
		})
		if err != nil {
			return fmt.Errorf("session: save: %w", err)
		}
	}
	opts := *s.Options
	opts.MaxAge = int(math.Ceil(d.Created.Add(c.m.cfg.AbsoluteTimeout).Sub(now).Seconds()))
	c.setCookies(w, s.Name(), s.ID, &opts)
	return nil
}

// options are the cookie attributes for each of the Manager's cookie names.
func (c *cookieStore) options(name string) *sessions.Options {
	switch name {
	case ACSCookieName:
		return &sessions.Options{Path: c.m.acsPath(), HttpOnly: true, Secure: true, SameSite: http.SameSiteNoneMode}
	case SLOCookieName:
		return &sessions.Options{Path: c.m.sloPath(), HttpOnly: true, Secure: true, SameSite: http.SameSiteNoneMode}
	case DevCookieName:
		return &sessions.Options{Path: "/", Domain: c.m.cfg.CookieDomain, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	case DomainCookieName:
		return &sessions.Options{Path: "/", Domain: c.m.cfg.CookieDomain, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
	default:
		return &sessions.Options{Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
	}
}

// setCookies writes the session cookie and, for the https cookie of a
// mounted Manager, its ACS and SLO twins with the same value and lifetime
// (an unmounted one serves no ACS). The twins stay on the kit's own host.
func (c *cookieStore) setCookies(w http.ResponseWriter, name, value string, opts *sessions.Options) {
	http.SetCookie(w, sessions.NewCookie(name, value, opts))
	if (name == CookieName || name == DomainCookieName) && c.m.acsPath() != "" {
		acs := c.options(ACSCookieName)
		acs.MaxAge = opts.MaxAge
		http.SetCookie(w, sessions.NewCookie(ACSCookieName, value, acs))
		slo := c.options(SLOCookieName)
		slo.MaxAge = opts.MaxAge
		http.SetCookie(w, sessions.NewCookie(SLOCookieName, value, slo))
	}
}
