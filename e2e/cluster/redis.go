package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// MasterName is the name the Sentinels monitor the primary under.
const MasterName = "arendevy"

// redisSet is the session store: one primary and, with Sentinel, one
// replica and three Sentinels, all without persistence.
type redisSet struct {
	servers   []*proc // the primary first, then the replica
	addrs     []string
	sentinels []*proc
	sAddrs    []string
}

// sentinelConf is one Sentinel's configuration. Sentinel rewrites its file,
// so each gets its own. A primary that does not answer for a second is down;
// two of three Sentinels must agree.
const sentinelConf = `port %d
bind 127.0.0.1
dir %s
sentinel monitor %s 127.0.0.1 %d 2
sentinel down-after-milliseconds %s 1000
sentinel failover-timeout %s 10000
sentinel parallel-syncs %s 1
`

func startRedis(ctx context.Context, dir string, withSentinel bool) (*redisSet, error) {
	n := 1
	if withSentinel {
		n = 5
	}
	ports, err := freePorts(n)
	if err != nil {
		return nil, err
	}
	rs := &redisSet{}
	servers := 1
	if withSentinel {
		servers = 2
	}
	for i := range servers {
		name := "redis-" + strconv.Itoa(i+1)
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
		args := []string{"redis-server", "--port", strconv.Itoa(ports[i]), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", d}
		if i > 0 {
			args = append(args, "--replicaof", "127.0.0.1", strconv.Itoa(ports[0]))
		}
		p := newProc(dir, name, nil, args...)
		rs.servers = append(rs.servers, p)
		rs.addrs = append(rs.addrs, loopbackAddr(ports[i]))
		if err := p.start(); err != nil {
			rs.stop()
			return nil, err
		}
		if err := waitRedis(ctx, rs.addrs[i]); err != nil {
			rs.stop()
			return nil, err
		}
	}
	if !withSentinel {
		return rs, nil
	}
	for i := range 3 {
		port := ports[2+i]
		name := "sentinel-" + strconv.Itoa(i+1)
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
		conf := filepath.Join(d, "sentinel.conf")
		body := fmt.Sprintf(sentinelConf, port, d, MasterName, ports[0], MasterName, MasterName, MasterName)
		if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
			return nil, err
		}
		p := newProc(dir, name, nil, "redis-sentinel", conf)
		rs.sentinels = append(rs.sentinels, p)
		rs.sAddrs = append(rs.sAddrs, loopbackAddr(port))
		if err := p.start(); err != nil {
			rs.stop()
			return nil, err
		}
	}
	// Ready when every Sentinel names the primary and knows the replica.
	for _, a := range rs.sAddrs {
		s := redis.NewSentinelClient(&redis.Options{Addr: a})
		err := waitFor(ctx, "sentinel "+a, func(ctx context.Context) bool {
			replicas, err := s.Replicas(ctx, MasterName).Result()
			return err == nil && len(replicas) == 1
		})
		s.Close()
		if err != nil {
			rs.stop()
			return nil, err
		}
	}
	return rs, nil
}

func waitRedis(ctx context.Context, addr string) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return waitFor(ctx, "redis at "+addr, func(ctx context.Context) bool {
		return c.Ping(ctx).Err() == nil
	})
}

// primary is the address the Sentinels name as primary now.
func (rs *redisSet) primary(ctx context.Context) (string, error) {
	if len(rs.sAddrs) == 0 {
		return rs.addrs[0], nil
	}
	s := redis.NewSentinelClient(&redis.Options{Addr: rs.sAddrs[0]})
	defer s.Close()
	a, err := s.GetMasterAddrByName(ctx, MasterName).Result()
	if err != nil {
		return "", err
	}
	return loopbackAddr(atoi(a[1])), nil
}

// failover stops the primary and waits until the Sentinels have promoted
// the replica; it returns how long that took.
func (rs *redisSet) failover(ctx context.Context) (time.Duration, error) {
	old, err := rs.primary(ctx)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	for i, a := range rs.addrs {
		if a == old {
			rs.servers[i].stop(5 * time.Second)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = waitFor(ctx, "the Sentinels to promote the replica", func(ctx context.Context) bool {
		now, err := rs.primary(ctx)
		if err != nil || now == old {
			return false
		}
		c := redis.NewClient(&redis.Options{Addr: now})
		defer c.Close()
		role, err := c.Do(ctx, "ROLE").Slice()
		return err == nil && len(role) > 0 && role[0] == "master"
	})
	return time.Since(start), err
}

func (rs *redisSet) stop() {
	for _, p := range rs.sentinels {
		p.stop(5 * time.Second)
	}
	for _, p := range rs.servers {
		p.stop(5 * time.Second)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
