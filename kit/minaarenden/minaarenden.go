// Package minaarenden is a cases.Source over the live Swedish standard
// Mina ärenden 6.1: it asks Skatteverket's forwarding service
// ("vidareförmedlingstjänsten") for the customer's events
// (kundhandelseFragaSynkron) and derives standard cases from them (Derive).
//
// The standard has no four statuses, no deep link, no officer and no
// processing time; cases from this source carry none of them but what the
// events say and the portal's mapping adds. Nothing here logs: errors and
// outcomes carry no identity and no case data, only the service's own error
// message, cleaned.
package minaarenden

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/internal/outgoing"
)

// Defaults and the standard's limits.
const (
	DefaultSince    = 365 * 24 * time.Hour
	DefaultPageSize = 200
	MaxPageSize     = 1000 // the standard's limit on paginering.limit
	DefaultMaxPages = 5
	DefaultMaxBytes = 4 << 20
	MaxTypes        = 100 // the standard's limit on kundhandelseTyper
	MaxTags         = 100 // the standard's limit on taggar
)

// Operation is the path segment of the synchronous query, appended to Config.URL.
const Operation = "kundhandelseFragaSynkron"

// correlationHeader is spelled as the standard spells it, not canonicalised.
const correlationHeader = "skv_client_correlation_id"

// ReservedHeaders are the headers the client sets itself; Config.Headers
// may hold none of them.
var ReservedHeaders = outgoing.Reserved("Accept", "Content-Type", correlationHeader)

// ServiceID is the actor ID of the forwarding service.
const ServiceID = "mina-arenden"

// Service is the forwarding service as an actor, named by the default
// catalogue. Outcomes it cannot pin on a named producer are reported under
// it (under Client.Service, named by the client's catalogue); use that as
// the fan-out member's Actor so that whole-request failures land on the
// same line.
var Service = DefaultCatalogue().Actor()

// Actor is the forwarding service as an actor, under the catalogue's name.
func (c *Catalogue) Actor() cases.Actor { return cases.Actor{ID: ServiceID, Name: c.Service} }

// Config configures a Client. Only URL is required.
type Config struct {
	// URL is the base of the forwarding service; Operation is appended.
	// https, or http to a loopback host (tests, local stubs).
	URL string
	// TLS carries the client certificate the service requires (mutual TLS)
	// and the roots its certificate must chain to; nil: the system's roots
	// and no client certificate.
	TLS *tls.Config
	// Timeout bounds each request, from dialling to the last byte of the
	// answer; default 3 s.
	Timeout time.Duration
	// HTTPClient replaces the client built from TLS and Timeout, for tests
	// against a stub. It is not trusted to refuse redirects: the Client
	// uses a copy that does.
	HTTPClient *http.Client
	// Headers are sent with every request, e.g. client_id and client_secret.
	// Their values are never logged or put in errors. They may replace
	// Accept-Language (default: the page's language, cases.LanguageOf), not the headers the protocol needs.
	Headers map[string]string
	// User is sent as "anvandare" instead of the logged-in user's identity
	// number, for a service identity agreed with Skatteverket. Default: the
	// number of the person who is looking (the agent, when acting for
	// somebody), which is whom the standard means.
	User string
	// Types and Tags narrow the query (kundhandelseTyper, prefix-matched on
	// the dotted type; taggar). Empty: every event.
	Types []string
	Tags  []string
	// Since is how far back events are asked for (startDatum); default 365 days.
	Since time.Duration
	// PageSize is events per request (at most 1000), default 200; MaxPages
	// bounds the requests per overview, default 5. The newest events come
	// first, so a cut leaves out the oldest, and the outcome says so.
	PageSize int
	MaxPages int
	// MaxBytes caps one answer's body; default 4 MiB.
	MaxBytes int64
	// Catalogue gives event types their standard status, case titles and
	// the wording of planned events (see Rules); nil: DefaultCatalogue.
	Catalogue *Catalogue
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// ErrConfig is wrapped by New's error, which names every problem.
var ErrConfig = errors.New("minaarenden: invalid config")

// ErrParty means the subject names no customer the service can be asked about.
var ErrParty = errors.New("minaarenden: no customer the service can be asked about")

// ServiceError is an error answer of the forwarding service as a whole. The
// service's own words are not kept: they may echo the request (an identity
// number, a name), and the status and the correlation id are what
// Skatteverket needs to find the request.
type ServiceError struct {
	StatusCode    int
	CorrelationID string // to quote when asking Skatteverket about the request
}

func (e *ServiceError) Error() string {
	s := fmt.Sprintf("minaarenden: forwarding service answered %d %s (correlation id %s)",
		e.StatusCode, http.StatusText(e.StatusCode), e.CorrelationID)
	if hint := statusHints[e.StatusCode]; hint != "" {
		s += ": " + hint
	} else if e.StatusCode >= 300 && e.StatusCode < 400 {
		s += ": redirects are not followed"
	}
	return s
}

// statusHints say what an error status of the published API means for
// whoever runs the portal: where to look before calling Skatteverket.
var statusHints = map[int]string{
	http.StatusBadRequest:          "the service refused the query as not correctly put",
	http.StatusUnauthorized:        "the credentials (Headers, client certificate) are missing or not accepted",
	http.StatusForbidden:           "the credentials are not allowed this operation",
	http.StatusNotFound:            "no such operation at URL, or the producer is not configured there",
	http.StatusTooManyRequests:     "too many requests; the service asks to slow down",
	http.StatusInternalServerError: "the service failed",
	http.StatusServiceUnavailable:  "the service is unavailable",
}

// Client asks the forwarding service. It is safe for concurrent use.
type Client struct {
	cfg      Config
	endpoint string
}

// Service is the forwarding service as an actor, named by the client's
// catalogue: whole-request failures and reports that name no producer.
func (c *Client) Service() cases.Actor { return c.cfg.Catalogue.Actor() }

// typePattern is the shape of a kundhandelseTyp or a prefix of one, as keys
// of Mapping and Titles (a segment alone may be mapped).
var typePattern = regexp.MustCompile(`^[A-ZÅÄÖ0-9_]+(\.[A-ZÅÄÖ0-9_]+)*$`)

// queryTypePattern is what the published API accepts in kundhandelseTyper
// (at most maxTypeLen characters); a filter it would refuse fails every
// request, so New refuses it instead.
var queryTypePattern = regexp.MustCompile(`^[A-Z]+(?:\.[A-Z0-9_.]+)?$`)

// Limits of the published API on the query's strings.
const (
	maxTypeLen = 200 // a kundhandelseTyp in the query
	maxTagLen  = 100 // a tag
)

// numberPattern is anvandare as the published API requires it: 12 digits.
var numberPattern = regexp.MustCompile(`^[0-9]{12}$`)

// TypeProblem says why s cannot be sent in kundhandelseTyper, or "". The
// portal's config check uses it too, so both refuse the same.
func TypeProblem(s string) string {
	if len(s) > maxTypeLen || !queryTypePattern.MatchString(s) {
		return fmt.Sprintf("must match %s, at most %d characters (e.g. KOMMUN.BYGGLOV)", queryTypePattern, maxTypeLen)
	}
	return ""
}

// TagProblem says why s cannot be sent in taggar, or read from an
// event's, or "".
func TagProblem(s string) string {
	if !usableText(s, maxTagLen) {
		return fmt.Sprintf("must be text of 1 to %d characters", maxTagLen)
	}
	return ""
}

// UserProblem says why s cannot be sent as anvandare, or "".
func UserProblem(s string) string {
	if !numberPattern.MatchString(s) {
		return "must be 12 digits, as the service requires of anvandare"
	}
	return ""
}

// New checks cfg, fills in defaults and returns a Client. The error wraps
// ErrConfig and names every problem.
func New(cfg Config) (*Client, error) {
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }

	endpoint := ""
	if cfg.URL == "" {
		bad("URL: required")
	} else if u, err := url.Parse(cfg.URL); err != nil || u.Host == "" {
		bad("URL: not an absolute URL")
	} else if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		bad("URL: must not contain user information, a query or a fragment")
	} else if u.Scheme != "https" && (u.Scheme != "http" || !loopback(u.Hostname())) {
		bad("URL: must be https (http only to a loopback host)")
	} else {
		endpoint = u.JoinPath(Operation).String()
	}
	switch {
	case cfg.HTTPClient != nil && cfg.TLS != nil:
		bad("HTTPClient and TLS: give one; HTTPClient is for tests")
	case cfg.TLS != nil && cfg.TLS.InsecureSkipVerify:
		bad("TLS: InsecureSkipVerify is not allowed; give the service's CA in RootCAs")
	}
	if cfg.Timeout < 0 {
		bad("Timeout: must not be negative")
	}
	problems = append(problems, outgoing.HeaderProblems(cfg.Headers, ReservedHeaders)...)
	if cfg.User != "" {
		if p := UserProblem(cfg.User); p != "" {
			bad("User: %s", p)
		}
	}
	checkList := func(field string, list []string, max int, problem func(string) string) {
		if len(list) > max {
			bad("%s: at most %d, got %d", field, max, len(list))
		}
		for i, s := range list {
			switch p := problem(s); {
			case p != "":
				bad("%s[%d]: %s", field, i, p)
			case slices.Index(list, s) < i:
				bad("%s[%d]: %q given twice", field, i, s)
			}
		}
	}
	checkList("Types", cfg.Types, MaxTypes, TypeProblem)
	checkList("Tags", cfg.Tags, MaxTags, TagProblem)
	if cfg.Since < 0 {
		bad("Since: must not be negative")
	}
	if cfg.PageSize < 0 || cfg.PageSize > MaxPageSize {
		bad("PageSize: must be between 1 and %d (0 for %d)", MaxPageSize, DefaultPageSize)
	}
	if cfg.MaxPages < 0 {
		bad("MaxPages: must not be negative")
	}
	if cfg.MaxBytes < 0 {
		bad("MaxBytes: must not be negative")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrConfig, strings.Join(problems, "; "))
	}

	// The caller keeps its maps and slices; the Client must not see them
	// change. A Catalogue is not changed after parsing.
	cfg.Headers = maps.Clone(cfg.Headers)
	if cfg.Catalogue == nil {
		cfg.Catalogue = DefaultCatalogue()
	}
	cfg.Types, cfg.Tags = slices.Clone(cfg.Types), slices.Clone(cfg.Tags)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = outgoing.New(outgoing.Options{TLS: cfg.TLS, Timeout: cfg.Timeout})
	} else {
		cfg.HTTPClient = outgoing.WithoutRedirects(cfg.HTTPClient)
	}
	if cfg.Since == 0 {
		cfg.Since = DefaultSince
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.MaxPages == 0 {
		cfg.MaxPages = DefaultMaxPages
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg, endpoint: endpoint}, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// usableText reports whether s is valid UTF-8 of 1 to max characters, not
// blank, without control or bidi characters: what the view accepts.
func usableText(s string, max int) bool {
	return utf8.ValidString(s) && strings.TrimSpace(s) != "" && utf8.RuneCountInString(s) <= max && !strings.ContainsFunc(s, unsafeRune)
}

// Overview asks for the subject's customer and derives the cases. Every
// producer seen in events or in the service's sub-query reports gets an
// outcome; an error is returned only when the first request got nothing
// usable (or the context ended).
func (c *Client) Overview(ctx context.Context, subject identity.Subject) (cases.Result, error) {
	customer := subject.Customer()
	kund, err := customerParty(customer)
	if err != nil {
		return cases.Result{}, err
	}
	user := c.cfg.User
	if user == "" {
		if subject.User.IsZero() {
			return cases.Result{}, fmt.Errorf("%w: no logged-in user to name as anvandare", ErrParty)
		}
		user = subject.User.Number
	}
	if !numberPattern.MatchString(user) {
		// The service would answer 400 to it; say so without quoting it.
		return cases.Result{}, fmt.Errorf("%w: the logged-in user's number is not 12 digits, as anvandare must be", ErrParty)
	}
	// The page's language: the service's texts are asked for in it, and
	// the catalogue's are given in it.
	lang := cmp.Or(cases.LanguageOf(ctx), "sv")
	now := c.cfg.Now().UTC()
	// The window looks back Since, and as many windows further as the user
	// asked for (cases.WithOlder).
	start := now.Add(-c.cfg.Since * time.Duration(1+cases.OlderOf(ctx)))
	q := request{
		Fraga: question{
			Parter:            []party{{Kund: &kund}},
			KundhandelseTyper: c.cfg.Types,
			Taggar:            c.cfg.Tags,
			StartDatum:        start.Format(time.DateOnly),
			// Tomorrow in UTC is today or later in Sweden, so no event of
			// today is left out whatever zone the service counts days in.
			SlutDatum: now.AddDate(0, 0, 1).Format(time.DateOnly),
			Behandling: treatment{
				// Newest first: when paging stops early it is the oldest that is missing.
				Sortering:  []sortKey{{Attribut: "TIDPUNKT", Stigande: false}},
				Paginering: paging{Limit: c.cfg.PageSize},
			},
		},
		Anvandare: user,
	}

	// Whether there are events before the window is asked alongside, so
	// that older cases are never silently gone: the page says they exist
	// and offers to reach further.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // the question about older events ends with the overview
	older := make(chan olderEvents, 1)
	go func() { older <- c.olderEvents(ctx, q, lang, kund, start) }()

	var (
		pages   []page
		fetched int
		note    string // for the log
		cut     *cases.Truncation
	)
	for n := 1; ; n++ {
		q.Fraga.Behandling.Paginering.Offset = fetched
		pg, err := c.ask(ctx, q, lang, kund)
		if err != nil {
			if n == 1 || ctx.Err() != nil {
				return cases.Result{}, err
			}
			note = fmt.Sprintf("only the newest %d events could be fetched; the next page failed: %v", fetched, err)
			cut = &cases.Truncation{Reason: cases.CutFailedPage, Unit: cases.CountedEvents, Shown: fetched, Total: pages[len(pages)-1].total}
			break
		}
		pages = append(pages, pg)
		fetched += pg.count
		more := pg.count > 0 && (pg.hasTotal && fetched < pg.total || !pg.hasTotal && pg.count >= c.cfg.PageSize)
		if !more {
			break
		}
		if n >= c.cfg.MaxPages {
			cut = &cases.Truncation{Reason: cases.CutLimit, Unit: cases.CountedEvents, Shown: fetched, Total: pg.total}
			if pg.hasTotal {
				note = fmt.Sprintf("only the newest %d of %d events were fetched (%d pages of %d); older cases may be missing",
					fetched, pg.total, c.cfg.MaxPages, c.cfg.PageSize)
			} else {
				note = fmt.Sprintf("only the newest %d events were fetched (%d pages of %d); older cases may be missing",
					fetched, c.cfg.MaxPages, c.cfg.PageSize)
			}
			break
		}
	}
	r := c.result(pages, lang, note, cut)
	if o := <-older; o.err != nil {
		// Not knowing costs nothing shown; the log says why.
		svc := outcomeOf(&r, c.Service())
		addMessage(svc, fmt.Sprintf("whether there are events before %s is not known: %v", start.Format(time.DateOnly), o.err))
	} else if o.count > 0 && cut == nil {
		svc := outcomeOf(&r, c.Service())
		svc.Truncated = &cases.Truncation{Reason: cases.CutWindow, Unit: cases.CountedEvents, Total: o.count}
		addMessage(svc, fmt.Sprintf("%d events before %s were not fetched; the user may ask for them", o.count, start.Format(time.DateOnly)))
	}
	return r, nil
}

// outcomeOf is r's outcome of actor a, added when r has none.
func outcomeOf(r *cases.Result, a cases.Actor) *cases.Outcome {
	t := tally{list: r.Outcomes}
	o := t.get(a)
	r.Outcomes = t.list // o points into it
	return o
}

// olderEvents is how many events the service has before the window.
type olderEvents struct {
	count int
	err   error
}

// olderEvents asks for one event before start (the question q without its
// startDatum): the answer's total, or that page's count, says how many
// there are.
func (c *Client) olderEvents(ctx context.Context, q request, lang string, kund identifier, start time.Time) olderEvents {
	q.Fraga.StartDatum = ""
	q.Fraga.SlutDatum = start.AddDate(0, 0, -1).Format(time.DateOnly)
	q.Fraga.Behandling.Paginering = paging{Limit: 1}
	pg, err := c.ask(ctx, q, lang, kund)
	if err != nil {
		return olderEvents{err: err}
	}
	if pg.hasTotal {
		return olderEvents{count: pg.total}
	}
	return olderEvents{count: pg.count}
}

// result derives the cases of all pages and one outcome per producer. When
// the answer was cut (note for the log, cut for the page), every outcome
// says so: the oldest events are missing, whoever's they are.
func (c *Client) result(pages []page, lang, note string, cut *cases.Truncation) cases.Result {
	var events []Event
	for _, pg := range pages {
		events = append(events, pg.events...)
	}
	r := cases.Result{Cases: Derive(events, Rules{Catalogue: c.cfg.Catalogue, Lang: lang})}

	var t tally
	for _, e := range events {
		t.get(Producer(e.Producer))
	}
	for _, pg := range pages {
		for _, b := range pg.broken {
			a := c.Service()
			if b.producer != "" {
				a = Producer(b.producer)
			}
			o := t.get(a)
			if o.State == cases.OK {
				o.State = cases.Invalid
			}
			for _, p := range b.problems {
				if len(o.Problems) < cases.MaxProblems {
					o.Problems = append(o.Problems, p)
				}
			}
			// Counted as a rejected case of its producer; Settle keeps the
			// count and marks the outcome invalid.
			o.Rejected++
		}
		failed := false
		for _, s := range pg.subs {
			a := c.Service()
			if name := strings.TrimSpace(s.Producent); name != "" {
				a = Producer(name)
			}
			o := t.get(a)
			if strings.EqualFold(strings.TrimSpace(s.Status), "OK") && s.HTTPCode < 400 {
				continue
			}
			failed = true
			if o.State == cases.Failed || o.State == cases.Timeout {
				continue // the first report of a failure is enough
			}
			o.State = cases.Failed
			what := "failed"
			if s.HTTPCode == http.StatusGatewayTimeout || s.HTTPCode == http.StatusRequestTimeout || strings.Contains(strings.ToUpper(s.Status), "TIMEOUT") {
				o.State, what = cases.Timeout, "did not answer in time"
			}
			// The sub-query's status is the service's free text: its HTTP
			// code says the same in words of the protocol.
			m := fmt.Sprintf("the forwarding service reports that this producer %s (HTTP %d, correlation id %s)",
				what, s.HTTPCode, pg.correlationID)
			if about := describePart(s.Part); about != "" {
				// Which of the query's parts failed, without its number.
				m += " for " + about
			}
			if said := cleanMessage(s.Message); said != "" {
				// Support needs the producer's reason; cleanMessage keeps
				// no number that could name the customer.
				m += fmt.Sprintf(": %q", said)
			}
			addMessage(o, m)
		}
		if pg.partial && !failed {
			o := t.get(c.Service())
			addMessage(o, fmt.Sprintf("the forwarding service answered 206 (partial) without naming the producer that failed (correlation id %s)", pg.correlationID))
			o.Truncated = &cases.Truncation{Reason: cases.CutPartial}
		}
	}
	for i := range t.list {
		if n := t.list[i].Rejected; n > 0 {
			addMessage(&t.list[i], fmt.Sprintf("%d of its events could not be read", n))
		}
	}
	if cut != nil {
		if len(t.list) == 0 {
			t.get(c.Service())
		}
		for i := range t.list {
			addMessage(&t.list[i], note)
			t.list[i].Truncated = cut
		}
	}
	slices.SortFunc(t.list, func(a, b cases.Outcome) int {
		return strings.Compare(a.Producer.Name+"\x00"+a.Producer.ID, b.Producer.Name+"\x00"+b.Producer.ID)
	})
	r.Outcomes = t.list
	return r
}

// maxMessage caps a sub-query's message passed on in an outcome.
const maxMessage = 200

// digitRun is a run of digits, possibly broken by separators, long enough to
// be an identity number, an account or a case number.
var digitRun = regexp.MustCompile(`[0-9](?:[-+ ./]?[0-9]){5,}`)

// cleanMessage makes a delfraga's free text fit for an outcome: no control
// or bidi characters, runs of six or more digits masked (personal numbers,
// whatever the spelling), at most maxMessage characters.
func cleanMessage(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unsafeRune(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(digitRun.ReplaceAllString(s, "[number]")), " ")
	if r := []rune(s); len(r) > maxMessage {
		s = string(r[:maxMessage-1]) + "…"
	}
	return s
}

// describePart names a delfraga's part for support without the number it
// carries: the kind of customer and the firm, or the kind of case
// reference. "" when the service named no part.
func describePart(p *party) string {
	if p == nil {
		return ""
	}
	var parts []string
	if k := p.Kund; k != nil {
		s := "customer (" + partKind(k.Typ)
		if firm := cleanMessage(k.Tillagg); firm != "" {
			s += ", firm " + firm
		}
		parts = append(parts, s+")")
	}
	if a := p.Arende; a != nil {
		parts = append(parts, "case ("+partKind(a.Typ)+")")
	}
	return strings.Join(parts, " and ")
}

// partKinds are the identifier types the published API names: a part is
// described by one of them, or as of another kind, never in the service's
// own words.
var partKinds = []string{"Personnummer", "Organisationsnummer", "Samordningsnummer",
	"Konsumentreferens", "Producentarendereferens", "Diarienummer", "Kvittensnummer"}

func partKind(typ string) string {
	if slices.Contains(partKinds, typ) {
		return typ
	}
	return "another kind"
}

// tally keeps one outcome per producer.
type tally struct{ list []cases.Outcome }

func (t *tally) get(a cases.Actor) *cases.Outcome {
	for i := range t.list {
		if t.list[i].Producer.ID == a.ID {
			return &t.list[i]
		}
	}
	t.list = append(t.list, cases.Outcome{Producer: a, State: cases.OK})
	return &t.list[len(t.list)-1]
}

func addMessage(o *cases.Outcome, m string) {
	if o.Message != "" {
		m = o.Message + "; " + m
	}
	o.Message = m
}

// customerParty is the customer as the service names parties. Organisation
// numbers are sent with the 16 prefix, as 12 digits like personal numbers. A
// sole-trader firm of a person is the person's number with the firm's serial
// number (tillagg); without one the service answers for every firm.
func customerParty(p identity.Party) (identifier, error) {
	var id identifier
	switch {
	case p.IsZero():
		return identifier{}, fmt.Errorf("%w: the subject has no customer", ErrParty)
	case p.Kind == identity.Personnummer:
		id = identifier{Identifierare: p.Number, Typ: "Personnummer"}
	case p.Kind == identity.Samordningsnummer:
		id = identifier{Identifierare: p.Number, Typ: "Samordningsnummer"}
	case p.Kind == identity.Organisationsnummer && len(p.Number) == 10:
		id = identifier{Identifierare: "16" + p.Number, Typ: "Organisationsnummer"}
	case p.Kind == identity.Organisationsnummer:
		id = identifier{Identifierare: p.Number, Typ: "Organisationsnummer"}
	default:
		return identifier{}, fmt.Errorf("%w: a party of kind %q", ErrParty, p.Kind)
	}
	if p.Firm != "" {
		if p.Kind == identity.Organisationsnummer {
			return identifier{}, fmt.Errorf("%w: a firm serial number (tillagg) belongs to a person's number, not an organisation's", ErrParty)
		}
		if p := FirmProblem(p.Firm); p != "" {
			return identifier{}, fmt.Errorf("%w: the firm serial number (tillagg) %s", ErrParty, p)
		}
		id.Tillagg = p.Firm
	}
	return id, nil
}

// maxFirmLen is the published API's limit on kund.tillagg.
const maxFirmLen = 20

// FirmProblem says why s cannot be sent as kund.tillagg, or "".
func FirmProblem(s string) string {
	if !usableText(s, maxFirmLen) {
		return fmt.Sprintf("must be text of 1 to %d characters", maxFirmLen)
	}
	return ""
}

// ask sends one query and decodes its answer.
func (c *Client) ask(ctx context.Context, q request, lang string, customer identifier) (page, error) {
	body, err := json.Marshal(q)
	if err != nil {
		return page{}, fmt.Errorf("minaarenden: encoding the query: %w", err)
	}
	// A version 4 UUID, as the service description asks: the fan-out's for
	// the first page, which the overview's log line names, and a fresh one
	// for each further page, so that every request has its own.
	corr := cases.CorrelationIDOf(ctx)
	if corr == "" || q.Fraga.Behandling.Paginering.Offset > 0 {
		corr = cases.NewCorrelationID()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return page{}, fmt.Errorf("minaarenden: building the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	// The service's texts come in the page's language where the producer
	// has them.
	req.Header.Set("Accept-Language", lang)
	req.Header[correlationHeader] = []string{corr}
	outgoing.SetHeaders(req.Header, c.cfg.Headers) // a configured Accept-Language replaces the default
	fail := func(doing string, err error) (page, error) {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = ctxErr // the deadline is the cause, whatever the transport says
		}
		return page{}, fmt.Errorf("minaarenden: %s (correlation id %s): %w", doing, corr, err)
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return fail("asking the forwarding service", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBytes+1))
	if err != nil {
		return fail("reading the answer", err)
	}
	if int64(len(raw)) > c.cfg.MaxBytes {
		return page{}, fmt.Errorf("minaarenden: %w: answer larger than %d bytes (correlation id %s)", cases.ErrInvalidResponse, c.cfg.MaxBytes, corr)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		return page{}, &ServiceError{StatusCode: resp.StatusCode, CorrelationID: corr}
	}
	if reason := notJSON(resp.Header.Get("Content-Type")); reason != "" {
		return page{}, fmt.Errorf("minaarenden: %w: %s (correlation id %s)", cases.ErrInvalidResponse, reason, corr)
	}
	pg, err := decodePage(raw, customer, q.Fraga.Behandling.Paginering.Offset)
	if err != nil {
		return page{}, fmt.Errorf("minaarenden: %w (correlation id %s)", err, corr)
	}
	pg.correlationID = corr
	pg.partial = resp.StatusCode == http.StatusPartialContent
	return pg, nil
}

// notJSON says why a content type is not UTF-8 JSON, or "", without
// quoting it: it is the service's text.
func notJSON(contentType string) string {
	mt, params, err := mime.ParseMediaType(contentType)
	switch {
	case err != nil:
		return "no readable content type"
	case mt != "application/json" && !strings.HasSuffix(mt, "+json"):
		return "the content type is not JSON"
	case params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8"):
		return "the charset is not UTF-8"
	}
	return ""
}
