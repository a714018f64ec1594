package config

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/crewjam/saml"
	xrv "github.com/mattermost/xml-roundtrip-validator"
)

// Size caps of the files a configuration names.
const (
	maxPEMBytes      = 1 << 20
	maxSecretBytes   = 4 << 10
	maxMetadataBytes = 16 << 20 // federation aggregates are large
)

// MinSecret is the shortest secret ReadSecret accepts: the full strength of
// HMAC-SHA256.
const MinSecret = 32

// ReadSecret reads a secret file: at least MinSecret bytes, written as hex
// (openssl rand -hex 32), as base64 (openssl rand -base64 32), or raw.
func ReadSecret(path string) ([]byte, error) {
	raw, err := readFile(path, maxSecretBytes)
	if err != nil {
		return nil, err
	}
	text := bytes.TrimSpace(raw)
	if b, err := hex.DecodeString(string(text)); err == nil && len(b) >= MinSecret {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(string(text)); err == nil && len(b) >= MinSecret {
		return b, nil
	}
	if len(raw) >= MinSecret && len(text) > 0 {
		return raw, nil
	}
	return nil, fmt.Errorf("%s: shorter than %d bytes; make one with: openssl rand -hex %d > %s", path, MinSecret, MinSecret, path)
}

// readCertificates reads every CERTIFICATE block of a PEM file, leaf first.
// Other blocks (a key in the same file) are passed over.
func readCertificates(path string) ([]*x509.Certificate, error) {
	raw, err := readFile(path, maxPEMBytes)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for rest := raw; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: certificate %d: %w", path, len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: not a PEM certificate", path)
	}
	return certs, nil
}

// readPrivateKey reads the first private key of a PEM file: PKCS #8,
// PKCS #1 (RSA) or SEC 1 (EC), unencrypted.
func readPrivateKey(path string) (crypto.Signer, error) {
	raw, err := readFile(path, maxPEMBytes)
	if err != nil {
		return nil, err
	}
	for rest := raw; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("%s: not a PEM private key", path)
		}
		if !strings.HasSuffix(block.Type, "PRIVATE KEY") {
			continue
		}
		if block.Type == "ENCRYPTED PRIVATE KEY" || block.Headers["Proc-Type"] != "" {
			return nil, fmt.Errorf("%s: encrypted keys are not supported; keep the key unencrypted, readable only by the portal's user", path)
		}
		var key any
		if key, err = x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
			if key, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
				if key, err = x509.ParseECPrivateKey(block.Bytes); err != nil {
					return nil, fmt.Errorf("%s: %s block is not a private key this program reads", path, block.Type)
				}
			}
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%s: unsupported key type %T", path, key)
		}
		return signer, nil
	}
}

// matches reports whether key is the private half of cert's public key.
func matches(cert *x509.Certificate, key crypto.Signer) bool {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

// ReadIdPMetadata reads and parses an IdP's SAML metadata file.
func ReadIdPMetadata(path string) (*saml.EntityDescriptor, error) {
	raw, err := readFile(path, maxMetadataBytes)
	if err != nil {
		return nil, err
	}
	ed, err := ParseIdPMetadata(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ed, nil
}

// ErrMetadata is wrapped by every error of ParseIdPMetadata.
var ErrMetadata = errors.New("not usable IdP metadata")

// ParseIdPMetadata parses SAML metadata: an EntityDescriptor, or an
// EntitiesDescriptor (a federation's aggregate), of which the first entity
// that is an IdP is taken. The entity must have an entityID and a
// SingleSignOnService. A document type declaration is refused (entity
// expansion), and so is XML that does not survive a round trip through
// encoding/xml unchanged (the parser differentials behind signature
// wrapping attacks).
func ParseIdPMetadata(raw []byte) (*saml.EntityDescriptor, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrMetadata, fmt.Sprintf(format, a...))
	}
	if bytes.Contains(raw, []byte("<!DOCTYPE")) || bytes.Contains(raw, []byte("<!ENTITY")) {
		return nil, bad("a document type declaration is not allowed")
	}
	if err := xrv.Validate(bytes.NewReader(raw)); err != nil {
		return nil, bad("not well-formed XML: %v", err)
	}
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal(raw, &root); err != nil {
		return nil, bad("not XML: %v", err)
	}
	const md = "urn:oasis:names:tc:SAML:2.0:metadata"
	var ed *saml.EntityDescriptor
	switch root.XMLName {
	case xml.Name{Space: md, Local: "EntityDescriptor"}:
		ed = &saml.EntityDescriptor{}
		if err := xml.Unmarshal(raw, ed); err != nil {
			return nil, bad("%v", err)
		}
	case xml.Name{Space: md, Local: "EntitiesDescriptor"}:
		var all saml.EntitiesDescriptor
		if err := xml.Unmarshal(raw, &all); err != nil {
			return nil, bad("%v", err)
		}
		ed = firstIdP(all)
		if ed == nil {
			return nil, bad("no entity in it is an IdP (IDPSSODescriptor)")
		}
	default:
		return nil, bad("the root element is <%s>, not a SAML metadata EntityDescriptor", root.XMLName.Local)
	}
	if strings.TrimSpace(ed.EntityID) == "" {
		return nil, bad("the EntityDescriptor has no entityID")
	}
	for _, idp := range ed.IDPSSODescriptors {
		for _, sso := range idp.SingleSignOnServices {
			if sso.Location != "" {
				return ed, nil
			}
		}
	}
	return nil, bad("entity %q has no IDPSSODescriptor with a SingleSignOnService", ed.EntityID)
}

// firstIdP finds the first entity with an IDPSSODescriptor, depth first.
func firstIdP(all saml.EntitiesDescriptor) *saml.EntityDescriptor {
	for i := range all.EntityDescriptors {
		if len(all.EntityDescriptors[i].IDPSSODescriptors) > 0 {
			return &all.EntityDescriptors[i]
		}
	}
	for _, nested := range all.EntitiesDescriptors {
		if ed := firstIdP(nested); ed != nil {
			return ed
		}
	}
	return nil
}

// ClientTLS is the TLS configuration for talking to the source's service:
// the client certificate for mutual TLS and the roots from CAFile, when set.
// It rereads the files, which Load has checked.
func (s Source) ClientTLS() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.ClientCertFile != "" {
		pair, err := tls.LoadX509KeyPair(s.ClientCertFile, s.ClientKeyFile)
		if err != nil {
			return nil, fmt.Errorf("source %s: client certificate: %w", s.Name, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if s.CAFile != "" {
		certs, err := readCertificates(s.CAFile)
		if err != nil {
			return nil, fmt.Errorf("source %s: ca_file: %w", s.Name, err)
		}
		cfg.RootCAs = x509.NewCertPool()
		for _, c := range certs {
			cfg.RootCAs.AddCert(c)
		}
	}
	return cfg, nil
}
