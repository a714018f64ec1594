package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The development IdP's own listener logs anybody in: loopback only, only
// with the development IdP, and never the portal's own address.
func TestDevIdPListenIsCheckedClearly(t *testing.T) {
	tests := []struct {
		name, toml, says string
	}{
		{"without the development IdP", "public_url = \"https://minasidor.example.se\"\n[saml]\ndev_idp = false\ndev_idp_listen = \"127.0.0.1:8081\"", "only with dev_idp = true"},
		{"not loopback", "[saml]\ndev_idp_listen = \"0.0.0.0:8081\"", "only a loopback host"},
		{"no host", "[saml]\ndev_idp_listen = \":8081\"", "only a loopback host"},
		{"no port", "[saml]\ndev_idp_listen = \"127.0.0.1\"", "like 127.0.0.1:8081"},
		{"port zero", "[saml]\ndev_idp_listen = \"127.0.0.1:0\"", "like 127.0.0.1:8081"},
		{"the portal's address", "listen = \"127.0.0.1:8080\"\n[saml]\ndev_idp_listen = \"127.0.0.1:8080\"", "must differ from listen"},
		{"the portal's port", "listen = \":8080\"\n[saml]\ndev_idp_listen = \"127.0.0.1:8080\"", "must differ from listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fields(t, write(t, tt.toml), nil)
			require.Contains(t, got, "saml.dev_idp_listen", "problems: %v", got)
			require.Contains(t, got["saml.dev_idp_listen"], tt.says)
		})
	}
	got := fields(t, write(t, "[saml]\ndev_idp_listen = \"localhost:8081\""), nil)
	require.Empty(t, got)
}

// The demo e-service, too, listens on loopback only, only beside the
// development IdP, and not where the portal or the IdP listens; port 0
// lets the system choose.
func TestDemoEServiceListenIsCheckedClearly(t *testing.T) {
	tests := []struct {
		name, toml, says string
	}{
		{"without the development IdP", "public_url = \"https://minasidor.example.se\"\n[saml]\ndev_idp = false\ndemo_eservice_listen = \"127.0.0.1:8090\"", "only with dev_idp = true"},
		{"not loopback", "[saml]\ndemo_eservice_listen = \"0.0.0.0:8090\"", "only a loopback host"},
		{"no host", "[saml]\ndemo_eservice_listen = \":8090\"", "only a loopback host"},
		{"no port", "[saml]\ndemo_eservice_listen = \"127.0.0.1\"", "like 127.0.0.1:8090"},
		{"the portal's address", "listen = \"127.0.0.1:8080\"\n[saml]\ndemo_eservice_listen = \"127.0.0.1:8080\"", "must differ from listen"},
		{"the IdP's address", "[saml]\ndev_idp_listen = \"127.0.0.1:8081\"\ndemo_eservice_listen = \"127.0.0.1:8081\"", "must differ from listen and dev_idp_listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fields(t, write(t, tt.toml), nil)
			require.Contains(t, got, "saml.demo_eservice_listen", "problems: %v", got)
			require.Contains(t, got["saml.demo_eservice_listen"], tt.says)
		})
	}
	for _, ok := range []string{"localhost:8090", "127.0.0.1:0", "[::1]:8090"} {
		require.Empty(t, fields(t, write(t, "[saml]\ndemo_eservice_listen = \""+ok+"\""), nil), ok)
	}
}
