package kit_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/devidp"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/saml"
	"github.com/arendevy/arendevy/kit/session"
)

// An IdP on another origin: logout answers 303 to its SLO endpoint after a
// form post, which the browser follows only if form-action allows it. The
// CSP allows exactly the origins of the IdP's metadata endpoints.
func TestFormActionAllowsTheIdPsOriginFromItsMetadata(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	idpKey, idpCert := keyPair(t)
	idp, err := devidp.New(devidp.Config{BaseURL: "http://127.0.0.1:9443/devidp", Key: idpKey, Certificate: idpCert,
		Personas: []devidp.Persona{{Number: "191212121212", GivenName: "Tolvan", Surname: "Tolvansson"}}, Logger: logger})
	require.NoError(t, err)
	md := idp.Metadata()
	// The SLO endpoint on an origin of its own, to see both taken.
	for i := range md.IDPSSODescriptors[0].SingleLogoutServices {
		md.IDPSSODescriptors[0].SingleLogoutServices[i].Location = "http://localhost:9444/slo"
	}
	sessions, err := session.NewManager(session.Config{AllowPlainHTTP: true, Logger: logger})
	require.NoError(t, err)
	spKey, spCert := keyPair(t)
	sp, err := saml.New(saml.Config{RootURL: "http://127.0.0.1:8080", Mount: kit.DefaultMount, Key: spKey, Certificate: spCert,
		IdPMetadata: md, Sessions: sessions, AllowPlainHTTP: true, Logger: logger})
	require.NoError(t, err)
	k, err := kit.New(kit.Config{Sessions: sessions, SSO: sp, Logger: logger,
		Sources: []fanout.Member{{Name: "skv", Actor: cases.Actor{ID: "skv", Name: "Skatteverket"},
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) { return cases.Result{}, nil })}}})
	require.NoError(t, err)

	rec := httptest.NewRecorder()
	k.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, kit.DefaultMount+"/api/csrf", nil))
	var formAction string
	for _, directive := range strings.Split(rec.Header().Get("Content-Security-Policy"), ";") {
		if d := strings.TrimSpace(directive); strings.HasPrefix(d, "form-action ") {
			formAction = d
		}
	}
	require.Equal(t, "form-action 'self' http://127.0.0.1:9443 http://localhost:9444", formAction)
}
