package postgres

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/postgres/postgrestest"
	"github.com/arendevy/arendevy/kit/preferences"
)

// One server for the package; each test works in a database of its own.
var server *postgrestest.Server

func TestMain(m *testing.M) {
	var err error
	if server, err = postgrestest.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	server.Stop()
	os.Exit(code)
}

// database creates an empty database for t and returns its DSN.
func database(t *testing.T) string {
	name := "t_" + strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(t.Name()))
	require.NoError(t, server.Exec(context.Background(), "", "CREATE DATABASE "+name))
	return server.DSNFor(name)
}

var (
	secret  = []byte("0123456789abcdef0123456789abcdef")
	tolvan  = identity.Party{Kind: identity.Personnummer, Number: "197512249896", Name: "Tolvan Tolvansson"}
	another = identity.Party{Kind: identity.Personnummer, Number: "191212121212", Name: "Tolva Tolvansson"}
	chosen  = preferences.Preferences{Sort: listing.BySender, HiddenActors: []string{"skv"}, ShowClosed: false, Discreet: true,
		Notify: preferences.Notify{Mode: preferences.NotifyActors, Actors: []string{"fk", "vaxholm"}}}
)

func open(t *testing.T, dsn string) *Store {
	s, err := Open(context.Background(), dsn, secret)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func TestPreferencesSurviveARestartAndAreShared(t *testing.T) {
	dsn := database(t)
	ctx := context.Background()
	first := open(t, dsn)
	got, err := first.Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, preferences.Default(), got, "nothing stored: the defaults")
	require.NoError(t, first.Put(ctx, tolvan, chosen))
	first.Close()

	// A restarted instance, and a second one beside it, see the same.
	for range 2 {
		got, err := open(t, dsn).Get(ctx, tolvan)
		require.NoError(t, err)
		require.Equal(t, chosen, got)
	}
	got, err = open(t, dsn).Get(ctx, another)
	require.NoError(t, err)
	require.Equal(t, preferences.Default(), got, "another customer's are their own")

	changed := chosen.Clone()
	changed.Sort, changed.HiddenActors = listing.ByTitle, nil
	require.NoError(t, open(t, dsn).Put(ctx, tolvan, changed))
	got, err = open(t, dsn).Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, changed, got, "a second save replaces the first")
}

func TestPutRefusesWhatIsNotValid(t *testing.T) {
	s := open(t, database(t))
	bad := preferences.Default()
	bad.Sort = "case number"
	var ve *preferences.ValidationError
	require.ErrorAs(t, s.Put(context.Background(), tolvan, bad), &ve)
	require.ErrorIs(t, s.Put(context.Background(), identity.Party{}, preferences.Default()), preferences.ErrNoParty)
	_, err := s.Get(context.Background(), identity.Party{})
	require.ErrorIs(t, err, preferences.ErrNoParty)
}

// What is in the database says neither whose preferences they are nor
// anything else about them: no number, no name, only the pseudonym and the
// preferences.
func TestRowsHoldNoIdentity(t *testing.T) {
	dsn := database(t)
	s := open(t, dsn)
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, tolvan, chosen))
	require.NoError(t, s.Put(ctx, another, preferences.Default()))
	dump := dumpTable(t, dsn, "preferences")
	require.Len(t, dump, 2)
	for _, row := range dump {
		for _, secret := range []string{tolvan.Number, another.Number, tolvan.Name, "Tolvansson", "19751224", "9896"} {
			require.NotContains(t, row, secret)
		}
	}
}

// dumpTable is every row of table in the database of dsn, as text.
func dumpTable(t *testing.T, dsn, table string) []string {
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	rows, err := server.Dump(context.Background(), cfg.Database, table)
	require.NoError(t, err)
	return rows
}

// A value changed in the database behind the kit's back is refused, not
// used: the database is outside input too.
func TestStoredGarbageIsAnError(t *testing.T) {
	dsn := database(t)
	s := open(t, dsn)
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, tolvan, chosen))
	c, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer c.Close(ctx)
	_, err = c.Exec(ctx, `UPDATE preferences SET preferences = '{"sort":"<script>","title":"x"}'`)
	require.NoError(t, err)
	_, err = s.Get(ctx, tolvan)
	require.ErrorIs(t, err, preferences.ErrInvalid)
}

func TestMigrationsAreAppliedOnceEvenWhenInstancesStartTogether(t *testing.T) {
	dsn := database(t)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(context.Background(), dsn, secret)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	rows := dumpTable(t, dsn, "schema_migrations")
	ms, err := loadMigrations(migrations)
	require.NoError(t, err)
	require.Len(t, rows, len(ms), "each migration recorded once")
	open(t, dsn) // and once more, with nothing to do
	require.Len(t, dumpTable(t, dsn, "schema_migrations"), len(ms))
}

// A later migration that fails leaves the schema as it was: the earlier
// new ones of the same start are rolled back with it.
func TestAFailedMigrationChangesNothing(t *testing.T) {
	dsn := database(t)
	ctx := context.Background()
	s := open(t, dsn)
	fsys := fstest.MapFS{
		"migrations/0001_preferences.sql": {Data: []byte("SELECT 1")},
		"migrations/0002_more.sql":        {Data: []byte("CREATE TABLE more (x int)")},
		"migrations/0003_broken.sql":      {Data: []byte("CREATE TABLE broken (")},
	}
	ms, err := loadMigrations(fsys)
	require.NoError(t, err)
	require.Error(t, migrate(ctx, s.pool, ms))
	require.Len(t, dumpTable(t, dsn, "schema_migrations"), 1)
	c, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer c.Close(ctx)
	var n int
	require.NoError(t, c.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 'more'`).Scan(&n))
	require.Zero(t, n)
}

func TestMigrationNamesAreChecked(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no version": {"migrations/preferences.sql": {}},
		"twice":      {"migrations/0001_a.sql": {}, "migrations/0001_b.sql": {}},
	} {
		_, err := loadMigrations(fsys)
		require.Error(t, err, name)
	}
}

func TestDatabaseDown(t *testing.T) {
	own, err := postgrestest.Start()
	require.NoError(t, err)
	defer own.Stop()
	s := open(t, own.DSN())
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, tolvan, chosen))
	require.NoError(t, own.Pause())
	_, err = s.Get(ctx, tolvan)
	require.Error(t, err)
	require.Error(t, s.Put(ctx, tolvan, chosen))
	require.Error(t, s.Ping(ctx))
	require.NoError(t, own.Resume())
	got, err := s.Get(ctx, tolvan)
	require.NoError(t, err, "back by itself once the database is")
	require.Equal(t, chosen, got)
}

func TestBadDSNIsNotRepeated(t *testing.T) {
	for _, dsn := range []string{"postgres://u:hunter2@host:notaport/db", "host=x password=hunter2 port=abc"} {
		_, err := Open(context.Background(), dsn, secret)
		require.ErrorIs(t, err, ErrDSN)
		require.NotContains(t, err.Error(), "hunter2")
	}
	_, err := Open(context.Background(), "postgres://localhost/db", []byte("short"))
	require.ErrorContains(t, err, "at least 32")
}

// TestDeleteForgetsOneCustomer: withdrawing the consent deletes the row,
// consent record included, and nobody else's.
func TestDeleteForgetsOneCustomer(t *testing.T) {
	ctx := context.Background()
	s := open(t, database(t))
	consented := chosen
	consented.Consent = preferences.Consent{Version: 1, Given: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
	require.NoError(t, s.Put(ctx, tolvan, consented))
	require.NoError(t, s.Put(ctx, another, chosen))
	got, err := s.Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, consented, got)

	require.NoError(t, s.Delete(ctx, tolvan))
	got, err = s.Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, preferences.Default(), got)
	got, err = s.Get(ctx, another)
	require.NoError(t, err)
	require.Equal(t, chosen, got)
	require.NoError(t, s.Delete(ctx, tolvan), "deleting nothing is no error")
	require.ErrorIs(t, s.Delete(ctx, identity.Party{}), preferences.ErrNoParty)
}
