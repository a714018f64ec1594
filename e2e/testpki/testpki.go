// Package testpki is a throwaway certificate authority for one run on
// loopback: hub-like servers present a server certificate for the loopback
// addresses and demand the view actor's client certificate, as the real hub
// does. The benchmarks' fault harness and the cluster both use it.
package testpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// PKI is the authority and the two certificates it issued.
type PKI struct {
	ca     *x509.Certificate
	roots  *x509.CertPool
	server tls.Certificate
	client tls.Certificate
}

// New makes an authority valid around now, a server certificate for
// 127.0.0.1, ::1 and localhost, and a client certificate.
func New(now time.Time) (*PKI, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "arendevy test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	issue := func(serial int64, cn string, usage x509.ExtKeyUsage, ips []net.IP, names []string) (tls.Certificate, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return tls.Certificate{}, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			IPAddresses:  ips,
			DNSNames:     names,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return tls.Certificate{}, err
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
	}
	p := &PKI{ca: ca, roots: x509.NewCertPool()}
	p.roots.AddCert(ca)
	if p.server, err = issue(2, "hub.test.invalid", x509.ExtKeyUsageServerAuth,
		[]net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, []string{"localhost"}); err != nil {
		return nil, fmt.Errorf("testpki: server certificate: %w", err)
	}
	if p.client, err = issue(3, "view actor", x509.ExtKeyUsageClientAuth, nil, nil); err != nil {
		return nil, fmt.Errorf("testpki: client certificate: %w", err)
	}
	return p, nil
}

// ServerTLS demands and verifies the view actor's certificate.
func (p *PKI) ServerTLS() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{p.server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    p.roots,
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
	}
}

// ClientTLS is what the kit's hub client is configured with.
func (p *PKI) ClientTLS() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{p.client}, RootCAs: p.roots, MinVersion: tls.VersionTLS12}
}

// ClientFiles writes the client certificate, its key and the authority's
// certificate as PEM into dir, for a portal's client_cert_file,
// client_key_file and ca_file.
func (p *PKI) ClientFiles(dir string) (cert, key, ca string, err error) {
	cert, key, ca = filepath.Join(dir, "client.crt"), filepath.Join(dir, "client.key"), filepath.Join(dir, "ca.crt")
	der, err := x509.MarshalPKCS8PrivateKey(p.client.PrivateKey)
	if err != nil {
		return "", "", "", err
	}
	for _, f := range []struct {
		path, kind string
		der        []byte
	}{{cert, "CERTIFICATE", p.client.Certificate[0]}, {key, "PRIVATE KEY", der}, {ca, "CERTIFICATE", p.ca.Raw}} {
		if err := os.WriteFile(f.path, pem.EncodeToMemory(&pem.Block{Type: f.kind, Bytes: f.der}), 0o600); err != nil {
			return "", "", "", err
		}
	}
	return cert, key, ca, nil
}
