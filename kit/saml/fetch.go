package saml

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/arendevy/arendevy/kit/internal/outgoing"
)

// Bounds of FetchIdPMetadata. A federation's aggregate is larger than one
// IdP's metadata, but a portal names its IdP's own.
const (
	fetchTimeout    = 10 * time.Second
	maxMetadataSize = 4 << 20
)

// FetchIdPMetadata reads the IdP's metadata from u, as a portal does once
// at start, through the kit's outgoing client (every step bounded, TLS 1.2
// at least). A redirect is not followed: the metadata decides whose
// assertions are trusted, so the configured URL is the one the operator
// vouched for, and a redirect elsewhere is reported, naming where it
// pointed, for the operator to configure instead. The caller parses what
// it gets.
func FetchIdPMetadata(ctx context.Context, u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := outgoing.New(outgoing.Options{Timeout: fetchTimeout}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if location := resp.Header.Get("Location"); resp.StatusCode/100 == 3 && location != "" {
		return nil, fmt.Errorf("answered %s to %q; redirects are not followed: configure the address it names if you trust it", resp.Status, location)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("answered %s", resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxMetadataSize))
}
