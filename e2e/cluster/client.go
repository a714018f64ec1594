package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"github.com/arendevy/arendevy/e2e/htmlform"
)

// Client is one person's browser without the rendering: a cookie jar and
// the forms a login goes through, the development IdP's auto-posted SAML
// Response included.
type Client struct {
	base string
	http *http.Client
}

// NewClient returns a client of the portal at base.
func NewClient(base string) *Client {
	jar, _ := cookiejar.New(nil) // cannot fail without options
	return &Client{base: base, http: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

// Captured is what a login's last hop carried: the IdP's form to the ACS
// and the request-tracking cookie that went with it. Posted again anywhere
// it must be refused.
type Captured struct {
	ACS    string
	Form   url.Values
	Cookie *http.Cookie
}

// ErrLogin is a login that did not end logged in.
var ErrLogin = errors.New("cluster: login failed")

// LogIn logs in as the development IdP's persona number persona (0-based,
// in the chooser's order) and returns the SAML Response it used.
func (c *Client) LogIn(ctx context.Context, persona int) (Captured, error) {
	resp, page, err := c.do(ctx, http.MethodGet, c.base+"/arendevy/saml/login?return=/mina-arenden", nil, nil)
	if err != nil {
		return Captured{}, err
	}
	forms := htmlform.Parse(page)
	if len(forms) > 0 && len(forms[0].Radios) > 0 { // the chooser; else the IdP remembered us
		f := forms[0]
		if persona >= len(f.Radios) {
			return Captured{}, fmt.Errorf("%w: no persona %d", ErrLogin, persona)
		}
		f.Fields.Set("persona", f.Radios[persona])
		action, err := resp.Request.URL.Parse(f.Action)
		if err != nil {
			return Captured{}, err
		}
		if resp, page, err = c.do(ctx, http.MethodPost, action.String(), f.Fields, nil); err != nil {
			return Captured{}, err
		}
		forms = htmlform.Parse(page)
	}
	if resp.StatusCode != http.StatusOK || len(forms) != 1 || forms[0].Fields.Get("SAMLResponse") == "" {
		return Captured{}, fmt.Errorf("%w: no SAML Response from the IdP (HTTP %d)", ErrLogin, resp.StatusCode)
	}
	cp := Captured{ACS: forms[0].Action, Form: forms[0].Fields}
	acs, err := url.Parse(cp.ACS)
	if err != nil {
		return Captured{}, err
	}
	for _, ck := range c.http.Jar.Cookies(acs) {
		if strings.HasPrefix(ck.Name, "arendevy_saml_") {
			cp.Cookie = ck
		}
	}
	resp, _, err = c.do(ctx, http.MethodPost, cp.ACS, cp.Form, nil)
	if err != nil {
		return cp, err
	}
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/mina-arenden" {
		return cp, fmt.Errorf("%w: the ACS ended at %s with HTTP %d", ErrLogin, resp.Request.URL.Path, resp.StatusCode)
	}
	return cp, nil
}

// Replay posts a captured Response, with its tracking cookie, to the ACS of
// the instance at base, from a browser of its own (an attacker who copied
// both); it reports whether that logged the attacker in.
func Replay(ctx context.Context, base string, cp Captured) (bool, error) {
	a := NewClient(base)
	u, err := url.Parse(base + "/arendevy/saml/acs")
	if err != nil {
		return false, err
	}
	if cp.Cookie != nil {
		a.http.Jar.SetCookies(u, []*http.Cookie{{Name: cp.Cookie.Name, Value: cp.Cookie.Value, Path: "/arendevy/saml/acs"}})
	}
	if _, _, err := a.do(ctx, http.MethodPost, u.String(), cp.Form, nil); err != nil {
		return false, err
	}
	status, _, err := a.Overview(ctx)
	return status == http.StatusOK, err
}

// Overview asks for the overview as the element does and returns the
// status and the decoded answer (nil unless 200).
func (c *Client) Overview(ctx context.Context) (int, *OverviewAnswer, error) {
	resp, body, err := c.do(ctx, http.MethodGet, c.base+"/arendevy/api/overview", nil, http.Header{"Accept": {"application/json"}})
	if err != nil {
		return 0, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil, nil
	}
	var a OverviewAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("cluster: overview not JSON: %w", err)
	}
	return resp.StatusCode, &a, nil
}

// OverviewAnswer is the part of the overview the fault run reads.
type OverviewAnswer struct {
	Cases   []json.RawMessage `json:"cases"`
	Sources []struct {
		Producer struct {
			ID string `json:"id"`
		} `json:"producer"`
		State string `json:"state"`
	} `json:"sources"`
}

// State is the outcome the answer gives the source (or producer) id; "" when
// it names none.
func (a *OverviewAnswer) State(id string) string {
	for _, s := range a.Sources {
		if s.Producer.ID == id {
			return s.State
		}
	}
	return ""
}

// LogOut logs out through the portal's logout form (and the IdP's single
// logout, which comes back to the portal).
func (c *Client) LogOut(ctx context.Context) error {
	resp, body, err := c.do(ctx, http.MethodGet, c.base+"/arendevy/api/csrf", nil, http.Header{"Accept": {"application/json"}})
	if err != nil {
		return err
	}
	var tok struct{ Token string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &tok) != nil {
		return fmt.Errorf("cluster: no CSRF token (HTTP %d)", resp.StatusCode)
	}
	resp, _, err = c.do(ctx, http.MethodPost, c.base+"/arendevy/saml/logout",
		url.Values{"csrf": {tok.Token}, "return": {"/"}}, http.Header{"Sec-Fetch-Site": {"same-origin"}})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("cluster: logout ended with HTTP %d", resp.StatusCode)
	}
	return nil
}

// do sends one request, follows redirects, and returns the last answer
// with its body (at most 4 MiB).
func (c *Client) do(ctx context.Context, method, target string, form url.Values, h http.Header) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp, string(b), err
}
