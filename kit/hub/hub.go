// Package hub is the client of the case hub ("ärendenavet"): the service that
// collects case information from producers and serves one customer's cases
// to a view on request. The contract is docs/hub-openapi.yaml.
//
// A Client is a cases.Source (the overview) and a preferences.Store (the
// customer's settings kept at the hub). It talks to the hub over mutual TLS,
// sends identity numbers only in request bodies (never in URLs, which end up
// in access logs), bounds every call by a deadline and every answer by a
// size cap, and decodes answers strictly. Its errors say what was wrong and
// where (a status code, a field path) but never quote the answer, so they
// are safe to log and to show.
package hub

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/internal/outgoing"
	"github.com/arendevy/arendevy/kit/preferences"
)

// Defaults for Config.
const (
	DefaultTimeout  = 2 * time.Second
	DefaultMaxBytes = 4 << 20
)

// The hub's endpoints, relative to Config.URL.
const (
	pathOverview         = "v1/overview"
	pathPreferencesQuery = "v1/preferences/query"
	pathPreferences      = "v1/preferences"
	pathPreferencesDel   = "v1/preferences/delete"
	pathSettingsQuery    = "v1/account-settings/query"
	pathSettings         = "v1/account-settings"
	pathSettingsDelete   = "v1/account-settings/delete"
)

// maxProblemBytes bounds how much of an error answer is read.
const maxProblemBytes = 16 << 10

// ReservedHeaders are the headers the hub client sets itself; Config.Headers
// may hold none of them.
var ReservedHeaders = outgoing.Reserved("Accept", "Content-Type", correlationHeader)

// correlationHeader carries the fan-out's correlation id for the request
// (cases.WithCorrelationID), so that the hub's log and ours name it alike.
const correlationHeader = "X-Correlation-ID"

// Config says where the hub is and how to reach it.
type Config struct {
	// URL is the hub's base URL, https only; the endpoints /v1/… are below it.
	URL string
	// TLS carries the client certificate the hub knows this view actor by
	// (Certificates or GetClientCertificate: required) and the roots that
	// sign the hub's certificate (RootCAs; nil means the system's).
	TLS *tls.Config
	// Timeout bounds each call, from dialling to the last byte; default 2 s.
	Timeout time.Duration
	// MaxBytes caps an answer's body; default 4 MiB.
	MaxBytes int64
	// Headers are sent with every request, e.g. an API gateway's key in
	// front of the hub; the hub itself knows the view actor by its client
	// certificate. Their values are never logged or put in errors. They may
	// not replace the headers the protocol needs.
	Headers map[string]string
	// Name is the source's name in outcomes, logs and metrics, e.g. "hub".
	Name string
	// Actor is the hub's operator, whom the user is told about when the hub
	// as a whole fails or sends a case that cannot be attributed.
	Actor cases.Actor
}

// ConfigError lists every problem of a Config.
type ConfigError struct{ Problems []string }

func (e *ConfigError) Error() string { return "hub config: " + strings.Join(e.Problems, "; ") }

// StatusError is an answer with an unexpected HTTP status.
type StatusError struct {
	Method, Endpoint string
	Code             int
	// Type is the problem type URI of an RFC 9457 answer, when it is a plain
	// absolute URI, for a program to tell problems apart; the problem's
	// other members are not kept, since they are free text that could hold
	// anything. Error leaves it out: what is logged is the kit's own words.
	Type string
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("hub %s /%s: answered %d %s", e.Method, e.Endpoint, e.Code, http.StatusText(e.Code))
	if hint := statusHint(e.Code); hint != "" {
		s += ": " + hint
	}
	return s
}

func statusHint(code int) string {
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return "the hub does not accept this view actor; check the client certificate"
	case code == http.StatusNotFound || code == http.StatusMethodNotAllowed:
		return "no such endpoint; check Config.URL"
	case code == http.StatusTooManyRequests:
		return "rate limited by the hub"
	case code >= 300 && code < 400:
		return "redirects are not followed"
	case code >= 400 && code < 500:
		return "the hub refused the request as sent"
	case code >= 500:
		return "the hub failed"
	}
	return ""
}

// Client talks to one hub. It is safe for concurrent use.
type Client struct {
	cfg  Config
	base *url.URL
	http *http.Client
}

// New checks cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	base, err := url.Parse(cfg.URL)
	switch {
	case cfg.URL == "":
		bad("URL: required")
	case err != nil:
		bad("URL: not a URL")
	case base.Scheme != "https":
		bad("URL: must be https (the hub is reached over mutual TLS)")
	case base.Host == "" || base.User != nil || base.RawQuery != "" || base.Fragment != "":
		bad("URL: must be https://host[:port][/path], without user, query or fragment")
	}
	switch {
	case cfg.TLS == nil:
		bad("TLS: required: the hub is reached over mutual TLS")
	case len(cfg.TLS.Certificates) == 0 && cfg.TLS.GetClientCertificate == nil:
		bad("TLS: a client certificate is required (Certificates or GetClientCertificate)")
	case cfg.TLS.InsecureSkipVerify:
		bad("TLS: InsecureSkipVerify is not allowed; give the hub's CA in RootCAs")
	}
	if cfg.Timeout < 0 {
		bad("Timeout: must not be negative")
	}
	if cfg.MaxBytes < 0 {
		bad("MaxBytes: must not be negative")
	}
	problems = append(problems, outgoing.HeaderProblems(cfg.Headers, ReservedHeaders)...)
	if cfg.Name == "" {
		bad("Name: required")
	}
	if cfg.Actor.ID == "" || cfg.Actor.Name == "" {
		bad("Actor: ID and Name required")
	}
	if len(problems) > 0 {
		return nil, &ConfigError{Problems: problems}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	cfg.Headers = maps.Clone(cfg.Headers) // the caller keeps its map
	return &Client{
		cfg:  cfg,
		base: base,
		http: outgoing.New(outgoing.Options{TLS: cfg.TLS, Timeout: cfg.Timeout}),
	}, nil
}

// Member is the client as one source of a fan-out.
func (c *Client) Member() fanout.Member {
	return fanout.Member{Name: c.cfg.Name, Actor: c.cfg.Actor, Source: c, Timeout: c.cfg.Timeout}
}

// ErrNoCustomer is returned when the subject names no customer.
var ErrNoCustomer = errors.New("hub: no customer in the subject")

func wireParty(p identity.Party) (party, error) {
	switch {
	case p.IsZero():
		return party{}, ErrNoCustomer
	case p.Kind != identity.Personnummer && p.Kind != identity.Samordningsnummer && p.Kind != identity.Organisationsnummer:
		return party{}, fmt.Errorf("hub: party of unknown kind %q", p.Kind)
	}
	return party{Kind: p.Kind, Number: p.Number}, nil
}

// Overview asks the hub for the subject's customer's cases. Each producer the
// hub reports on gets an outcome; a case that cannot be read is counted in
// its producer's outcome and the others are returned. The error is non-nil
// only when nothing usable came back: it wraps cases.ErrInvalidResponse for
// an answer that could not be decoded, context.DeadlineExceeded for a hub
// too slow, and is a *StatusError for an unexpected status.
func (c *Client) Overview(ctx context.Context, s identity.Subject) (cases.Result, error) {
	customer := s.Customer()
	req := overviewRequest{}
	var err error
	if req.Customer, err = wireParty(customer); err != nil {
		return cases.Result{}, err
	}
	if s.IsAgent() {
		u, err := wireParty(s.User)
		if err != nil {
			return cases.Result{}, err
		}
		req.User = &u
	}
	_, data, err := c.call(ctx, http.MethodPost, pathOverview, req, http.StatusOK)
	if err != nil {
		return cases.Result{}, err
	}
	res, p := decodeOverview(data, customer, c.cfg.Name, c.cfg.Actor)
	if p != nil {
		return cases.Result{}, invalid(http.MethodPost, pathOverview, p.Error())
	}
	return res, nil
}

// Get returns the party's preferences kept at the hub, or
// preferences.Default() when the hub has none (it answers 204).
func (c *Client) Get(ctx context.Context, p identity.Party) (preferences.Preferences, error) {
	if p.IsZero() {
		return preferences.Preferences{}, preferences.ErrNoParty
	}
	wp, err := wireParty(p)
	if err != nil {
		return preferences.Preferences{}, err
	}
	status, data, err := c.call(ctx, http.MethodPost, pathPreferencesQuery, customerOnly{wp}, http.StatusOK, http.StatusNoContent)
	if err != nil {
		return preferences.Preferences{}, err
	}
	if status == http.StatusNoContent {
		return preferences.Default(), nil
	}
	prefs, err := preferences.Decode(data)
	if err != nil {
		// preferences.Decode never quotes its input.
		return preferences.Preferences{}, invalid(http.MethodPost, pathPreferencesQuery, err.Error())
	}
	return prefs, nil
}

// Put validates prefs and stores them at the hub for the party.
func (c *Client) Put(ctx context.Context, p identity.Party, prefs preferences.Preferences) error {
	if p.IsZero() {
		return preferences.ErrNoParty
	}
	wp, err := wireParty(p)
	if err != nil {
		return err
	}
	if err := prefs.Validate(); err != nil {
		return err
	}
	_, _, err = c.call(ctx, http.MethodPut, pathPreferences, struct {
		Customer    party                   `json:"customer"`
		Preferences preferences.Preferences `json:"preferences"`
	}{wp, prefs}, http.StatusNoContent)
	return err
}

// Delete asks the hub to forget the party's preferences (the customer
// withdrew their consent).
func (c *Client) Delete(ctx context.Context, p identity.Party) error {
	if p.IsZero() {
		return preferences.ErrNoParty
	}
	return c.forget(ctx, pathPreferencesDel, p)
}

// forget posts the party to one of the hub's delete endpoints, which
// answer 204 whether or not anything was kept.
func (c *Client) forget(ctx context.Context, endpoint string, p identity.Party) error {
	wp, err := wireParty(p)
	if err != nil {
		return err
	}
	_, _, err = c.call(ctx, http.MethodPost, endpoint, customerOnly{wp}, http.StatusNoContent)
	return err
}

// customerOnly is the body of the requests that name the customer alone.
type customerOnly struct {
	Customer party `json:"customer"`
}

var (
	_ cases.Source      = (*Client)(nil)
	_ preferences.Store = (*Client)(nil)
)

func invalid(method, endpoint, reason string) error {
	return fmt.Errorf("hub %s /%s: %w: %s", method, endpoint, cases.ErrInvalidResponse, reason)
}

// call sends body as JSON and returns the status and, for a status other
// than 204, the JSON body read within the cap. A status not in want is a
// *StatusError. Transport errors keep their cause (a deadline stays
// errors.Is context.DeadlineExceeded) but lose the URL.
func (c *Client) call(ctx context.Context, method, endpoint string, body any, want ...int) (int, []byte, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return 0, nil, fmt.Errorf("hub %s /%s: encoding the request: %w", method, endpoint, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base.JoinPath(endpoint).String(), bytes.NewReader(payload))
	if err != nil {
		return 0, nil, fmt.Errorf("hub %s /%s: %w", method, endpoint, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, application/problem+json")
	if id := cases.CorrelationIDOf(ctx); id != "" {
		req.Header.Set(correlationHeader, id)
	}
	outgoing.SetHeaders(req.Header, c.cfg.Headers)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, transportError(ctx, method, endpoint, err)
	}
	defer resp.Body.Close()

	if !slices.Contains(want, resp.StatusCode) {
		return 0, nil, &StatusError{Method: method, Endpoint: endpoint, Code: resp.StatusCode, Type: problemType(resp)}
	}
	if resp.StatusCode == http.StatusNoContent {
		return resp.StatusCode, nil, nil
	}
	if mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "application/json" ||
		(params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return 0, nil, invalid(method, endpoint, "Content-Type is not application/json")
	}
	if resp.ContentLength > c.cfg.MaxBytes {
		return 0, nil, invalid(method, endpoint, fmt.Sprintf("answer larger than %d bytes", c.cfg.MaxBytes))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBytes+1))
	if err == nil && ctx.Err() != nil {
		// The deadline cut the answer short, though the read may end in a
		// clean EOF: a slow hub is a timeout, not a truncated answer.
		err = ctx.Err()
	}
	if err != nil {
		return 0, nil, transportError(ctx, method, endpoint, err)
	}
	if int64(len(data)) > c.cfg.MaxBytes {
		return 0, nil, invalid(method, endpoint, fmt.Sprintf("answer larger than %d bytes", c.cfg.MaxBytes))
	}
	return resp.StatusCode, data, nil
}

// transportError drops the URL a *url.Error repeats and, when the call's
// context ended, says so in a way errors.Is sees whatever the transport's
// own wording, so that a slow hub becomes a timeout outcome.
func transportError(ctx context.Context, method, endpoint string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("hub %s /%s: %w (%w)", method, endpoint, ctxErr, err)
	}
	return fmt.Errorf("hub %s /%s: %w", method, endpoint, err)
}

// problemType returns the type URI of an RFC 9457 error answer when it is a
// short absolute URI of printable ASCII that could not hold an identity
// number, else "".
func problemType(resp *http.Response) string {
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/problem+json" {
		return ""
	}
	var p struct {
		Type string `json:"type"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, maxProblemBytes)).Decode(&p) != nil || p.Type == "about:blank" ||
		len(p.Type) > 200 || strings.ContainsFunc(p.Type, func(r rune) bool { return r <= ' ' || r > '~' }) || mayHoldNumber(p.Type) {
		return ""
	}
	if u, err := url.Parse(p.Type); err != nil || !u.IsAbs() || u.RawQuery != "" || u.Fragment != "" {
		return ""
	}
	return p.Type
}
