package producers

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDirectoryAllowsOnlyExactHTTPSHosts(t *testing.T) {
	d, err := New([]Info{{ID: "skv", Name: "Skatteverket", Hosts: []string{"etjanst.skatteverket.se"}}, {ID: "csn", Name: "CSN"}})
	require.NoError(t, err)
	tests := []struct {
		id, link string
		ok       bool
	}{
		{"skv", "https://etjanst.skatteverket.se/arende/1", true},
		{"skv", "https://ETJANST.skatteverket.se/arende/1", true},
		{"skv", "http://etjanst.skatteverket.se/arende/1", false},
		{"skv", "https://etjanst.skatteverket.se.evil.example/", false},
		{"skv", "https://evil.example/etjanst.skatteverket.se", false},
		{"skv", "https://user@etjanst.skatteverket.se/", false},
		{"skv", "javascript:alert(1)", false},
		{"skv", "data:text/html,hi", false},
		{"skv", "//etjanst.skatteverket.se/", false},
		{"skv", "https://etjаnst.skatteverket.se/", false}, // Cyrillic а
		{"csn", "https://www.csn.se/", false},              // no e-service
		{"nobody", "https://etjanst.skatteverket.se/", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.ok, d.Allows(tt.id, tt.link), "%s %s", tt.id, tt.link)
	}
}

func TestNewNamesEveryProblem(t *testing.T) {
	_, err := New([]Info{
		{ID: "a", Name: "A", Hosts: []string{"https://a.example"}},
		{ID: "a", Name: "", Hosts: []string{"*.b.example", "Ä.example"}, SSO: "https://idp.example/sso"},
	})
	require.Error(t, err)
	for _, want := range []string{"producers[0].hosts[0]", "producers[1].id", "producers[1].name", "producers[1].hosts[0]", "producers[1].hosts[1]", "producers[1].sso"} {
		require.Contains(t, err.Error(), want)
	}
}

// A deep link enters an e-service over https; plain http reaches only the
// user's own computer, where the reference portal's demo e-service runs.
func TestCheckSSOAllowsPlainHTTPToLoopbackOnly(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://idp.example.se/sso?target=x":           true,
		"http://localhost:8090/e-service/case?target=x": true,
		"http://127.0.0.1:8090/e-service/case?target=x": true,
		"http://[::1]:8090/x":                           true,
		"http://arenden.arendevy.localhost:8090/x":      true,
		"http://idp.example.se/sso?target=x":            false,
		"http://localhost.example.se/x":                 false,
		"http://localhost@evil.example/x":               false,
		"http://evil.example\\@localhost/x":             false,
		"http://localhost:8090/a b":                     false,
		"http://":                                       false,
		"javascript:alert(1)":                           false,
	} {
		require.Equal(t, ok, CheckSSO(u) == "", "%s: %q", u, CheckSSO(u))
	}
	_, err := New([]Info{{ID: "a", Name: "A", Hosts: []string{"a.example"}, SSO: "http://localhost:8090/e-service/case?target={target}"}})
	require.NoError(t, err)
	_, err = New([]Info{{ID: "a", Name: "A", Hosts: []string{"a.example"}, SSO: "http://idp.a.example/sso?target={target}"}})
	require.ErrorContains(t, err, "producers[0].sso: not an https link (plain http only to a loopback host)")
}
