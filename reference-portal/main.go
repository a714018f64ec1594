// Command reference-portal is a municipal "Mina sidor" built on the arendevy
// kit: the standard case overview behind e-legitimation. With no
// configuration it runs on embedded defaults — the development IdP, demo data
// and in-memory sessions at http://localhost:8080 — which is what `make run`
// starts.
//
//	reference-portal [-config FILE] [-theme default|bank]
//	reference-portal -check-config FILE
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/arendevy/arendevy/kit/devidp"
	"github.com/arendevy/arendevy/reference-portal/config"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run is main without os.Exit, so tests can drive it.
func run(args []string, stdout, stderr io.Writer, env func(string) string) int {
	fs := flag.NewFlagSet("reference-portal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "configuration file (TOML); default: embedded development defaults")
	checkFile := fs.String("check-config", "", "check a configuration file, print every problem, and exit")
	theme := fs.String("theme", "", "theme: default (municipal) or bank; overrides the configuration")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *checkFile != "" {
		return checkConfig(*checkFile, env, stdout)
	}

	// Without a file, Load is the embedded defaults with the environment's
	// overrides, checked the same way.
	cfg, err := config.Load(*configFile, env)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *theme != "" {
		cfg.Theme = *theme
	}
	logger := newLogger(cfg.Log, stderr)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := build(ctx, cfg, logger)
	if err != nil {
		fmt.Fprintln(stderr, "reference-portal:", err)
		return 1
	}
	defer a.close()
	if err := serve(ctx, a, cfg, stdout, logger); err != nil {
		fmt.Fprintln(stderr, "reference-portal:", err)
		return 1
	}
	return 0
}

// checkConfig prints every problem of the file at path, or OK: the file's
// own rules (config.Load), then what start-up makes of a valid file without
// the network (prepare, the same function build runs), so that a file this
// passes does not fail at start-up for its content.
func checkConfig(path string, env func(string) string, stdout io.Writer) int {
	var lines []string
	cfg, err := config.Load(path, env)
	if err == nil {
		err = prepareOnly(cfg)
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			lines = append(lines, fmt.Sprintf("%s: %s", p.Field, p.Message))
		}
	} else if err != nil {
		lines = append(lines, err.Error())
	}
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	if len(lines) > 0 {
		fmt.Fprintf(stdout, "%s: %d problem(s)\n", path, len(lines))
		return 1
	}
	fmt.Fprintf(stdout, "%s: OK\n", path)
	return 0
}

// prepareOnly runs prepare and drops what it made.
func prepareOnly(cfg config.Config) error {
	_, err := prepare(cfg, slog.New(slog.DiscardHandler))
	return err
}

func newLogger(c config.Log, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.Level}
	if c.Format == config.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve listens, says where, and shuts down gracefully on SIGINT/SIGTERM:
// /readyz turns unready at once, the portal goes on serving for cfg.Drain,
// then stops accepting and gives in-flight requests up to 10 s to finish.
func serve(ctx context.Context, a *app, cfg config.Config, stdout io.Writer, logger *slog.Logger) error {
	l, err := a.listen(cfg.Listen)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 3)
	go func() {
		if cfg.TLS.Enabled() {
			errc <- srv.ServeTLS(l, cfg.TLS.CertFile, cfg.TLS.KeyFile)
		} else {
			errc <- srv.Serve(l)
		}
	}()
	servers := []*http.Server{srv}
	// The development IdP on its own origin (saml.dev_idp_listen) and the
	// demo e-service beside it, each on its loopback listener.
	beside := func(h http.Handler, l net.Listener) {
		s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			ErrorLog: srv.ErrorLog, BaseContext: srv.BaseContext}
		servers = append(servers, s)
		go func() { errc <- s.Serve(l) }()
	}
	if a.idp != nil {
		il, err := devidp.Listen(cfg.SAML.DevIdPListen)
		if err != nil {
			for _, s := range servers {
				_ = s.Close()
			}
			return fmt.Errorf("saml.dev_idp_listen: %w", err)
		}
		beside(a.idp, il)
	}
	if a.eservice != nil {
		beside(a.eserviceHandler, a.eserviceListener)
	}
	a.printWelcome(stdout, cfg)
	a.setReady(true)
	select {
	case err := <-errc:
		for _, s := range servers {
			_ = s.Close()
		}
		return err
	case <-ctx.Done():
	}
	a.setReady(false)
	if cfg.Drain > 0 {
		// Unready first: the balancer's health check takes us out while we
		// still answer whatever it sends until then.
		logger.Info("draining", slog.Duration("drain", cfg.Drain))
		time.Sleep(cfg.Drain)
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	logger.Info("stopped")
	return nil
}
