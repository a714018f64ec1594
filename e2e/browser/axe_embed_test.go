package browser

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEmbeddedAxeMatchesTheLockfile ties the embedded copy to the pin: its
// banner names the version e2e/package-lock.json pins, its SHA-256 is the
// one axe-core publishes for that version (sri-history.json), and it is the
// very file npm ci installed after checking the lockfile's integrity. The
// licence travels beside it.
func TestEmbeddedAxeMatchesTheLockfile(t *testing.T) {
	var lock struct {
		Packages map[string]struct {
			Version   string `json:"version"`
			Integrity string `json:"integrity"`
			License   string `json:"license"`
		} `json:"packages"`
	}
	b, err := os.ReadFile("../package-lock.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &lock))
	pinned := lock.Packages["node_modules/axe-core"]
	require.NotEmpty(t, pinned.Version, "axe-core is pinned in e2e/package-lock.json")

	banner := regexp.MustCompile(`^/\*! axe v(\S+)`).FindStringSubmatch(embeddedAxe)
	require.NotNil(t, banner, "the embedded file starts with axe-core's banner")
	require.Equal(t, pinned.Version, banner[1], "embedded version = pinned version; run go generate ./e2e/browser")

	// npm ci checked the tarball against the lockfile's integrity.
	var installed struct {
		Version string `json:"version"`
	}
	b, err = os.ReadFile("../node_modules/axe-core/package.json")
	require.NoError(t, err, "make test-deps installs axe-core")
	require.NoError(t, json.Unmarshal(b, &installed))
	require.Equal(t, pinned.Version, installed.Version)
	fromNPM, err := os.ReadFile("../node_modules/axe-core/axe.min.js")
	require.NoError(t, err)
	require.True(t, bytes.Equal(fromNPM, []byte(embeddedAxe)), "the embedded axe.min.js is the installed one; run go generate ./e2e/browser")

	var sri map[string]map[string]string
	b, err = os.ReadFile("../node_modules/axe-core/sri-history.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &sri))
	sum := sha256.Sum256([]byte(embeddedAxe))
	require.Equal(t, sri[pinned.Version]["axe.min.js"], "sha256-"+base64.StdEncoding.EncodeToString(sum[:]))

	licence, err := os.ReadFile("axe-core/LICENSE")
	require.NoError(t, err)
	require.Contains(t, string(licence), "Mozilla Public License")
	require.Equal(t, "MPL-2.0", pinned.License)
}
