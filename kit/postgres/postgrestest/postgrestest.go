// Package postgrestest runs a throwaway PostgreSQL server from Debian's
// packages for tests: a fresh cluster in a temporary directory, listening on
// a free loopback port and a socket in that directory, with trust
// authentication for one superuser. It is a test helper, like httptest; a
// portal never imports it.
//
// PostgreSQL refuses to run as root. Tests run as root on CI, so there the
// server runs as a dedicated system user (created when missing) through
// runuser; as anyone else it runs as the current user.
package postgrestest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// RootUser is the system user the server runs as when the tests run as root.
const RootUser = "arendevy-pgtest"

// Server is one running PostgreSQL cluster.
type Server struct {
	dir    string // the cluster, its socket and its log
	bin    string // where initdb and pg_ctl are
	asUser string // empty: the current user
	port   int
}

// Start initialises and starts a cluster. Stop it with Stop.
func Start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin}
	if os.Geteuid() == 0 {
		if err := ensureUser(); err != nil {
			return nil, err
		}
		s.asUser = RootUser
	}
	if s.dir, err = os.MkdirTemp("", "arendevy-postgres-"); err != nil {
		return nil, err
	}
	if s.asUser != "" {
		if err := exec.Command("chown", RootUser, s.dir).Run(); err != nil {
			s.cleanup()
			return nil, fmt.Errorf("postgrestest: chown: %w", err)
		}
	}
	data := filepath.Join(s.dir, "data")
	if out, err := s.run("initdb", "-D", data, "-U", "arendevy", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("postgrestest: initdb: %w: %s", err, out)
	}
	// A port found free may be taken before postgres binds it; try a few.
	for range 3 {
		if s.port, err = freePort(); err != nil {
			break
		}
		if err = s.Resume(); err == nil {
			return s, nil
		}
	}
	s.cleanup()
	return nil, err
}

// DSN is a connection string for database postgres on the server.
func (s *Server) DSN() string { return s.DSNFor("") }

// DSNFor is a connection string for database db ("": postgres).
func (s *Server) DSNFor(db string) string {
	if db == "" {
		db = "postgres"
	}
	u := url.URL{Scheme: "postgres", User: url.User("arendevy"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// Pause stops the server but keeps its data, as an outage does; Resume
// starts it again on the same port.
func (s *Server) Pause() error {
	out, err := s.run("pg_ctl", "stop", "-w", "-m", "fast", "-D", filepath.Join(s.dir, "data"))
	if err != nil {
		return fmt.Errorf("postgrestest: pg_ctl stop: %w: %s", err, out)
	}
	return nil
}

// Resume starts a paused server again, on its port.
func (s *Server) Resume() error {
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -F -c fsync=off -c max_connections=50", s.port, s.dir)
	out, err := s.run("pg_ctl", "start", "-w", "-t", "30", "-D", filepath.Join(s.dir, "data"), "-l", filepath.Join(s.dir, "log"), "-o", opts)
	if err != nil {
		return fmt.Errorf("postgrestest: pg_ctl start: %w: %s", err, out)
	}
	return nil
}

// Stop stops the server and removes its directory.
func (s *Server) Stop() {
	_, _ = s.run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", filepath.Join(s.dir, "data"))
	s.cleanup()
}

// Dump is every row of each table in database db ("" for postgres) as
// text, as someone who got hold of the database would read it: for tests
// that check what is stored.
func (s *Server) Dump(ctx context.Context, db string, tables ...string) ([]string, error) {
	c, err := pgx.Connect(ctx, s.DSNFor(db))
	if err != nil {
		return nil, err
	}
	defer c.Close(ctx)
	var out []string
	for _, table := range tables {
		rows, err := c.Query(ctx, "SELECT t::text FROM "+pgx.Identifier{table}.Sanitize()+" t")
		if err != nil {
			return nil, err
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// Exec runs sql in database db ("" for postgres).
func (s *Server) Exec(ctx context.Context, db, sql string) error {
	c, err := pgx.Connect(ctx, s.DSNFor(db))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	return err
}

func (s *Server) run(tool string, args ...string) ([]byte, error) {
	path := filepath.Join(s.bin, tool)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	if s.asUser != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", s.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = os.TempDir()
	return cmd.CombinedOutput()
}

func (s *Server) cleanup() { _ = os.RemoveAll(s.dir) }

// binDir is the newest /usr/lib/postgresql/*/bin with initdb.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("postgrestest: no /usr/lib/postgresql/*/bin/initdb; scripts/install-test-deps.sh installs Debian's postgresql")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func ensureUser() error {
	if _, err := user.Lookup(RootUser); err == nil {
		return nil
	}
	out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", RootUser).CombinedOutput()
	if err != nil {
		return fmt.Errorf("postgrestest: useradd %s: %w: %s", RootUser, err, out)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
