package mandate

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/identity"
)

func TestStaticPrincipals(t *testing.T) {
	agent := identity.Party{Number: "198112289874", Kind: identity.Personnummer, Name: "Agnes Agent"}
	child := identity.Party{Number: "201502022385", Kind: identity.Personnummer, Name: "Kalle Barn"}
	firm := identity.Party{Number: "5560360793", Kind: identity.Organisationsnummer, Name: "Firma AB"}
	src := Static{agent.Number: {child, agent, firm}}
	tests := []struct {
		name string
		user identity.Party
		want []identity.Party
	}{
		{"agent gets principals in order, never themselves", agent, []identity.Party{child, firm}},
		{"user without mandates gets none", child, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := src.Principals(context.Background(), tt.user)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	got, _ := src.Principals(context.Background(), agent)
	got[0].Name = "changed"
	again, _ := src.Principals(context.Background(), agent)
	require.Equal(t, "Kalle Barn", again[0].Name, "callers must not be able to change the source")
}
