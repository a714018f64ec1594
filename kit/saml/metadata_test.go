package saml

import (
	"crypto"
	"encoding/base64"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	"github.com/stretchr/testify/require"
)

func TestMetadata(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.DisplayName = map[string]string{"sv": "Mina sidor i Exempelkommun", "en": "My pages in Example Municipality"}
		c.Description = map[string]string{"sv": "Dina ärenden hos kommunen"}
	})
	rec, err := e.get("/arendevy/saml/metadata")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "application/samlmetadata+xml", rec.Header().Get("Content-Type"))

	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromBytes(rec.Body.Bytes()))
	root := doc.Root()
	require.Equal(t, "EntityDescriptor", root.Tag)
	require.Equal(t, testEntityID, root.SelectAttrValue("entityID", ""))

	ext := root.ChildElements()[0]
	require.Equal(t, "Extensions", ext.Tag, "Extensions come first")
	require.Equal(t, nsMetadata, ext.NamespaceURI())
	cat := find(ext, "Attribute")
	require.NotNil(t, cat)
	require.Equal(t, nsMDAttr, cat.Parent().NamespaceURI())
	require.Equal(t, "http://macedir.org/entity-category", cat.SelectAttrValue("Name", ""))
	require.Equal(t, EntityCategoryLoA3PNR, cat.SelectElement("AttributeValue").Text())

	sp := root.SelectElement("SPSSODescriptor")
	require.NotNil(t, sp)
	require.Equal(t, "true", sp.SelectAttrValue("AuthnRequestsSigned", ""))
	require.Equal(t, "true", sp.SelectAttrValue("WantAssertionsSigned", ""))
	ui := sp.ChildElements()[0]
	require.Equal(t, "Extensions", ui.Tag)
	names := map[string]string{}
	for _, dn := range find(ui, "UIInfo").SelectElements("DisplayName") {
		require.Equal(t, nsMDUI, dn.NamespaceURI())
		names[dn.SelectAttrValue("xml:lang", "")] = dn.Text()
	}
	require.Equal(t, map[string]string{"sv": "Mina sidor i Exempelkommun", "en": "My pages in Example Municipality",
		"fi": "Omat asiat", "ar": "معاملاتي"}, names, "a language the configuration does not name has the catalogue's heading")
	require.Equal(t, "Dina ärenden hos kommunen", find(ui, "Description").Text())

	uses := map[string]bool{}
	for _, kd := range sp.SelectElements("KeyDescriptor") {
		uses[kd.SelectAttrValue("use", "")] = true
		require.Equal(t, base64.StdEncoding.EncodeToString(spKeys.cert.Raw), find(kd, "X509Certificate").Text())
		for _, em := range kd.SelectElements("EncryptionMethod") {
			require.NotContains(t, em.SelectAttrValue("Algorithm", ""), "rsa-1_5")
		}
	}
	require.Equal(t, map[string]bool{"signing": true, "encryption": true}, uses)

	acs := sp.SelectElements("AssertionConsumerService")
	require.Len(t, acs, 1, "HTTP-POST only: no artifact binding")
	require.Equal(t, crewjam.HTTPPostBinding, acs[0].SelectAttrValue("Binding", ""))
	require.Equal(t, testACS, acs[0].SelectAttrValue("Location", ""))
	slo := sp.SelectElements("SingleLogoutService")
	require.Len(t, slo, 2)
	require.Equal(t, crewjam.HTTPRedirectBinding, slo[0].SelectAttrValue("Binding", ""))
	require.Equal(t, testSLO, slo[0].SelectAttrValue("Location", ""))
	require.Equal(t, crewjam.HTTPPostBinding, slo[1].SelectAttrValue("Binding", ""))
	require.Equal(t, testSLO, slo[1].SelectAttrValue("Location", ""))

	var ed crewjam.EntityDescriptor
	require.NoError(t, xml.Unmarshal(rec.Body.Bytes(), &ed), "crewjam-based IdPs can read it")
	require.Equal(t, testEntityID, ed.EntityID)
}

// opaqueSigner hides the key type, as an HSM or a KMS would.
type opaqueSigner struct{ crypto.Signer }

func TestWithoutADecryptionKeyEncryptionIsNeitherOfferedNorAccepted(t *testing.T) {
	testKeys(t)
	e := newEnv(t, func(c *Config) { c.Key = opaqueSigner{spKeys.key} })
	for _, kd := range e.sp.Metadata().SPSSODescriptors[0].KeyDescriptors {
		require.NotEqual(t, "encryption", kd.Use)
	}
	rec, err := solicited(t, e, func(r *response) { r.encrypt = true })
	e.requireRefused(rec, err, ErrDecrypt)

	// Signing works with any crypto.Signer.
	req, relay, cookie := e.login("")
	rec, err = e.post(goodResponse(req.ID, e.now()).build(t), relay, cookie)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, rec.Code)
}

func TestConfig(t *testing.T) {
	testKeys(t)
	valid := func() Config {
		return Config{RootURL: testRoot, Mount: "/arendevy", Key: spKeys.key, Certificate: spKeys.cert, IdPMetadata: idpMetadata(true),
			Sessions: &fakeSink{}, Logger: discard()}
	}
	noSSO := idpMetadata(false)
	noSSO.IDPSSODescriptors[0].SingleSignOnServices = nil
	noCert := idpMetadata(false)
	noCert.IDPSSODescriptors[0].KeyDescriptors = nil
	for _, tc := range []struct {
		name   string
		change func(c *Config)
		want   string // "" when the config is fine
	}{
		{"valid", func(*Config) {}, ""},
		{"missing everything", func(c *Config) { *c = Config{} }, "Sessions: required"},
		{"plain http root", func(c *Config) { c.RootURL = "http://portal.test" }, "RootURL: must use https"},
		{"plain http on loopback in development", func(c *Config) {
			c.RootURL, c.AllowPlainHTTP = "http://127.0.0.1:8080", true
		}, ""},
		{"plain http off loopback even in development", func(c *Config) {
			c.RootURL, c.AllowPlainHTTP = "http://portal.test", true
		}, "RootURL: must use https"},
		{"certificate of another key", func(c *Config) { c.Certificate = idpKeys.cert }, "Certificate does not belong to Key"},
		{"IdP without SSO endpoint", func(c *Config) { c.IdPMetadata = noSSO }, "SingleSignOnService"},
		{"IdP without signing certificate", func(c *Config) { c.IdPMetadata = noCert }, "no signing certificate"},
		{"mount without slash", func(c *Config) { c.Mount = "arendevy" }, "Mount: must start with /"},
		{"no mount", func(c *Config) { c.Mount = "" }, "Mount: required"},
		{"absurd clock skew", func(c *Config) { c.ClockSkew = time.Hour }, "ClockSkew"},
		{"request lifetime too short", func(c *Config) { c.RequestLifetime = time.Second }, "RequestLifetime"},
		{"default return off site", func(c *Config) { c.DefaultReturn = "https://evil.test" }, "DefaultReturn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.change(&c)
			sp, err := New(c)
			if tc.want == "" {
				require.NoError(t, err)
				require.NotNil(t, sp)
				return
			}
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestPlainHTTPDevelopmentCookie(t *testing.T) {
	testKeys(t)
	sink := &fakeSink{}
	sp, err := New(Config{RootURL: "http://localhost:8080", Mount: "/arendevy", AllowPlainHTTP: true, Key: spKeys.key, Certificate: spKeys.cert,
		IdPMetadata: idpMetadata(false), Sessions: sink, Logger: discard()})
	require.NoError(t, err)
	for _, tc := range []struct {
		name, target string
		secure       bool
	}{
		{"plain http on loopback", "http://localhost:8080/arendevy/saml/login", false},
		{"https", "https://localhost:8080/arendevy/saml/login", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			sp.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.target, nil))
			c := rec.Result().Cookies()[0]
			require.Equal(t, tc.secure, c.Secure)
			if tc.secure {
				require.Equal(t, http.SameSiteNoneMode, c.SameSite)
			} else {
				require.Equal(t, http.SameSiteLaxMode, c.SameSite)
			}
		})
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
