package cluster

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	crewjam "github.com/crewjam/saml"

	"github.com/arendevy/arendevy/kit/devidp"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/memory"
)

// keys are the secrets every instance shares, made once into the
// cluster's directory: the session key (deep links) and the SP's key pair
// (signing, decrypting, and the SAML request-tracking cookie, which a login
// started on one instance and finished on another needs).
type keys struct {
	sessionKey, preferencesKey, spCert, spKey string
}

func makeKeys(dir string) (keys, error) {
	k := keys{
		sessionKey:     filepath.Join(dir, "session.key"),
		preferencesKey: filepath.Join(dir, "preferences.key"),
		spCert:         filepath.Join(dir, "sp.crt"),
		spKey:          filepath.Join(dir, "sp.key"),
	}
	for _, file := range []string{k.sessionKey, k.preferencesKey} {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return k, err
		}
		if err := os.WriteFile(file, []byte(hex.EncodeToString(secret)+"\n"), 0o600); err != nil {
			return k, err
		}
	}
	key, cert, err := devidp.KeyPair("arendevy cluster SP")
	if err != nil {
		return k, err
	}
	if err := os.WriteFile(k.spCert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		return k, err
	}
	der := x509.MarshalPKCS1PrivateKey(key)
	return k, os.WriteFile(k.spKey, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}), 0o600)
}

// idp is the development IdP, run by the cluster itself rather than by
// each instance: an IdP is one service that all instances trust, and the
// development IdP keeps its pending logins in memory.
type idp struct {
	*devidp.IdP
	url      string // its base URL
	metadata string // its metadata file, for saml.idp_metadata_file
	srv      *http.Server
}

func startIdP(dir string, logger *slog.Logger) (*idp, error) {
	l, err := devidp.Listen("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	key, cert, err := devidp.KeyPair("arendevy cluster development IdP")
	if err != nil {
		l.Close()
		return nil, err
	}
	var parties []identity.Party
	for _, p := range memory.Demo(time.Now()).Personas() {
		parties = append(parties, p.Party)
	}
	base := "http://" + l.Addr().String() + "/devidp"
	p, err := devidp.New(devidp.Config{BaseURL: base, Key: key, Certificate: cert,
		Personas: devidp.PersonasOf(parties), Logger: logger})
	if err != nil {
		l.Close()
		return nil, err
	}
	md, err := xml.MarshalIndent(p.Metadata(), "", "  ")
	if err != nil {
		l.Close()
		return nil, err
	}
	i := &idp{IdP: p, url: base, metadata: filepath.Join(dir, "idp-metadata.xml"),
		srv: &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	if err := os.WriteFile(i.metadata, md, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	go func() { _ = i.srv.Serve(l) }()
	return i, nil
}

// trust registers the SP that the portal at base publishes.
func (i *idp) trust(ctx context.Context, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/arendevy/saml/metadata", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("cluster: SP metadata: %s", resp.Status)
	}
	var md crewjam.EntityDescriptor
	if err := xml.Unmarshal(raw, &md); err != nil {
		return fmt.Errorf("cluster: SP metadata: %w", err)
	}
	return i.Register(&md)
}

func (i *idp) close() { _ = i.srv.Close() }
