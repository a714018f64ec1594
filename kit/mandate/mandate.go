// Package mandate says for whom a user may act as agent (ombud): the people
// and organisations whose cases they may see besides their own. The portal
// plugs in its mandate service (Mina ombud, a power-of-attorney register, a
// guardianship list); Static serves demos and tests.
package mandate

import (
	"context"
	"slices"

	"github.com/arendevy/arendevy/kit/identity"
)

// Source lists the principals user holds a mandate for, in a stable order
// (the kit refers to them by position). The user themselves is not listed.
type Source interface {
	Principals(ctx context.Context, user identity.Party) ([]identity.Party, error)
}

// Static is a fixed mandate list keyed by the agent's identity number.
type Static map[string][]identity.Party

// Principals returns a copy of the list for user, without user themselves.
func (s Static) Principals(_ context.Context, user identity.Party) ([]identity.Party, error) {
	return slices.DeleteFunc(slices.Clone(s[user.Number]), func(p identity.Party) bool {
		return p.Number == user.Number
	}), nil
}
