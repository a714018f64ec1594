// Package server is the server side of the end-to-end benchmarks: the kit
// wired the way a portal wires it — sessions, the security guard, session-bound
// deep links, a preferences store, the producer directory — over the sources a
// scenario gives, plus a stats endpoint where the orchestrator reads heap,
// goroutines, resident memory and CPU time. Serve runs it in a process of
// its own, so the load generator does not share its heap or its scheduler.
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/arendevy/arendevy/e2e/bench/memstat"
	"github.com/arendevy/arendevy/e2e/bench/synth"
	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/session"
)

// StatsPath is where the server serves memstat readings of itself.
const StatsPath = "/bench/stats"

// OverviewPath is the kit's overview API at its default mount.
const OverviewPath = kit.DefaultMount + "/api/overview"

// PagePath is a portal page with nothing on it but the element, for the
// browser timings; ?page-size=N sets the element's page size, and
// ?rendered=1 serves the element with the overview rendered in it by the
// server (kit.RenderPage), as the reference portal does, for the element
// to upgrade.
const PagePath = "/bench/overview"

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mina ärenden</title>
{{.Tags}}</head>
<body><main><h1>Mina ärenden</h1>
{{with .Rendered}}{{.}}{{else}}<arendevy-overview src="{{.Src}}"{{with .PageSize}} page-size="{{.}}"{{end}}></arendevy-overview>{{end}}
</main></body></html>
`))

// Config is what the server serves.
type Config struct {
	// Sources are the fan-out's members.
	Sources []fanout.Member
	// Producers is the directory of the sources' producers (deep-link hosts).
	Producers *producers.Directory
	// Deadline bounds an overview; zero means the kit's default.
	Deadline time.Duration
	// Logger receives the kit's logs; nil: JSON logs formatted and
	// discarded, so that the figures include what logging costs.
	Logger *slog.Logger
}

// Server is the kit behind its login layer, plus the stats endpoint.
type Server struct {
	sessions *session.Manager
	handler  http.Handler
}

// New builds the server.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	sessions, err := session.NewManager(session.Config{AllowPlainHTTP: true, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	secret := make([]byte, preferences.MinSecret)
	_, _ = rand.Read(secret) // never fails: crypto/rand aborts the program instead
	prefs, err := preferences.NewMemory(secret)
	if err != nil {
		return nil, err
	}
	k, err := kit.New(kit.Config{
		Sources: cfg.Sources, Deadline: cfg.Deadline, Logger: cfg.Logger,
		Sessions: sessions, Producers: cfg.Producers, Preferences: prefs,
	})
	if err != nil {
		return nil, err
	}
	tags, err := k.Assets().Tags("")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(kit.DefaultMount+"/", k.Handler())
	mux.Handle("GET "+StatsPath, memstat.Handler())
	// The page is behind the kit's login layer, as a portal's page is:
	// its strict Content-Security-Policy included.
	mux.Handle("GET "+PagePath, k.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		size, err := strconv.Atoi(r.URL.Query().Get("page-size"))
		if err != nil || size < 0 || size > synth.MaxCases {
			size = 0
		}
		var rendered bytes.Buffer
		if r.URL.Query().Get("rendered") == "1" {
			subject, ok := identity.FromContext(r.Context())
			if !ok {
				http.Error(w, "log in first: the rendered overview is the session's", http.StatusUnauthorized)
				return
			}
			if err := k.RenderPage(r.Context(), &rendered, subject, nil, "sv"); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = page.Execute(w, struct {
			Tags     template.HTML
			Src      string
			PageSize int
			Rendered template.HTML
		}{tags, OverviewPath, size, template.HTML(rendered.String())}) // rendered by html/template in the kit
	})))
	return &Server{sessions: sessions, handler: mux}, nil
}

// Handler serves the kit under /arendevy/, the stats under StatsPath and
// the element's page under PagePath.
func (s *Server) Handler() http.Handler { return s.handler }

// ErrLogin is returned when the server cannot log the customer in.
var ErrLogin = errors.New("server: login")

// Login logs the synthetic customer in, as the SAML assertion consumer
// service does after e-legitimation, and returns the session cookie for
// plain http to loopback (the development cookie).
func (s *Server) Login(now time.Time) (*http.Cookie, error) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+kit.DefaultMount+"/saml/acs", nil)
	if err := s.sessions.Login(w, r, synth.Subject(now), session.SAMLInfo{}); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLogin, err)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == session.DevCookieName && c.Value != "" {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%w: no session cookie was set", ErrLogin)
}

// Ready is the line Serve writes once it accepts requests.
type Ready struct {
	URL    string `json:"url"`    // http://127.0.0.1:port
	Cookie string `json:"cookie"` // name=value, for the Cookie header
	PID    int    `json:"pid"`
}

// Serve listens on a free loopback port, logs the customer in, writes a
// Ready line as JSON to ready and serves until ctx is done.
func (s *Server) Serve(ctx context.Context, ready io.Writer, pid int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("server: listen: %w", err)
	}
	cookie, err := s.Login(time.Now())
	if err != nil {
		_ = ln.Close()
		return err
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	line, _ := json.Marshal(Ready{URL: "http://" + ln.Addr().String(), Cookie: cookie.Name + "=" + cookie.Value, PID: pid})
	if _, err := fmt.Fprintf(ready, "%s\n", line); err != nil {
		_ = srv.Close()
		return fmt.Errorf("server: ready line: %w", err)
	}
	select {
	case err := <-served:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
