// Package postgres keeps customers' preferences in PostgreSQL, so that they
// survive a restart and every instance behind a load balancer sees the same.
// It holds only what preferences.Preferences holds, under the pseudonym
// preferences.Pseudonym: no identity number, name or case field.
//
// The schema is versioned: migrations/NNNN_name.sql, embedded, applied by
// Open in order, each version once (the schema_migrations table says which
// are in). Every start runs them in one transaction under an advisory lock,
// so instances started together apply each migration exactly once and a
// failed migration leaves the schema as it was.
package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/preferences"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock held while migrating ("arendevy" in
// ASCII), the same for every instance of every version of the kit.
const migrationLock int64 = 0x617265_6e646576

// DefaultTimeout bounds each call when the caller's context does not: a
// database that does not answer must not hold an overview up.
const DefaultTimeout = 2 * time.Second

// ErrDSN is returned for a connection string that cannot be parsed. It
// never repeats the string, which may hold a password.
var ErrDSN = errors.New("postgres: not a valid connection string (postgres://user@host:5432/db or key=value pairs)")

// Store is a preferences.Store in PostgreSQL.
type Store struct {
	pool    *pgxpool.Pool
	secret  []byte
	timeout time.Duration
}

// ParseDSN checks a connection string; errors never repeat it.
func ParseDSN(dsn string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, ErrDSN
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = DefaultTimeout
	}
	return cfg, nil
}

// Open connects to the database at dsn, applies the migrations not yet
// applied and returns the store. The secret keys the pseudonyms (at least
// preferences.MinSecret bytes; copied): every instance must share it.
func Open(ctx context.Context, dsn string, secret []byte) (*Store, error) {
	if len(secret) < preferences.MinSecret {
		return nil, fmt.Errorf("postgres: secret of %d bytes; at least %d needed", len(secret), preferences.MinSecret)
	}
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool, secret: append([]byte(nil), secret...), timeout: DefaultTimeout}, nil
}

// Close closes the store's connections.
func (s *Store) Close() { s.pool.Close() }

// Get returns the party's preferences, or preferences.Default() when none
// are stored. A stored value is decoded and validated as if it came from
// outside: the database is not trusted to hold only what the kit wrote.
func (s *Store) Get(ctx context.Context, party identity.Party) (preferences.Preferences, error) {
	if party.IsZero() {
		return preferences.Preferences{}, preferences.ErrNoParty
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	k := preferences.Pseudonym(s.secret, party)
	var raw []byte
	err := s.pool.QueryRow(ctx, `SELECT preferences FROM preferences WHERE pseudonym = $1`, k[:]).Scan(&raw)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return preferences.Default(), nil
	case err != nil:
		return preferences.Preferences{}, fmt.Errorf("postgres: reading preferences: %w", err)
	}
	p, err := preferences.Decode(raw)
	if err != nil {
		return preferences.Preferences{}, fmt.Errorf("postgres: stored preferences: %w", err)
	}
	return p, nil
}

// Put validates p and stores it for the party, replacing what was there.
func (s *Store) Put(ctx context.Context, party identity.Party, p preferences.Preferences) error {
	if party.IsZero() {
		return preferences.ErrNoParty
	}
	if err := p.Validate(); err != nil {
		return err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	k := preferences.Pseudonym(s.secret, party)
	_, err = s.pool.Exec(ctx, `INSERT INTO preferences (pseudonym, preferences) VALUES ($1, $2)
		ON CONFLICT (pseudonym) DO UPDATE SET preferences = EXCLUDED.preferences`, k[:], raw)
	if err != nil {
		return fmt.Errorf("postgres: saving preferences: %w", err)
	}
	return nil
}

// Delete forgets the party's preferences; nothing stored is no error.
func (s *Store) Delete(ctx context.Context, party identity.Party) error {
	if party.IsZero() {
		return preferences.ErrNoParty
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	k := preferences.Pseudonym(s.secret, party)
	if _, err := s.pool.Exec(ctx, `DELETE FROM preferences WHERE pseudonym = $1`, k[:]); err != nil {
		return fmt.Errorf("postgres: deleting preferences: %w", err)
	}
	return nil
}

// GroupKey is the customer's key for their case references
// (preferences.GroupKeyer), from the store's secret.
func (s *Store) GroupKey(party identity.Party) []byte { return preferences.GroupKey(s.secret, party) }

// Ping reports whether the database answers (for a readiness check).
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.pool.Ping(ctx)
}

var (
	_ preferences.Store      = (*Store)(nil)
	_ preferences.GroupKeyer = (*Store)(nil)
)

// migration is one embedded file.
type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// loadMigrations reads the embedded migrations in version order. Names are
// checked here rather than trusted: a file named wrongly is a build mistake
// and must not be skipped silently.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, n := range names { // fs.Glob returns them sorted
		m := migrationName.FindStringSubmatch(path.Base(n))
		if m == nil {
			return nil, fmt.Errorf("postgres: migration %s: name must be NNNN_name.sql", n)
		}
		v, _ := strconv.Atoi(m[1])
		if len(out) > 0 && out[len(out)-1].version == v {
			return nil, fmt.Errorf("postgres: migration version %d twice", v)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: path.Base(n), sql: string(b)})
	}
	return out, nil
}

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, in one transaction holding an advisory lock: a second
// instance starting at the same time waits, then finds them applied.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	ms, err := loadMigrations(migrations)
	if err != nil {
		return err
	}
	return migrate(ctx, pool, ms)
}

func migrate(ctx context.Context, pool *pgxpool.Pool, ms []migration) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrating: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }() // after Commit: a no-op
	steps := []string{
		`SELECT pg_advisory_xact_lock(` + strconv.FormatInt(migrationLock, 10) + `)`,
		`CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY,
			name text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`,
	}
	for _, q := range steps {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("postgres: migrating: %w", err)
		}
	}
	applied := map[int]bool{}
	rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("postgres: migrating: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("postgres: migrating: %w", err)
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: migrating: %w", err)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migrating: %w", err)
	}
	return nil
}
