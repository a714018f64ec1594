package identity

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want string
		kind Kind
		ok   bool
	}{
		{"19121212-1212", "191212121212", Personnummer, true},
		{"198112189876", "198112189876", Personnummer, true},
		{"197010632391", "197010632391", Samordningsnummer, true},
		{"556016-0681", "", "", false}, // bad check digit
		{"5560160680", "5560160680", Organisationsnummer, true},
		{"165560160680", "5560160680", Organisationsnummer, true},
		{"191212121213", "", "", false}, // check digit
		{"191313121212", "", "", false}, // month 13
		{"1212121212", "", "", false},   // 10-digit person
		{"19121212121", "", "", false},  // too short
		{"19121212x212", "", "", false}, // letter
		{"", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, kind, err := ParseNumber(tt.in)
			if !tt.ok {
				require.ErrorIs(t, err, ErrInvalidNumber)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.kind, kind)
		})
	}
}

func TestSubjectNeverPrintsNumberOrName(t *testing.T) {
	s := Subject{User: Party{Number: "191212121212", Kind: Personnummer, Name: "Tolvan Tolvansson"}}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", s.User), s.User.String()} {
		require.NotContains(t, out, "191212121212")
		require.NotContains(t, out, "Tolvan")
	}
}

func TestCustomerIsPrincipalWhenActingAsAgent(t *testing.T) {
	self := Party{Number: "191212121212", Kind: Personnummer}
	child := Party{Number: "201212121210", Kind: Personnummer}
	s := Subject{User: self}
	require.Equal(t, self, s.Customer())
	require.False(t, s.IsAgent())
	s.ActingFor = child
	require.Equal(t, child, s.Customer())
	require.True(t, s.IsAgent())

	_, ok := FromContext(context.Background())
	require.False(t, ok)
	got, ok := FromContext(WithSubject(context.Background(), s))
	require.True(t, ok)
	require.Equal(t, s, got)
}
