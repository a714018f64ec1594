package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/e2e/conformance"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// readyURL and readyClient probe /readyz by the listen address, over TLS
// when the portal serves it itself.
func readyURL(cfg config.Config) string {
	if cfg.TLS.Enabled() {
		return "https://" + cfg.Listen + "/readyz"
	}
	return "http://" + cfg.Listen + "/readyz"
}

func readyClient(cfg config.Config) *http.Client {
	if !cfg.TLS.Enabled() {
		return http.DefaultClient
	}
	// The test's own throwaway certificate, on loopback.
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec
}

// selfSigned writes a throwaway certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "portal.crt"), filepath.Join(dir, "portal.key")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
	return certFile, keyFile
}

// TestReferencePortalConforms runs the conformance checker over the
// reference portal as a tester would: served over HTTPS as it is deployed,
// logged in as the development IdP's first persona (Elin Karlsson, who has
// cases with and without an e-service), in Swedish with the default theme,
// in English with the bank theme and in Finnish (the checker knows its
// words too). The accessibility part runs on a
// desktop and at 320 px here; TestPortalAccessibility runs all six
// conditions over every page.
func TestReferencePortalConforms(t *testing.T) {
	certFile, keyFile := selfSigned(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	chromium, err := browser.Start(ctx, browser.WithFlag("ignore-certificate-errors", true))
	require.NoError(t, err)
	t.Cleanup(func() { _ = chromium.Close() })

	for _, tc := range []struct{ theme, lang string }{{"default", "sv"}, {"bank", "en"}, {"default", "fi"}} {
		t.Run(tc.theme+"/"+tc.lang, func(t *testing.T) {
			base := startConfigured(t, func(cfg *config.Config) {
				cfg.Theme = tc.theme
				cfg.TLS = config.TLS{CertFile: certFile, KeyFile: keyFile}
				cfg.PublicURL = "https://" + cfg.Listen
			})
			report, err := conformance.Run(ctx, chromium, conformance.Options{
				URL:        base + "/sprak/" + tc.lang + "?return=/mina-arenden",
				Login:      a11y.ChoiceLogin{URL: base + "/arendevy/saml/login?return=/", Choice: "0"},
				A11yStates: []string{a11y.StateDesktop, a11y.StateNarrow},
			})
			require.NoError(t, err)
			var summary bytes.Buffer
			require.NoError(t, report.WriteText(&summary))
			for _, r := range report.Results {
				require.NotEqual(t, conformance.Fail, r.Verdict, "%s: %s", r.ID, summary.String())
			}
			// These reach a verdict on the reference portal; NEEDS-HUMAN
			// would mean the checker could not reach the state.
			for _, id := range []string{conformance.CheckFieldOrder, conformance.CheckFieldOrderPhone, conformance.CheckStatusWords,
				conformance.CheckLegend, conformance.CheckEmptyHeadings, conformance.CheckDeepLinks, conformance.CheckProducerContact,
				conformance.CheckResponsibleActor, conformance.CheckNoStore, conformance.CheckURLs, conformance.CheckCookieFlags,
				conformance.CheckHSTS, conformance.CheckCSP, conformance.CheckFraming, conformance.CheckLogout, conformance.CheckBackButton,
				conformance.CheckMetadata, conformance.CheckWCAG, conformance.CheckTrustLine} {
				r, ok := report.Result(id)
				require.True(t, ok, id)
				require.Equal(t, conformance.Pass, r.Verdict, "%s: %s", id, summary.String())
			}
		})
	}
}
