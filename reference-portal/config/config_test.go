package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/minaarenden"
)

// secrets is the environment the testdata files read their header secrets from.
func secrets(name string) string {
	return map[string]string{
		"ENAV_SECRET":       "enav-secret",
		"SKV_CLIENT_ID":     "skv-id",
		"SKV_CLIENT_SECRET": "skv-secret",
	}[name]
}

func envOf(m map[string]string) func(string) string {
	return func(name string) string {
		if v, ok := m[name]; ok {
			return v
		}
		return secrets(name)
	}
}

func testdata(t *testing.T, name string) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", name))
	require.NoError(t, err)
	return abs
}

func TestDefaultRunsWithoutAFile(t *testing.T) {
	c := Default()
	require.Equal(t, ":8080", c.Listen)
	require.Equal(t, "http://localhost:8080", c.PublicURL)
	require.True(t, c.SAML.DevIdP)
	require.Equal(t, StoreMemory, c.Session.Store)
	require.Len(t, c.Sources, 1)
	require.Equal(t, KindDemo, c.Sources[0].Kind)
	require.Equal(t, []string{"sv", "en", "fi", "ar"}, c.Languages)
	require.False(t, c.Metrics.Enabled)
	require.Equal(t, "Skatteverket", c.ApprovedBy.For("en"), "the trust line is on by default")

	loaded, err := Load("", nil)
	require.NoError(t, err)
	require.Equal(t, c, loaded, "no file and no environment is the default")
	require.Empty(t, Check("", nil))
}

func TestLoadMunicipality(t *testing.T) {
	c, err := Load("testdata/municipality.toml", secrets)
	require.NoError(t, err)

	require.Equal(t, ":8443", c.Listen)
	require.Equal(t, "https://minasidor.vaxholm.example.se", c.PublicURL)
	require.Equal(t, "Mina ärenden i Vaxholms stad är godkänd av Skatteverket.", c.TrustLine.For("sv"))
	require.Equal(t, "My cases at Vaxholms stad is approved by the Swedish Tax Agency.", c.TrustLine.For("en"))
	require.Equal(t, c.TrustLine.For("sv"), c.TrustLine.For("fi"), "other languages get the fallback's text")

	require.True(t, c.TLS.Enabled())
	require.Equal(t, testdata(t, "tls.crt"), mustAbs(t, c.TLS.CertFile), "relative paths are relative to the file")
	require.False(t, c.SAML.DevIdP)
	require.Equal(t, 2*time.Minute, c.SAML.ClockSkew)
	require.Len(t, c.SAML.LoA, 2)

	require.Equal(t, StoreRedis, c.Session.Store)
	require.Equal(t, 15*time.Minute, c.Session.Idle)
	require.Equal(t, 8*time.Hour, c.Session.Absolute)

	require.Len(t, c.Sources, 2)
	hub, events := c.Sources[0], c.Sources[1]
	require.Equal(t, KindHub, hub.Kind)
	require.Equal(t, 2*time.Second, hub.Timeout)
	require.Equal(t, cases.Actor{ID: "enav", Name: "Ärendenav Stockholmsregionen"}, hub.Operator)
	require.Equal(t, map[string]string{"client_id": "vaxholm", "client_secret": "enav-secret"}, hub.Headers,
		"env: values are read from the environment")
	require.Equal(t, KindMinaArenden, events.Kind)
	require.Equal(t, minaarenden.Service, events.Operator, "a Mina ärenden source defaults to the service as operator")
	require.Equal(t, 2500*time.Millisecond, events.Timeout)
	require.Equal(t, 365*24*time.Hour, events.Since)
	require.NotSame(t, minaarenden.DefaultCatalogue(), events.Catalogue(), "the portal's own catalogue file")
	require.Len(t, events.Catalogue().Types, 5)
	require.Equal(t, minaarenden.TypeEntry{Type: "KOMMUN.BYGGLOV", Title: minaarenden.Text{"sv": "Bygglov", "en": "Building permit"}},
		events.Catalogue().Types[3])
	require.Same(t, minaarenden.DefaultCatalogue(), Source{Kind: KindMinaArenden}.Catalogue(), "no file: the kit's own")

	require.Len(t, c.Producers, 2)
	require.Equal(t, []string{"etjanst.vaxholm.example.se"}, c.Producers[0].Hosts)
	require.Equal(t, "08-541 708 00", c.Producers[0].CustomerService.Phone)
	require.False(t, c.Producers[1].HasEService())

	require.True(t, c.Metrics.Enabled)
	require.Equal(t, StoreHub, c.Preferences.Store)
	require.Equal(t, "enav", c.Preferences.Source, "the only hub source holds the preferences")
	require.Equal(t, LogJSON, c.Log.Format)
}

func TestLoadBank(t *testing.T) {
	c, err := Load("testdata/bank.toml", secrets)
	require.NoError(t, err)
	require.Equal(t, "bank", c.Theme)
	require.Equal(t, "127.0.0.1:8080", c.Listen)
	require.False(t, c.TLS.Enabled(), "TLS ends at the bank's proxy")
	require.Equal(t, "https://idp.bank.example.se/metadata", c.SAML.IdPMetadataURL)
	require.True(t, c.SAML.ForceAuthn)
	require.Equal(t, c.TrustLine.For("sv"), c.TrustLine.For("en"), "one trust line for every language")
	require.NotEmpty(t, c.TrustLine.For("en"))
	require.Equal(t, StoreMemory, c.Session.Store)
	require.Equal(t, time.Hour, c.Session.Absolute)
	require.Equal(t, slog.LevelWarn, c.Log.Level)
	require.Equal(t, LogText, c.Log.Format, "unset keys keep their defaults")
}

func TestExampleFileLoads(t *testing.T) {
	c, err := Load("../arendevy.example.toml", nil)
	require.NoError(t, err)
	require.Equal(t, Default(), c, "the example file spells out the defaults")
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	require.NoError(t, err)
	return abs
}

func TestBrokenFilesNameEveryProblem(t *testing.T) {
	type want struct{ field, says string }
	tests := []struct {
		file string
		want []want
	}{
		{"unknown-keys.toml", []want{
			{"lisen", `unknown key (did you mean "listen"?)`},
			{"session.stor", `unknown key (did you mean "store"?)`},
			{"sources[1].urll", `unknown key (did you mean "url"?)`},
			{"producers[0].customer_service.fax", "unknown key"},
		}},
		{"missing-idp-metadata.toml", []want{
			{"saml.idp_metadata_url", "set idp_metadata_url or idp_metadata_file"},
		}},
		{"non-https-hosts.toml", []want{
			{"sources[0].url", "must be https"},
			{"producers[0].hosts[1]", "without scheme"},
			{"producers[0].sso", "https"},
		}},
		{"unreadable-certificate.toml", []want{
			{"tls.cert_file", "missing.crt: no such file"},
			{"saml.sp_cert_file", "not a PEM certificate"},
		}},
		{"key-mismatch.toml", []want{
			{"tls.key_file", "does not match the certificate in tls.cert_file"},
		}},
		{"bad-durations.toml", []want{
			{"deadline", `"3 seconds" is not a duration`},
			{"session.idle", `"15 minutes" is not a duration`},
			{"sources[0].timeout", "must be a duration in quotes"},
		}},
		{"redis-without-url.toml", []want{
			{"session.redis_url", `required with store = "redis"`},
		}},
		{"dev-idp-public-url.toml", []want{
			{"saml.dev_idp", "only allowed with a loopback public_url"},
		}},
		{"hub-without-url.toml", []want{
			{"sources[0].url", `required for kind = "hub"`},
		}},
		{"wrong-types.toml", []want{
			{"listen", "must be a string, not an integer"},
			{"languages", "must be an array, not a string"},
			{"metrics.enabled", "must be true or false, not a string"},
		}},
		{"syntax-error.toml", []want{
			{"", "line 2"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "broken", tt.file)
			_, err := Load(path, nil)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.ErrorIs(t, err, ErrInvalid)
			require.Equal(t, path, e.File)
			got := map[string]string{}
			for _, p := range e.Problems {
				got[p.Field] += p.Message
			}
			require.Len(t, got, len(tt.want), "problems: %v", e.Problems)
			for _, w := range tt.want {
				require.Contains(t, got, w.field, "problems: %v", e.Problems)
				require.Contains(t, got[w.field], w.says)
			}
			require.Equal(t, e.Problems, Check(path, nil), "-check-config reports what start-up reports")
			for line := range strings.SplitSeq(err.Error(), "\n") {
				require.True(t, strings.HasPrefix(line, path+": "), "every line names the file: %q", line)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	problems := Check("testdata/nope.toml", nil)
	require.Len(t, problems, 1)
	require.Equal(t, "", problems[0].Field)
	require.Contains(t, problems[0].Message, "nope.toml: no such file")
}

// write puts a configuration in a temporary directory beside copies of the
// testdata files it may name.
func write(t *testing.T, toml string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir("testdata")
	require.NoError(t, err)
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasSuffix(e.Name(), ".toml") {
			raw, err := os.ReadFile(filepath.Join("testdata", e.Name()))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), raw, 0o600))
		}
	}
	path := filepath.Join(dir, "arendevy.toml")
	require.NoError(t, os.WriteFile(path, []byte(toml), 0o600))
	return path
}

// fields returns the problems of a configuration by field.
func fields(t *testing.T, path string, env func(string) string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, p := range Check(path, env) {
		got[p.Field] += p.Message
	}
	return got
}

func TestProblemsOfSingleKeys(t *testing.T) {
	const prod = `
public_url = "https://minasidor.example.se"
[saml]
dev_idp = false
idp_metadata_file = "idp-metadata.xml"
sp_cert_file = "sp.crt"
sp_key_file = "sp.key"
`
	tests := []struct {
		name, toml, field, says string
	}{
		{"http public url", `public_url = "http://minasidor.example.se"`, "public_url", "must be https"},
		{"public url with path", `public_url = "http://localhost:8080/portal"`, "public_url", "without path"},
		{"public url with user", `public_url = "https://u:p@minasidor.example.se"`, "public_url", "user information"},
		{"production without public url", strings.Replace(prod, `public_url = "https://minasidor.example.se"`, "", 1), "public_url", "required"},
		{"unknown theme", `theme = "dark"`, "theme", `"default", "bank"`},
		{"no languages", `languages = []`, "languages", "at least one"},
		{"bad language", `languages = ["sv", "Swedish"]`, "languages[1]", "not a language code"},
		{"language twice", `languages = ["sv", "sv"]`, "languages[1]", "twice"},
		{"language without catalogue", `languages = ["sv", "de"]`, "languages[1]", `"de" has no message catalogue (locales/de.toml)`},
		{"trust line in unknown language", "[trust_line]\nsv = \"a\"\nde = \"b\"", `trust_line.de`, "not one of languages"},
		{"trust line without fallback", "[trust_line]\nen = \"a\"", "trust_line", `"sv", the fallback`},
		{"trust line of two lines", `trust_line = "one\ntwo"`, "trust_line", "one line"},
		{"approver in unknown language", "[approved_by]\nsv = \"a\"\nde = \"b\"", `approved_by.de`, "not one of languages"},
		{"approver of two lines", `approved_by = "Skatte\nverket"`, "approved_by", "one line"},
		{"zero deadline", `deadline = "0s"`, "deadline", "positive"},
		{"long deadline", `deadline = "1m"`, "deadline", "at most 30s"},
		{"bad listen", `listen = "8080"`, "listen", "host:port"},
		{"bad port", `listen = ":http"`, "listen", "port must be a number"},
		{"cert without key", "[tls]\ncert_file = \"tls.crt\"", "tls.key_file", "required with tls.cert_file"},
		{"tls with http public url", "public_url = \"http://localhost:8443\"\n[tls]\ncert_file = \"tls.crt\"\nkey_file = \"tls.key\"", "public_url", "https when tls"},
		{"encrypted key", "[tls]\ncert_file = \"tls.crt\"\nkey_file = \"encrypted.key\"", "tls.key_file", "encrypted keys are not supported"},
		{"sp key not rsa", strings.Replace(strings.Replace(prod, "sp.crt", "tls.crt", 1), "sp.key", "tls.key", 1), "saml.sp_key_file", "must be an RSA key"},
		{"production without sp key", strings.Replace(strings.Replace(prod, `sp_cert_file = "sp.crt"`, "", 1), `sp_key_file = "sp.key"`, "", 1), "saml.sp_cert_file", "required unless dev_idp"},
		{"both metadata", prod + `idp_metadata_url = "https://idp.example.se/md"`, "saml.idp_metadata_file", "only one"},
		{"http metadata url", strings.Replace(prod, `idp_metadata_file = "idp-metadata.xml"`, `idp_metadata_url = "http://127.0.0.1/md"`, 1), "saml.idp_metadata_url", "must be https"},
		{"metadata not saml", strings.Replace(prod, "idp-metadata.xml", "sp.crt", 1), "saml.idp_metadata_file", "not usable IdP metadata"},
		{"dev idp with metadata", "[saml]\nidp_metadata_url = \"https://idp.example.se/md\"", "saml.dev_idp", "set dev_idp = false"},
		{"loa not a uri", "[saml]\nloa = [\"loa3\"]", "saml.loa[0]", "not a level-of-assurance URI"},
		{"no loa", "[saml]\nloa = []", "saml.loa", "at least one"},
		{"entity id not a uri", "[saml]\nentity_id = \"my sp\"", "saml.entity_id", "absolute URI"},
		{"clock skew", "[saml]\nclock_skew = \"1h\"", "saml.clock_skew", "10m"},
		{"unknown session store", "[session]\nstore = \"file\"", "session.store", `"memory" or "redis"`},
		{"embed origin of another site", "public_url = \"http://arenden.arendevy.localhost:8080\"\nembed_origins = [\"http://www.other.localhost:8081\"]", "embed_origins[0]", "not on the kit's site (arendevy.localhost)"},
		{"embed origin of another scheme", "embed_origins = [\"http://www.example.se\"]\n" + prod, "embed_origins[0]", "must be https like the kit's origin"},
		{"embed origin with a wildcard", `embed_origins = ["http://*.localhost:8081"]`, "embed_origins[0]", "not an origin"},
		{"embed origin with a path", `embed_origins = ["http://localhost:8081/"]`, "embed_origins[0]", "not an origin"},
		{"embed origin twice", `embed_origins = ["http://localhost:8081", "http://localhost:8081"]`, "embed_origins[1]", "twice"},
		{"embed origin is the portal", `embed_origins = ["http://localhost:8080"]`, "embed_origins[0]", "the kit's own origin"},
		{"cookie domain of another site", "public_url = \"http://arenden.arendevy.localhost:8080\"\n[session]\ncookie_domain = \"other.localhost\"", "session.cookie_domain", "not arenden.arendevy.localhost or a parent"},
		{"cookie domain a public suffix", "[session]\ncookie_domain = \"localhost\"", "session.cookie_domain", "public suffix"},
		{"dev idp listening on every interface", `listen = "0.0.0.0:8080"`, "listen", "loopback address only"},
		{"negative drain", `drain = "-1s"`, "drain", "from 0s to 1m0s"},
		{"long drain", `drain = "2m"`, "drain", "from 0s to 1m0s"},
		{"sentinels without master", "[session]\nstore = \"redis\"\nredis_sentinels = [\"127.0.0.1:26379\"]", "session.redis_master", "required with redis_sentinels"},
		{"master without sentinels", "[session]\nstore = \"redis\"\nredis_master = \"arendevy\"", "session.redis_sentinels", "required with redis_master"},
		{"sentinel not host:port", "[session]\nstore = \"redis\"\nredis_master = \"a\"\nredis_sentinels = [\"127.0.0.1:26379\", \"sentinel\", \"h:0\"]", "session.redis_sentinels[1]", "host:port"},
		{"url and sentinels", "[session]\nstore = \"redis\"\nredis_url = \"redis://127.0.0.1:6379/0\"\nredis_master = \"a\"\nredis_sentinels = [\"127.0.0.1:26379\"]", "session.redis_url", "not both"},
		{"idle over absolute", "[session]\nidle = \"9h\"", "session.idle", "longer than session.absolute"},
		{"short session key", "[session]\nkey_file = \"not-a-cert.pem\"", "session.key_file", "shorter than 32 bytes"},
		{"session key missing", "[session]\nkey_file = \"nope.key\"", "session.key_file", "no such file"},
		{"no sources", "sources = []", "sources", "at least one"},
		{"unknown kind", "[[sources]]\nkind = \"ftp\"\nname = \"x\"", "sources[0].kind", `"demo", "hub", "minaarenden"`},
		{"source name twice", "[[sources]]\nkind = \"demo\"\nname = \"a\"\n[[sources]]\nkind = \"demo\"\nname = \"a\"", "sources[1].name", "used twice"},
		{"source name with space", "[[sources]]\nkind = \"demo\"\nname = \"my source\"", "sources[0].name", "lower-case letters"},
		{"url on demo", "[[sources]]\nkind = \"demo\"\nname = \"d\"\nurl = \"https://x.example.se\"", "sources[0].url", `only for kind = "hub" or "minaarenden"`},
		{"types on hub", "[[sources]]\nkind = \"hub\"\nname = \"h\"\nurl = \"https://x.example.se\"\ntypes = [\"A\"]", "sources[0].types", `only for kind = "minaarenden"`},
		{"timeout over deadline", "[[sources]]\nkind = \"demo\"\nname = \"d\"\ntimeout = \"5s\"", "sources[0].timeout", "longer than deadline"},
		{"half an operator", "[[sources]]\nkind = \"demo\"\nname = \"d\"\noperator = { id = \"d\" }", "sources[0].operator", "both id and name"},
		{"client key without cert", "[[sources]]\nkind = \"hub\"\nname = \"h\"\nurl = \"https://x.example.se\"\nclient_key_file = \"client.key\"", "sources[0].client_cert_file", "required with"},
		{"client key mismatch", "[[sources]]\nkind = \"hub\"\nname = \"h\"\nurl = \"https://x.example.se\"\nclient_cert_file = \"client.crt\"\nclient_key_file = \"other.key\"", "sources[0].client_key_file", "does not match"},
		{"ca not pem", "[[sources]]\nkind = \"hub\"\nname = \"h\"\nurl = \"https://x.example.se\"\nca_file = \"not-a-cert.pem\"", "sources[0].ca_file", "not a PEM certificate"},
		{"url with credentials", "[[sources]]\nkind = \"hub\"\nname = \"h\"\nurl = \"https://u:p@x.example.se\"", "sources[0].url", "user information"},
		{"header secret not set", "[[sources]]\nkind = \"hub\"\nname = \"h\"\nurl = \"https://x.example.se\"\nheaders = { client_secret = \"env:NOT_SET\" }", `sources[0].headers.client_secret`, "NOT_SET is not set"},
		{"reserved header", "[[sources]]\nkind = \"hub\"\nname = \"h\"\nurl = \"https://x.example.se\"\nheaders = { Host = \"evil\" }", `sources[0].headers.Host`, "cannot be configured"},
		{"header the hub client sets", "[[sources]]\nkind = \"hub\"\nname = \"h\"\nurl = \"https://x.example.se\"\nheaders = { accept = \"text/html\" }", `sources[0].headers.accept`, "cannot be configured"},
		{"header the Mina ärenden client sets", "[[sources]]\nkind = \"minaarenden\"\nname = \"m\"\nurl = \"https://x.example.se\"\nheaders = { skv_client_correlation_id = \"x\" }", `sources[0].headers.skv_client_correlation_id`, "cannot be configured"},
		{"bad header name", "[[sources]]\nkind = \"hub\"\nname = \"h\"\nurl = \"https://x.example.se\"\nheaders = { \"a b\" = \"x\" }", `sources[0].headers."a b"`, "not a valid header name"},
		{"catalogue missing", "[[sources]]\nkind = \"minaarenden\"\nname = \"m\"\nurl = \"https://x.example.se\"\ncatalogue_file = \"types.toml\"", "sources[0].catalogue_file", "no such file"},
		{"catalogue on a hub", "[[sources]]\nkind = \"hub\"\nname = \"h\"\nurl = \"https://x.example.se\"\ncatalogue_file = \"types.toml\"", "sources[0].catalogue_file", `only for kind = "minaarenden"`},
		{"mapping is gone", "[[sources]]\nkind = \"minaarenden\"\nname = \"m\"\nurl = \"https://x.example.se\"\nmapping = { MOTTAGEN = \"received\" }", "sources[0].mapping", "unknown key"},
		{"type with space", "[[sources]]\nkind = \"minaarenden\"\nname = \"m\"\nurl = \"https://x.example.se\"\ntypes = [\"KOMMUN BYGGLOV\"]", "sources[0].types[0]", "must match ^[A-Z]+"},
		{"type the service refuses", "[[sources]]\nkind = \"minaarenden\"\nname = \"m\"\nurl = \"https://x.example.se\"\ntypes = [\"KOMMUN.BYGGLÖV\"]", "sources[0].types[0]", "must match ^[A-Z]+"},
		{"tag too long", "[[sources]]\nkind = \"minaarenden\"\nname = \"m\"\nurl = \"https://x.example.se\"\ntags = [\"" + strings.Repeat("t", 101) + "\"]", "sources[0].tags[0]", "1 to 100 characters"},
		{"user not 12 digits", "[[sources]]\nkind = \"minaarenden\"\nname = \"m\"\nurl = \"https://x.example.se\"\nuser = \"portal.example.se\"", "sources[0].user", "12 digits"},
		{"demo document missing", "[[sources]]\nkind = \"demo\"\nname = \"d\"\ndata_file = \"cases.json\"", "sources[0].data_file", "no such file"},
		{"demo document invalid", "[[sources]]\nkind = \"demo\"\nname = \"d\"\ndata_file = \"secret.hex\"", "sources[0].data_file", "JSON"},
		{"producer without name", "[[producers]]\nid = \"x\"", "producers[0].name", "required"},
		{"metrics path", "[metrics]\npath = \"metrics\"", "metrics.path", `like "/metrics"`},
		{"preferences hub without hub", "[preferences]\nstore = \"hub\"", "preferences.store", "needs a source of kind"},
		{"preferences source unknown", "[preferences]\nstore = \"hub\"\nsource = \"demo\"", "preferences.source", "not the name of a source"},
		{"preferences source with memory", "[preferences]\nsource = \"demo\"", "preferences.source", "only with store"},
		{"postgres without dsn", "[preferences]\nstore = \"postgres\"\nsecret_file = \"secret.hex\"", "preferences.dsn", "required with store"},
		{"postgres without secret", "[preferences]\nstore = \"postgres\"\ndsn = \"postgres://db.internal/arendevy\"", "preferences.secret_file", "unreadable after a restart"},
		{"postgres dsn not valid", "[preferences]\nstore = \"postgres\"\nsecret_file = \"secret.hex\"\ndsn = \"postgres://db:port/x\"", "preferences.dsn", "not a valid connection string"},
		{"dsn with memory", "[preferences]\ndsn = \"postgres://db.internal/arendevy\"", "preferences.dsn", "only with store"},
		{"unknown preferences store", "[preferences]\nstore = \"sqlite\"", "preferences.store", `"memory", "postgres" or "hub"`},
		{"log level", "[log]\nlevel = \"loud\"", "log.level", `"loud" is not valid`},
		{"negative session burst", "[limits]\nsession_burst = -1", "limits.session_burst", "must not be negative"},
		{"address burst without every", "[limits]\naddress_every = \"0s\"", "limits.address_every", "must be positive"},
		{"trusted proxy not a block", "[limits]\ntrusted_proxies = [\"10.0.0.1\", \"lb.internal\"]", "limits.trusted_proxies[1]", "CIDR block"},
		{"negative source concurrency", "[limits]\nsource_concurrency = -2", "limits.source_concurrency", "must not be negative"},
		{"log format", "[log]\nformat = \"xml\"", "log.format", `"text" or "json"`},
		{"trust line of wrong type", "trust_line = 3", "trust_line", "must be a string or a table"},
		{"map of wrong type", "[[sources]]\nkind = \"hub\"\nname = \"h\"\nurl = \"https://x.example.se\"\nheaders = [\"a\"]", "sources[0].headers", "must be a table"},
		{"section of wrong type", "session = 1", "session", "must be a table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, tt.toml)
			got := fields(t, path, nil)
			require.Contains(t, got, tt.field, "problems: %v", got)
			require.Contains(t, got[tt.field], tt.says)
		})
	}
}

// TestRedisBehindSentinel: Sentinels and the primary's name are enough,
// from the file or from the environment.
func TestRedisBehindSentinel(t *testing.T) {
	path := write(t, "[session]\nstore = \"redis\"\nredis_master = \"arendevy\"\nredis_sentinels = [\"127.0.0.1:26379\", \"[::1]:26380\"]")
	c, err := Load(path, envOf(nil))
	require.NoError(t, err)
	require.Equal(t, []string{"127.0.0.1:26379", "[::1]:26380"}, c.Session.RedisSentinels)
	require.Equal(t, "arendevy", c.Session.RedisMaster)
}

func TestEnvironmentOverridesTheFile(t *testing.T) {
	c, err := Load("testdata/municipality.toml", envOf(map[string]string{
		"ARENDEVY_LISTEN":            "127.0.0.1:9443",
		"ARENDEVY_PUBLIC_URL":        "https://portal.vaxholm.example.se/",
		"ARENDEVY_SESSION_REDIS_URL": "rediss://:pw@redis.internal:6380/2",
		"ARENDEVY_SESSION_IDLE":      "5m",
		"ARENDEVY_METRICS_ENABLED":   "false",
		"ARENDEVY_LANGUAGES":         "en, sv",
		"ARENDEVY_SAML_CLOCK_SKEW":   "1m",
		"ARENDEVY_LOG_LEVEL":         "debug",
		"ARENDEVY_THEME":             "",
		"PORT":                       "1234",
	}))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:9443", c.Listen, "ARENDEVY_LISTEN wins over PORT")
	require.Equal(t, "https://portal.vaxholm.example.se", c.PublicURL)
	require.Equal(t, "rediss://:pw@redis.internal:6380/2", c.Session.RedisURL)
	require.Equal(t, 5*time.Minute, c.Session.Idle)
	require.False(t, c.Metrics.Enabled)
	require.Equal(t, []string{"en", "sv"}, c.Languages)
	require.Equal(t, time.Minute, c.SAML.ClockSkew)
	require.Equal(t, slog.LevelDebug, c.Log.Level)
	require.Equal(t, "default", c.Theme, "an empty variable is not set")
	require.Equal(t, "My cases at Vaxholms stad is approved by the Swedish Tax Agency.", c.TrustLine.For("de"),
		"the first language of the environment's list is the fallback")
}

func TestPort(t *testing.T) {
	c, err := Load("", envOf(map[string]string{"PORT": "9090"}))
	require.NoError(t, err)
	require.Equal(t, ":9090", c.Listen)
	require.Equal(t, "http://localhost:9090", c.PublicURL, "the development public URL follows the port")

	c, err = Load("testdata/bank.toml", envOf(map[string]string{"PORT": "9090"}))
	require.NoError(t, err)
	require.Equal(t, ":9090", c.Listen, "PORT overrides the file")
	require.Equal(t, "https://bank.example.se", c.PublicURL)
}

func TestBadEnvironmentValuesAreNamed(t *testing.T) {
	got := fields(t, "", envOf(map[string]string{
		"ARENDEVY_SESSION_IDLE":         "soon",
		"ARENDEVY_METRICS_ENABLED":      "maybe",
		"ARENDEVY_THEME":                "dark",
		"ARENDEVY_LOG_LEVEL":            "loud",
		"PORT":                          "eighty",
		"ARENDEVY_LIMITS_SESSION_BURST": "many",
	}))
	require.Equal(t, map[string]string{
		"session.idle":         `"soon" is not a duration (write e.g. "500ms", "15m" or "8h") (set by ARENDEVY_SESSION_IDLE)`,
		"metrics.enabled":      `"maybe" is not true or false (set by ARENDEVY_METRICS_ENABLED)`,
		"theme":                `must be one of "default", "bank" (set by ARENDEVY_THEME)`,
		"log.level":            got["log.level"],
		"listen":               "PORT must be a port number from 1 to 65535 (set by PORT)",
		"limits.session_burst": `"many" is not a whole number (set by ARENDEVY_LIMITS_SESSION_BURST)`,
	}, got)
	require.Contains(t, got["log.level"], "(set by ARENDEVY_LOG_LEVEL)")
}

func TestSecretsAreNeverRepeated(t *testing.T) {
	for _, tt := range []struct{ storeVar, store, urlVar, field, url string }{
		{"ARENDEVY_SESSION_STORE", "redis", "ARENDEVY_SESSION_REDIS_URL", "session.redis_url", "redis://:hunter2@[::1"},
		{"ARENDEVY_SESSION_STORE", "redis", "ARENDEVY_SESSION_REDIS_URL", "session.redis_url", "redis://:hunter2@redis.internal/db"},
		{"ARENDEVY_PREFERENCES_STORE", "postgres", "ARENDEVY_PREFERENCES_DSN", "preferences.dsn", "postgres://arendevy:hunter2@db.internal:port/x"},
		{"ARENDEVY_PREFERENCES_STORE", "postgres", "ARENDEVY_PREFERENCES_DSN", "preferences.dsn", "host=db password=hunter2 port=x"},
	} {
		got := fields(t, "", envOf(map[string]string{tt.storeVar: tt.store, tt.urlVar: tt.url}))
		require.Contains(t, got, tt.field)
		require.NotContains(t, got[tt.field], "hunter2")
	}
	path := write(t, "[[sources]]\nkind = \"hub\"\nname = \"h\"\nurl = \"https://x.example.se\"\nheaders = { client_secret = \"env:SECRET\" }")
	got := fields(t, path, envOf(map[string]string{"SECRET": "hunter2\r\nX-Injected: 1"}))
	require.Contains(t, got, "sources[0].headers.client_secret")
	require.NotContains(t, got["sources[0].headers.client_secret"], "hunter2")
}

func TestRelativePathsFromTheEnvironmentAreFromTheWorkingDirectory(t *testing.T) {
	c, err := Load("testdata/bank.toml", envOf(map[string]string{"ARENDEVY_PREFERENCES_SECRET_FILE": "testdata/secret.hex"}))
	require.NoError(t, err)
	require.Equal(t, "testdata/secret.hex", c.Preferences.SecretFile)
}

func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	thirtyTwo := strings.Repeat("k", 32)
	tests := []struct {
		name, content string
		want          []byte
		wantErr       string
	}{
		{"hex", strings.Repeat("ab", 32) + "\n", []byte(strings.Repeat("\xab", 32)), ""},
		{"base64", "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=\n", []byte(thirtyTwo), ""},
		{"raw", thirtyTwo, []byte(thirtyTwo), ""},
		{"short hex", strings.Repeat("ab", 16), []byte(strings.Repeat("ab", 16)), ""},
		{"short", "secret\n", nil, "shorter than 32 bytes"},
		{"blank", strings.Repeat(" ", 40), nil, "shorter than 32 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			got, err := ReadSecret(path)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestReadFileRefusesWhatIsNotARegularFile(t *testing.T) {
	_, err := readFile(t.TempDir(), 10)
	require.ErrorContains(t, err, "not a regular file")
	path := filepath.Join(t.TempDir(), "big")
	require.NoError(t, os.WriteFile(path, make([]byte, 11), 0o600))
	_, err = readFile(path, 10)
	require.ErrorContains(t, err, "larger than 10 bytes")
}

func TestParseIdPMetadata(t *testing.T) {
	valid, err := os.ReadFile("testdata/idp-metadata.xml")
	require.NoError(t, err)
	const md = `xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"`
	sso := `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp2.example.se/sso"/></md:IDPSSODescriptor>`
	tests := []struct {
		name, xml, entity, wantErr string
	}{
		{"entity descriptor", string(valid), "https://idp.example.se/idp", ""},
		{"aggregate: its first IdP", `<md:EntitiesDescriptor ` + md + `>` +
			`<md:EntityDescriptor entityID="https://sp.example.se"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>` +
			`<md:EntitiesDescriptor><md:EntityDescriptor entityID="https://idp2.example.se">` + sso + `</md:EntityDescriptor></md:EntitiesDescriptor>` +
			`</md:EntitiesDescriptor>`, "https://idp2.example.se", ""},
		{"doctype", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>` + string(valid), "", "document type declaration"},
		{"aggregate without IdP", `<md:EntitiesDescriptor ` + md + `><md:EntityDescriptor entityID="https://sp.example.se"/></md:EntitiesDescriptor>`, "", "no entity in it is an IdP"},
		{"no sso service", `<md:EntityDescriptor ` + md + ` entityID="https://idp.example.se"><md:IDPSSODescriptor protocolSupportEnumeration="x"/></md:EntityDescriptor>`, "", "no IDPSSODescriptor with a SingleSignOnService"},
		{"no entity id", `<md:EntityDescriptor ` + md + `>` + sso + `</md:EntityDescriptor>`, "", "no entityID"},
		{"other root", `<html><body/></html>`, "", "root element is <html>"},
		{"not xml", `-----BEGIN CERTIFICATE-----`, "", "not XML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ed, err := ParseIdPMetadata([]byte(tt.xml))
			if tt.wantErr != "" {
				require.ErrorIs(t, err, ErrMetadata)
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.entity, ed.EntityID)
		})
	}
}

// TestClientTLS shakes hands with a server that requires the client
// certificate and presents a certificate only ca_file vouches for.
func TestClientTLS(t *testing.T) {
	serverPair, err := tls.LoadX509KeyPair("testdata/tls.crt", "testdata/tls.key")
	require.NoError(t, err)
	clientCerts, err := readCertificates("testdata/client.crt")
	require.NoError(t, err)
	clients := x509.NewCertPool()
	clients.AddCert(clientCerts[0])
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{serverPair}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clients,
	})
	require.NoError(t, err)
	defer ln.Close()
	peer := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			peer <- err.Error()
			return
		}
		defer conn.Close()
		tc := conn.(*tls.Conn)
		if err := tc.Handshake(); err != nil {
			peer <- err.Error()
			return
		}
		peer <- tc.ConnectionState().PeerCertificates[0].Subject.CommonName
	}()

	src := Source{Name: "hub", ClientCertFile: "testdata/client.crt", ClientKeyFile: "testdata/client.key", CAFile: "testdata/tls.crt"}
	cfg, err := src.ClientTLS()
	require.NoError(t, err)
	cfg.ServerName = "minasidor.example.se"
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ln.Addr().String(), cfg)
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	require.Equal(t, "arendevy client", <-peer)

	_, err = Source{Name: "hub", ClientCertFile: "testdata/client.crt", ClientKeyFile: "testdata/other.key"}.ClientTLS()
	require.ErrorContains(t, err, "source hub: client certificate")
}

func TestErrorFormat(t *testing.T) {
	e := &Error{File: "a.toml", Problems: []Problem{{Field: "listen", Message: "bad"}, {Message: "line 2: worse"}}}
	require.Equal(t, "a.toml: listen: bad\na.toml: line 2: worse", e.Error())
	require.True(t, errors.Is(e, ErrInvalid))
	require.Equal(t, "listen: bad", (&Error{Problems: e.Problems[:1]}).Error())
}

// TestEveryKeyIsDocumented keeps docs/configuration.md in step with the code:
// every key and every environment variable appears in it.
func TestEveryKeyIsDocumented(t *testing.T) {
	raw, err := os.ReadFile("../../docs/configuration.md")
	require.NoError(t, err)
	doc := string(raw)
	c := defaults()
	for _, s := range envSettings(&c) {
		require.True(t, strings.Contains(doc, "`"+s.name+"`"), "environment variable %s of %s is not documented", s.name, s.field)
	}
	seen := 0
	for _, key := range keysIn(reflect.TypeFor[Config]()) {
		seen++
		documented := strings.Contains(doc, "`"+key+"`") || strings.Contains(doc, "`["+key+"]`") || strings.Contains(doc, "`[["+key+"]]`")
		require.True(t, documented, "key %s is not documented", key)
	}
	require.Greater(t, seen, 40)
}

// keysIn lists the TOML keys of a struct type and of the tables in it.
func keysIn(t reflect.Type) []string {
	var out []string
	keys := keysOf(t)
	for _, k := range sortedKeys(keys) {
		out = append(out, k)
		ft := t.Field(keys[k]).Type
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != textType {
			out = append(out, keysIn(ft)...)
		}
	}
	return out
}

// TestDocumentedExamplesAreValid loads every TOML example of the
// documentation; only the files they name, which do not exist here, may be
// missing.
func TestDocumentedExamplesAreValid(t *testing.T) {
	raw, err := os.ReadFile("../../docs/configuration.md")
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllStringSubmatch(string(raw), -1)
	require.Len(t, blocks, 2, "a municipality and a bank")
	for i, b := range blocks {
		path := filepath.Join(t.TempDir(), "example.toml")
		require.NoError(t, os.WriteFile(path, []byte(b[1]), 0o600))
		for _, p := range Check(path, secrets) {
			require.Contains(t, p.Message, "/etc/arendevy/", "example %d: %s", i, p)
			require.Contains(t, p.Message, "no such file", "example %d: %s", i, p)
		}
	}
}

// TOML forbids a key given twice, and a table defined twice; the library
// refuses both, so the configuration never silently keeps the last one.
func TestKeysGivenTwiceAreRefused(t *testing.T) {
	for name, toml := range map[string]string{
		"a key":             "listen = \":8081\"\nlisten = \":8082\"",
		"a key of a table":  "[session]\nstore = \"memory\"\nstore = \"redis\"",
		"a table":           "[session]\nstore = \"memory\"\n[session]\nstore = \"redis\"",
		"a key in an array": "[[sources]]\nkind = \"memory\"\nkind = \"hub\"",
		"an inline table":   "trust_line = { sv = \"a\", sv = \"b\" }",
	} {
		t.Run(name, func(t *testing.T) {
			got := fields(t, write(t, toml), nil)
			require.Contains(t, got[""], "already", "got %v", got)
		})
	}
}

// TestCatalogueFileProblemsAreNamed: -check-config names every problem of a
// Mina ärenden source's type catalogue, each with the file, as the start
// would refuse it.
func TestCatalogueFileProblemsAreNamed(t *testing.T) {
	path := write(t, "[[sources]]\nkind = \"minaarenden\"\nname = \"m\"\nurl = \"https://x.example.se\"\ncatalogue_file = \"types.toml\"")
	catalogue := filepath.Join(filepath.Dir(path), "types.toml")
	require.NoError(t, os.WriteFile(catalogue, []byte(`service = "Mina ärenden"
[texts]
deadline = { sv = "Sista dag att åtgärda" }
missing_documents = { sv = "Saknade handlingar", en = "Missing documents" }
firm = { sv = "Enskild firma nummer", en = "Sole trader firm number" }
[[types]]
type = "MOTTAGEN"
status = "arrived"
[[types]]
type = "MOTTAGEN"
status = "received"
[[types]]
type = "kommun.bygglov"
title = { sv = "Bygglov", en = "Building permit", de = "Baugenehmigung" }
`), 0o600))
	got := fields(t, path, nil)["sources[0].catalogue_file"]
	for _, want := range []string{
		"types.toml: texts.deadline: the en text is missing",
		`types.toml: types[0].status: "arrived" is not one of received`,
		`types.toml: types[1].type: "MOTTAGEN" is given twice`,
		`types.toml: types[2].type: "kommun.bygglov" is not an event type`,
		"types.toml: types[2].title.de: not a language of the page",
	} {
		require.Contains(t, got, want)
	}
}
