package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// haproxyConf is the balancer: round robin without stickiness over the
// instances, each checked on /readyz twice a second; two failed checks take
// an instance out, two good ones bring it back. A request whose connection
// is refused (a stopped instance not yet marked down) is sent to another
// instance (redispatch); a request already sent to an instance that dies is
// not retried by HAProxy, which cannot know whether it was handled. It adds
// X-Forwarded-For, which the instances trust from it (limits.trusted_proxies)
// to tell people's addresses apart for the limit per address.
const haproxyConf = `global
    maxconn 2000

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout check 1s
    retries 2
    option redispatch
    option http-server-close
    option forwardfor

frontend portal
    bind 127.0.0.1:%d
    default_backend portals

backend portals
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 2
%s`

func writeHAProxyConf(dir string, port int, backends []int) (string, error) {
	var servers strings.Builder
	for i, p := range backends {
		fmt.Fprintf(&servers, "    server portal-%d %s check\n", i+1, loopbackAddr(p))
	}
	path := filepath.Join(dir, "haproxy.cfg")
	return path, os.WriteFile(path, []byte(fmt.Sprintf(haproxyConf, port, servers.String())), 0o600)
}
