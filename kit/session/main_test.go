package session

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// One redis-server for the whole package, on a free loopback port, without
// persistence; started on first use and stopped after the last test.
var testRedis struct {
	once sync.Once
	addr string
	cmd  *exec.Cmd
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testRedis.cmd != nil {
		_ = testRedis.cmd.Process.Kill()
		_ = testRedis.cmd.Wait()
	}
	if testRedis.dir != "" {
		_ = os.RemoveAll(testRedis.dir)
	}
	os.Exit(code)
}

func startRedis() error {
	var err error
	if testRedis.dir, err = os.MkdirTemp("", "arendevy-redis-"); err != nil {
		return err
	}
	// A port found free may be taken before redis binds it; try a few.
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		cmd, addr, err := redisServerOn(testRedis.dir, port)
		if err == nil {
			testRedis.addr, testRedis.cmd = addr, cmd
			return nil
		}
	}
	return fmt.Errorf("redis-server did not come up on loopback")
}

// redisServerOn starts a redis-server without persistence on the loopback
// port and waits until it answers.
func redisServerOn(dir string, port int) (*exec.Cmd, string, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, "", fmt.Errorf("redis-server is needed for the Redis store tests (make test-deps installs it): %w", err)
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := waitForRedis(addr); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, "", err
	}
	return cmd, addr, nil
}

func waitForRedis(addr string) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// redisClient returns a client of the test server; each test gets its own
// key prefix so tests never see each other's sessions.
func redisClient(t testing.TB) *redis.Client {
	t.Helper()
	testRedis.once.Do(func() { testRedis.err = startRedis() })
	require.NoError(t, testRedis.err)
	c := redis.NewClient(&redis.Options{Addr: testRedis.addr})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 9, 14, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// storeKind builds one kind of Store for a test; every shared table runs
// against each.
type storeKind struct {
	name string
	new  func(t *testing.T, c *clock) Store
}

func storeKinds() []storeKind {
	return []storeKind{
		{"memory", func(_ *testing.T, c *clock) Store { return NewMemory(MemoryConfig{Now: c.Now}) }},
		{"redis", func(t *testing.T, _ *clock) Store { return NewRedis(redisClient(t), "test:"+t.Name()+":") }},
	}
}
