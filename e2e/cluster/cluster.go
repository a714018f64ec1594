package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/arendevy/arendevy/e2e/testpki"
	"github.com/arendevy/arendevy/kit/postgres/postgrestest"
)

// Config says what to start.
type Config struct {
	// Dir is where configuration, keys and logs go; it must exist.
	Dir string
	// Binary is the built reference portal.
	Binary string
	// Instances is how many portals run; default 3.
	Instances int
	// Sentinel runs Redis as a primary, a replica and three Sentinels;
	// without it, one redis-server.
	Sentinel bool
	// Balancer runs HAProxy in front of the instances; without it, the
	// public URL is the first instance's.
	Balancer bool
	// Postgres keeps the preferences in a PostgreSQL server the cluster
	// starts (shared by every instance, kept across restarts); without it,
	// each instance keeps its own in memory.
	Postgres bool
	// NoLimits turns off the limits on overview requests per session and
	// per address: the fault run's clients each ask ten times a second, all
	// from one loopback address, to sample every phase densely; a refresh
	// storm the limits would rightly answer with 429
	// (TestARefreshStormFromOneBrowserGets429… tests them).
	NoLimits bool
	// Sources adds fake hubs by these names, which the fault run breaks.
	Sources []string
	// Logger gets the cluster's own logs; default discards them.
	Logger *slog.Logger
}

// Cluster is the running cluster.
type Cluster struct {
	// URL is where people reach the portal: the balancer, or the first
	// instance without one.
	URL     string
	Portals []*Portal
	Hubs    map[string]*fakeHub
	Dir     string

	redis    *redisSet
	postgres *postgrestest.Server
	idp      *idp
	haproxy  *proc
}

// BuildPortal builds the reference portal into dir and returns its path.
func BuildPortal(ctx context.Context, moduleRoot, dir string) (string, error) {
	bin := filepath.Join(dir, "reference-portal")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./reference-portal")
	cmd.Dir = moduleRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("cluster: go build: %w\n%s", err, out)
	}
	return bin, nil
}

// Start starts everything and returns once every instance is ready and,
// with a balancer, the balancer answers through one of them. On error,
// whatever was started is stopped again.
func Start(ctx context.Context, cfg Config) (c *Cluster, err error) {
	if cfg.Instances <= 0 {
		cfg.Instances = 3
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for _, tool := range []string{"redis-server", "redis-sentinel", "haproxy"} {
		if (tool == "redis-sentinel" && !cfg.Sentinel) || (tool == "haproxy" && !cfg.Balancer) {
			continue
		}
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("cluster: %s is needed (scripts/install-cluster-deps.sh installs it): %w", tool, err)
		}
	}
	c = &Cluster{Dir: cfg.Dir, Hubs: map[string]*fakeHub{}}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	k, err := makeKeys(cfg.Dir)
	if err != nil {
		return c, err
	}
	if c.redis, err = startRedis(ctx, cfg.Dir, cfg.Sentinel); err != nil {
		return c, err
	}
	var dsn string
	if cfg.Postgres {
		if c.postgres, err = postgrestest.Start(); err != nil {
			return c, err
		}
		dsn = c.postgres.DSN()
	}
	if c.idp, err = startIdP(cfg.Dir, cfg.Logger); err != nil {
		return c, err
	}
	var hubs []*fakeHub
	var tlsFiles [3]string
	if len(cfg.Sources) > 0 {
		certs, err := testpki.New(time.Now())
		if err != nil {
			return c, err
		}
		if tlsFiles[0], tlsFiles[1], tlsFiles[2], err = certs.ClientFiles(cfg.Dir); err != nil {
			return c, err
		}
		for _, name := range cfg.Sources {
			h, err := startHub(name, certs)
			if err != nil {
				return c, err
			}
			c.Hubs[name] = h
			hubs = append(hubs, h)
		}
	}
	ports, err := freePorts(cfg.Instances + 1)
	if err != nil {
		return c, err
	}
	c.URL = "http://" + loopbackAddr(ports[0])
	if !cfg.Balancer {
		c.URL = "http://" + loopbackAddr(ports[1])
	}
	conf := filepath.Join(cfg.Dir, "portal.toml")
	body := portalConf(c.URL, k, c.idp.metadata, c.redis, dsn, hubs, tlsFiles)
	// Behind the balancer every connection comes from HAProxy, which says
	// whose request it is in X-Forwarded-For: trusted, the limit per
	// address counts people's addresses, not the balancer's.
	switch {
	case cfg.NoLimits:
		body += "\n[limits]\nsession_burst = 0\naddress_burst = 0\n"
	case cfg.Balancer:
		body += "\n[limits]\ntrusted_proxies = [\"127.0.0.1/32\"]\n"
	}
	if cfg.Balancer {
		// Longer than HAProxy needs to see two failed checks.
		body = "drain = \"2s\"\n" + body
	}
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		return c, err
	}
	for i := range cfg.Instances {
		c.Portals = append(c.Portals, newPortal(cfg.Dir, cfg.Binary, conf, i, ports[1+i]))
	}
	for _, p := range c.Portals {
		if err := p.Start(ctx); err != nil {
			return c, err
		}
	}
	if err := c.idp.trust(ctx, c.Portals[0].URL); err != nil {
		return c, err
	}
	if !cfg.Balancer {
		return c, nil
	}
	hcfg, err := writeHAProxyConf(cfg.Dir, ports[0], ports[1:])
	if err != nil {
		return c, err
	}
	c.haproxy = newProc(cfg.Dir, "haproxy", nil, "haproxy", "-db", "-f", hcfg)
	if err := c.haproxy.start(); err != nil {
		return c, err
	}
	balancer := &Portal{Name: "haproxy", URL: c.URL}
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return c, waitFor(wctx, "the balancer", func(ctx context.Context) bool { return balancer.Ready(ctx) })
}

// Restart drains instance i, starts it again and waits until it is ready;
// it reports whether the instance turned unready before it stopped.
func (c *Cluster) Restart(ctx context.Context, i int) (unreadyFirst bool, err error) {
	p := c.Portals[i]
	if unreadyFirst, err = p.DrainWatched(ctx); err != nil {
		return unreadyFirst, err
	}
	return unreadyFirst, p.Start(ctx)
}

// FailoverRedis stops the Redis primary and waits until Sentinel has
// promoted the replica; it returns how long that took.
func (c *Cluster) FailoverRedis(ctx context.Context) (time.Duration, error) {
	if len(c.redis.sentinels) == 0 {
		return 0, errors.New("cluster: no Sentinel to fail over with")
	}
	return c.redis.failover(ctx)
}

// Stop ends every process the cluster started: the balancer first, then
// the instances (drained), then Redis and PostgreSQL; the IdP and the hubs
// last.
func (c *Cluster) Stop() {
	if c.haproxy != nil {
		c.haproxy.stop(5 * time.Second)
	}
	for _, p := range c.Portals {
		_ = p.proc.signal(syscall.SIGTERM, 0)
	}
	for _, p := range c.Portals {
		p.proc.stop(20 * time.Second)
	}
	if c.redis != nil {
		c.redis.stop()
	}
	if c.postgres != nil {
		c.postgres.Stop()
	}
	if c.idp != nil {
		c.idp.close()
	}
	for _, h := range c.Hubs {
		h.close()
	}
}
