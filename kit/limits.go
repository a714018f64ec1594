package kit

import (
	"crypto/sha256"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/ratelimit"
	"github.com/arendevy/arendevy/kit/session"
)

// limiters are the buckets of Config.Limits.
type limiters struct {
	perSession, perAddress *ratelimit.Limiter
}

func newLimiters(l Limits, now func() time.Time) limiters {
	return limiters{perSession: ratelimit.New(l.PerSession, l.MaxKeys, now), perAddress: ratelimit.New(l.PerAddress, l.MaxKeys, now)}
}

// Admit takes a token for an overview request from r's client address and
// session (the subject in r's context); false means over a limit, and how
// long until the next request would be let through. A portal that renders
// the overview itself (Kit.Render) asks Admit first and answers 429 with
// Retry-After; the kit's own API does so with a problem.
func (k *Kit) Admit(r *http.Request) (bool, time.Duration) {
	if ok, wait := k.limits.perAddress.Allow(ratelimit.ClientAddress(r, k.cfg.Limits.TrustedProxies)); !ok {
		return false, wait
	}
	s, ok := identity.FromContext(r.Context())
	if !ok {
		return true, 0 // no session to count: the 401 costs no source anything
	}
	return k.limits.perSession.Allow(sessionKey(r, s))
}

// sessionKey names the session of r in the limiter: its binding when the
// kit's sessions run it, else a hash of the subject, so no identity number
// is kept in the limiter's memory.
func sessionKey(r *http.Request, s identity.Subject) string {
	if b, ok := session.BindingFromContext(r.Context()); ok {
		return string(b)
	}
	sum := sha256.Sum256([]byte("arendevy limit\x00" + s.User.Number + "\x00" + s.Customer().Number))
	return string(sum[:])
}

// admitted is Admit for the kit's API: false when a 429 problem in the
// user's language, with Retry-After in whole seconds, was written.
func (k *Kit) admitted(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := k.Admit(r)
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds(wait)))
		writeProblem(w, k.newProblem(r, http.StatusTooManyRequests, "tooManyRequests"))
	}
	return ok
}

// RetryAfterSeconds is wait as a Retry-After value: whole seconds, at least 1.
func RetryAfterSeconds(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}
