package cluster

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Portal is one instance of the reference portal: the built binary on a
// loopback port of its own.
type Portal struct {
	Name string
	URL  string // its own address, bypassing the balancer
	proc *proc
}

// portalConf is the configuration every instance shares; each gets its
// listen address from ARENDEVY_LISTEN.
func portalConf(publicURL string, k keys, idpMetadata string, rs *redisSet, preferencesDSN string, hubs []*fakeHub, tlsFiles [3]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "public_url = %q\n\n[saml]\ndev_idp = false\nidp_metadata_file = %q\nsp_cert_file = %q\nsp_key_file = %q\n\n",
		publicURL, idpMetadata, k.spCert, k.spKey)
	fmt.Fprintf(&b, "[session]\nstore = \"redis\"\nkey_file = %q\n", k.sessionKey)
	if len(rs.sAddrs) > 0 {
		fmt.Fprintf(&b, "redis_master = %q\nredis_sentinels = [%s]\n", MasterName, quoted(rs.sAddrs))
	} else {
		fmt.Fprintf(&b, "redis_url = %q\n", "redis://"+rs.addrs[0]+"/0")
	}
	// Without the consent step: the clients log in and read their
	// overview at once, and the runs are about sessions and sources (the
	// consent step has its own tests in reference-portal).
	b.WriteString("\n[preferences]\nconsent = false\n")
	if preferencesDSN != "" {
		fmt.Fprintf(&b, "store = \"postgres\"\ndsn = %q\nsecret_file = %q\n", preferencesDSN, k.preferencesKey)
	}
	b.WriteString("\n[metrics]\nenabled = true\n\n[log]\nformat = \"json\"\n\n[[sources]]\nkind = \"demo\"\nname = \"demo\"\n")
	for _, h := range hubs {
		// A source that hangs is given up after a second, so that its
		// window shows as a late answer, not as three.
		fmt.Fprintf(&b, "\n[[sources]]\nkind = \"hub\"\nname = %q\nurl = %q\ntimeout = \"1s\"\n", h.name, h.url)
		fmt.Fprintf(&b, "client_cert_file = %q\nclient_key_file = %q\nca_file = %q\n", tlsFiles[0], tlsFiles[1], tlsFiles[2])
	}
	return b.String()
}

func quoted(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func newPortal(dir, bin, conf string, i, port int) *Portal {
	name := "portal-" + strconv.Itoa(i+1)
	return &Portal{
		Name: name,
		URL:  "http://" + loopbackAddr(port),
		proc: newProc(dir, name, []string{"ARENDEVY_LISTEN=" + loopbackAddr(port)}, bin, "-config", conf),
	}
}

// Start starts the instance and waits until /readyz says it is ready.
func (p *Portal) Start(ctx context.Context) error {
	if err := p.proc.start(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := waitFor(ctx, p.Name+" ready", func(ctx context.Context) bool { return p.Ready(ctx) }); err != nil {
		log, _ := os.ReadFile(p.proc.log)
		return fmt.Errorf("%w\n%s", err, tail(string(log), 2000))
	}
	return nil
}

// Ready reports whether /readyz answers 200.
func (p *Portal) Ready(ctx context.Context) bool { return p.readyz(ctx) == http.StatusOK }

// readyz is /readyz's status, 0 when nothing answers.
func (p *Portal) readyz(ctx context.Context) int {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/readyz", nil)
	if err != nil {
		return 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// DrainWatched stops the instance the way a deploy does (SIGTERM: it turns
// unready, finishes what is in flight, and exits) and watches it go: it
// reports whether /readyz answered 503 while the instance still served,
// before it stopped accepting connections and exited.
func (p *Portal) DrainWatched(ctx context.Context) (unreadyFirst bool, err error) {
	if err := p.proc.signal(syscall.SIGTERM, 0); err != nil {
		return false, err
	}
	deadline := time.Now().Add(20 * time.Second)
	for p.proc.running() {
		if time.Now().After(deadline) {
			return unreadyFirst, fmt.Errorf("cluster: %s did not stop within 20 s of SIGTERM", p.Name)
		}
		if p.readyz(ctx) == http.StatusServiceUnavailable {
			unreadyFirst = true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return unreadyFirst, nil
}

// Kill ends the instance at once (SIGKILL): what a crash or an OOM kill does.
func (p *Portal) Kill() error { return p.proc.signal(syscall.SIGKILL, 5*time.Second) }

// Log is what the instance has written to its log so far.
func (p *Portal) Log() string {
	b, _ := os.ReadFile(p.proc.log)
	return string(b)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
