package kit_test

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"log"
	"net/http"

	crewjam "github.com/crewjam/saml"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/hub"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/saml"
	"github.com/arendevy/arendevy/kit/session"
)

// What a portal brings from its own configuration (see reference-portal/build.go).
var (
	clientTLS   *tls.Config               // the hub's mTLS client certificate
	spKey       *rsa.PrivateKey           // the SAML SP's key and certificate
	spCert      *x509.Certificate         //
	idpMetadata *crewjam.EntityDescriptor // the e-legitimation IdP
	directory   *producers.Directory      // deep-link allow-list, customer service
	yourPortal  http.Handler              // your own pages; one carries <arendevy-overview>
	check       = func(err error) {       //
		if err != nil {
			log.Fatal(err)
		}
	}
)

// Example_embed is the README's "Embed the kit in your Go portal": the hub
// as source, SAML single sign-on, sessions, and the kit mounted beside the
// portal's own pages. It is compiled with the tests so it cannot rot.
func Example_embed() {
	hubClient, err := hub.New(hub.Config{URL: "https://hub.example.se", TLS: clientTLS,
		Name: "hub", Actor: cases.Actor{ID: "hub", Name: "Ärendenavet"}})
	check(err)
	sessions, err := session.NewManager(session.Config{})
	check(err)
	sp, err := saml.New(saml.Config{RootURL: "https://minasidor.example.se", Mount: kit.DefaultMount,
		Key: spKey, Certificate: spCert, IdPMetadata: idpMetadata, Sessions: sessions})
	check(err)
	k, err := kit.New(kit.Config{Sources: []fanout.Member{hubClient.Member()},
		Producers: directory, Sessions: sessions, SSO: sp})
	check(err)
	mux := http.NewServeMux()
	mux.Handle(k.Mount()+"/", k.Handler()) // the API, login, assets, deep links
	mux.Handle("/", k.Protect(yourPortal)) // your pages, behind the same login
	log.Fatal(http.ListenAndServeTLS(":8443", "cert.pem", "key.pem", mux))
}
