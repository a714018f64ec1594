package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIdPMetadataRedirectIsNotFollowed: the metadata decides whose
// assertions the portal trusts, so a metadata URL that redirects elsewhere
// is refused at start with the address it names, and the other address is
// never asked.
func TestIdPMetadataRedirectIsNotFollowed(t *testing.T) {
	asked := false
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { asked = true }))
	t.Cleanup(elsewhere.Close)
	idp := httptest.NewServer(http.RedirectHandler(elsewhere.URL+"/metadata", http.StatusFound))
	t.Cleanup(idp.Close)

	_, err := fetchMetadata(context.Background(), idp.URL+"/metadata")
	require.ErrorContains(t, err, "302 Found")
	require.ErrorContains(t, err, elsewhere.URL+"/metadata")
	require.False(t, asked, "the redirect's target must not be asked")
}
