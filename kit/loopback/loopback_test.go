package loopback

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost":                  true,
		"LOCALHOST":                  true,
		"localhost.":                 true,
		"arenden.arendevy.localhost": true,
		"www.arendevy.localhost":     true,
		"127.0.0.1":                  true,
		"127.1.2.3":                  true,
		"::1":                        true,
		"[::1]":                      true,

		"":                      false,
		".localhost":            false,
		"a..localhost":          false,
		"localhost.example.se":  false,
		"notlocalhost":          false,
		"evil-localhost":        false,
		"minasidor.example.se":  false,
		"10.0.0.1":              false,
		"0.0.0.0":               false,
		"::":                    false,
		"::ffff:127.0.0.1":      true, // IPv4-mapped, as net.IP says too
		"127.0.0.1.example.se":  false,
		"arendevy.localhost.se": false,
	} {
		require.Equal(t, want, Host(host), host)
	}
}
