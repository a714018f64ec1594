package config

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"
	"golang.org/x/net/http/httpguts"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/cors"
	"github.com/arendevy/arendevy/kit/hub"
	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/loopback"
	"github.com/arendevy/arendevy/kit/memory"
	"github.com/arendevy/arendevy/kit/minaarenden"
	"github.com/arendevy/arendevy/kit/postgres"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/session"
)

// Limits of the checks, also in docs/configuration.md.
const (
	maxDeadline  = 30 * time.Second // users do not wait longer
	maxDrain     = time.Minute      // longer than any health-check interval
	maxClockSkew = 10 * time.Minute
	maxTextLen   = 300 // runes of a trust line or a title
	maxNameLen   = 64
	maxListItems = 100 // types and tags, as the Mina ärenden query allows
	minRSABits   = 2048
)

var (
	languageTag = regexp.MustCompile(`^[a-z]{2,3}$`)
	sourceName  = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)
	envVarName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// checker checks a decoded configuration and fills in what derives from it.
type checker struct {
	c   *Config
	ps  *problems
	env func(string) string
	// publicValid: PublicURL passed its checks; publicLoopback: and it
	// names a loopback host.
	publicValid, publicLoopback bool
}

func validate(c *Config, env func(string) string, ps *problems) {
	k := checker{c: c, ps: ps, env: env}
	k.listen()
	k.publicURL()
	k.site()
	k.tls()
	k.saml()
	k.session()
	k.embedding()
	k.sources()
	k.producers()
	k.metrics()
	k.preferences()
	k.log()
	k.limits()
}

func (k *checker) add(field, format string, a ...any) { k.ps.add(field, format, a...) }

func (k *checker) listen() {
	_, port, err := net.SplitHostPort(k.c.Listen)
	if err != nil {
		k.add("listen", "must be host:port or :port, like \":8080\"")
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		k.add("listen", "the port must be a number from 0 to 65535")
	}
}

// derivePublicURL is the public URL when none is configured: localhost on
// the listen port, for local development.
func derivePublicURL(c Config) string {
	scheme := "http"
	if c.TLS.Enabled() {
		scheme = "https"
	}
	_, port, err := net.SplitHostPort(c.Listen)
	if err != nil || port == "" {
		return scheme + "://localhost"
	}
	return scheme + "://localhost:" + port
}

func (k *checker) publicURL() {
	c := k.c
	if c.PublicURL == "" {
		if !c.SAML.DevIdP {
			k.add("public_url", "required: the address users reach the portal at, like https://minasidor.example.se")
			return
		}
		c.PublicURL = derivePublicURL(*c)
	}
	u, err := url.Parse(c.PublicURL)
	switch {
	case err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https":
		k.add("public_url", "must be an absolute URL like https://minasidor.example.se")
	case u.User != nil:
		k.add("public_url", "must not contain user information")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Trim(u.Path, "/") != "":
		k.add("public_url", "must be the site's origin, without path, query or fragment")
	case u.Scheme == "http" && !loopback.Host(u.Hostname()):
		k.add("public_url", "must be https (plain http only for a loopback host such as localhost or a name under .localhost)")
	case c.TLS.Enabled() && u.Scheme != "https":
		k.add("public_url", "must be https when tls is configured")
	default:
		c.PublicURL = u.Scheme + "://" + strings.ToLower(u.Host)
		k.publicValid, k.publicLoopback = true, loopback.Host(u.Hostname())
	}
}

// localAddress reports whether host is one the portal itself reaches on
// this machine: localhost or a loopback address. Other names under
// .localhost are loopback to browsers (kit/loopback) but not to Go's
// resolver, which would ask DNS for them.
func localAddress(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// catalogueLanguages are the languages of the kit's message catalogue
// (locales/*.toml), the only ones the portal can speak.
func catalogueLanguages() []string {
	b, err := i18n.Default()
	if err != nil {
		return nil // a broken catalogue stops the kit at its start, with every problem named
	}
	var langs []string
	for _, tag := range b.Languages() {
		langs = append(langs, tag.String())
	}
	return langs
}

// site checks what users see: theme, languages, trust line, deadline.
func (k *checker) site() {
	c := k.c
	if !slices.Contains(Themes, c.Theme) {
		k.add("theme", "must be one of %s", strings.Join(quoteAll(Themes), ", "))
	}
	if len(c.Languages) == 0 {
		k.add("languages", "at least one language is needed; the first is the fallback")
	}
	catalogued := catalogueLanguages()
	for i, lang := range c.Languages {
		field := fmt.Sprintf("languages[%d]", i)
		switch {
		case !languageTag.MatchString(lang):
			k.add(field, "%q is not a language code like \"sv\" or \"en\"", lang)
		case slices.Index(c.Languages, lang) < i:
			k.add(field, "%q is listed twice", lang)
		case !slices.Contains(catalogued, lang):
			k.add(field, "%q has no message catalogue (locales/%s.toml); the catalogue has %s", lang, lang, strings.Join(catalogued, ", "))
		}
	}
	k.text("trust_line", &c.TrustLine)
	k.text("approved_by", &c.ApprovedBy)
	switch {
	case c.Deadline <= 0:
		k.add("deadline", "must be positive")
	case c.Deadline > maxDeadline:
		k.add("deadline", "at most %s: nobody waits longer for an overview", maxDeadline)
	}
	if c.Drain < 0 || c.Drain > maxDrain {
		k.add("drain", "from 0s to %s", maxDrain)
	}
}

// line checks a line of text shown to users.
// text checks a Text: each language's text one line, every language one
// of languages, the fallback language's text given; it then stands for
// the languages without one. One empty string turns the text off.
func (k *checker) text(field string, t *Text) {
	c := k.c
	if t.byLang == nil {
		if t.all != "" {
			k.line(field, t.all)
		}
		return
	}
	for _, lang := range sortedKeys(t.byLang) {
		if !slices.Contains(c.Languages, lang) {
			k.add(join(field, lang), "not one of languages (%s)", strings.Join(c.Languages, ", "))
		}
		k.line(join(field, lang), t.byLang[lang])
	}
	if len(c.Languages) > 0 {
		if fallback, ok := t.byLang[c.Languages[0]]; ok {
			t.all = fallback
		} else {
			k.add(field, "give a text for %q, the fallback language", c.Languages[0])
		}
	}
}

func (k *checker) line(field, s string) {
	switch {
	case strings.TrimSpace(s) == "":
		k.add(field, "must not be empty")
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		k.add(field, "must be one line of text, without control characters")
	case utf8.RuneCountInString(s) > maxTextLen:
		k.add(field, "longer than %d characters", maxTextLen)
	}
}

func (k *checker) tls() {
	k.keyPair("tls.cert_file", k.c.TLS.CertFile, "tls.key_file", k.c.TLS.KeyFile)
}

// keyPair checks a certificate file and its key file: both or neither,
// each readable and parsed, the key the certificate's. It returns the key
// when all is well.
func (k *checker) keyPair(certField, certPath, keyField, keyPath string) crypto.Signer {
	switch {
	case certPath == "" && keyPath == "":
		return nil
	case certPath == "":
		k.add(certField, "required with %s", keyField)
		return nil
	case keyPath == "":
		k.add(keyField, "required with %s", certField)
		return nil
	}
	certs, certErr := readCertificates(certPath)
	if certErr != nil {
		k.add(certField, "%v", certErr)
	}
	key, keyErr := readPrivateKey(keyPath)
	if keyErr != nil {
		k.add(keyField, "%v", keyErr)
	}
	if certErr != nil || keyErr != nil {
		return nil
	}
	if !matches(certs[0], key) {
		k.add(keyField, "does not match the certificate in %s", certField)
		return nil
	}
	return key
}

func (k *checker) saml() {
	s := &k.c.SAML
	hasMetadata := s.IdPMetadataURL != "" || s.IdPMetadataFile != ""
	switch {
	case s.DevIdP && hasMetadata:
		k.add("saml.dev_idp", "set dev_idp = false to log in through the IdP of the metadata")
	case s.DevIdP && k.publicValid && !k.publicLoopback:
		k.add("saml.dev_idp", "the development IdP logs anybody in without a password: only allowed with a loopback public_url (set dev_idp = false and idp_metadata_url or idp_metadata_file)")
	case s.DevIdP && !listensOnLoopback(k.c.Listen):
		k.add("listen", "the development IdP logs anybody in without a password: listen on a loopback address only, like 127.0.0.1:8080 or :8080")
	case !s.DevIdP && !hasMetadata:
		k.add("saml.idp_metadata_url", "set idp_metadata_url or idp_metadata_file (or dev_idp = true for local development)")
	case s.IdPMetadataURL != "" && s.IdPMetadataFile != "":
		k.add("saml.idp_metadata_file", "set only one of idp_metadata_url and idp_metadata_file")
	}
	if s.IdPMetadataURL != "" {
		if reason := serviceURL(s.IdPMetadataURL, false); reason != "" {
			k.add("saml.idp_metadata_url", "%s", reason)
		}
	}
	if s.IdPMetadataFile != "" {
		if _, err := ReadIdPMetadata(s.IdPMetadataFile); err != nil {
			k.add("saml.idp_metadata_file", "%v", err)
		}
	}
	if !s.DevIdP && s.SPCertFile == "" && s.SPKeyFile == "" {
		k.add("saml.sp_cert_file", "required unless dev_idp = true: the service provider's RSA certificate (with sp_key_file)")
	}
	if key := k.keyPair("saml.sp_cert_file", s.SPCertFile, "saml.sp_key_file", s.SPKeyFile); key != nil {
		// IdPs encrypt assertions to this key, and the SAML library decrypts
		// with RSA only.
		if rk, ok := key.(*rsa.PrivateKey); !ok {
			k.add("saml.sp_key_file", "must be an RSA key: assertions are encrypted to it")
		} else if bits := rk.N.BitLen(); bits < minRSABits {
			k.add("saml.sp_key_file", "an RSA key of %d bits; at least %d are needed", bits, minRSABits)
		}
	}
	if s.EntityID != "" && !absoluteURI(s.EntityID) {
		k.add("saml.entity_id", "must be an absolute URI, like https://minasidor.example.se/saml/metadata")
	}
	if len(s.LoA) == 0 {
		k.add("saml.loa", "at least one level of assurance is needed, like %q", DefaultLoA)
	}
	for i, loa := range s.LoA {
		field := fmt.Sprintf("saml.loa[%d]", i)
		switch {
		case !absoluteURI(loa):
			k.add(field, "%q is not a level-of-assurance URI like %q", loa, DefaultLoA)
		case slices.Index(s.LoA, loa) < i:
			k.add(field, "listed twice")
		}
	}
	if s.ClockSkew < 0 || s.ClockSkew > maxClockSkew {
		k.add("saml.clock_skew", "must be from 0s to %s", maxClockSkew)
	}
	k.devListeners()
}

// devListeners checks the listeners of the development setup: the
// development IdP's own (it logs anybody in) and the demo e-service's (it
// stands in for a producer's e-service on the developer's computer, port 0
// for any free one), each loopback only and not another one's address.
func (k *checker) devListeners() {
	for _, l := range []loopbackListener{{
		field: "saml.dev_idp_listen", addr: k.c.SAML.DevIdPListen, example: "127.0.0.1:8081",
		what:     "it is where the development IdP listens",
		loopback: "the development IdP logs anybody in without a password",
		differ:   "must differ from listen: the IdP is another origin",
	}, {
		field: "saml.demo_eservice_listen", addr: k.c.SAML.DemoEServiceListen, example: "127.0.0.1:8090 (port 0: any free port)",
		what:     "the demo e-service is a second service provider of the development IdP",
		loopback: "the demo e-service serves this computer only",
		differ:   "must differ from listen and dev_idp_listen",
		anyPort:  true, others: []string{k.c.SAML.DevIdPListen},
	}} {
		k.loopbackListener(l)
	}
}

// loopbackListener is a listener of the development setup beside the portal's.
type loopbackListener struct {
	field, addr, example string
	what, loopback       string // why dev_idp is needed, why loopback only
	differ               string // the problem when it is another listener's address
	anyPort              bool   // port 0 lets the system choose
	others               []string
}

// loopbackListener checks l: only with dev_idp, a loopback host and a port,
// and not the portal's address or one of l.others.
func (k *checker) loopbackListener(l loopbackListener) {
	if l.addr == "" {
		return
	}
	if !k.c.SAML.DevIdP {
		k.add(l.field, "only with dev_idp = true: %s", l.what)
		return
	}
	host, port, err := net.SplitHostPort(l.addr)
	n, perr := strconv.Atoi(port)
	lowest := 1
	if l.anyPort {
		lowest = 0
	}
	switch {
	case err != nil || perr != nil || n < lowest || n > 65535:
		k.add(l.field, "must be a loopback host and port, like %s", l.example)
	case !localAddress(host):
		k.add(l.field, "%s: only a loopback host (127.0.0.1, ::1 or localhost)", l.loopback)
	case n == 0:
	case k.c.Listen == l.addr || strings.HasPrefix(k.c.Listen, ":") && ":"+port == k.c.Listen || slices.Contains(l.others, l.addr):
		k.add(l.field, "%s", l.differ)
	}
}

// listensOnLoopback: the portal with the development IdP listens on
// 127.0.0.1 when the address names no host, else on the host it names,
// which must then be loopback.
func listensOnLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	return err != nil || host == "" || localAddress(host)
}

func absoluteURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "") &&
		!strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f })
}

// serviceURL says why raw cannot be the URL of a service, or "". http is
// allowed only to a loopback host, and only where loopbackHTTP says so.
func serviceURL(raw string, loopbackHTTP bool) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Scheme == "":
		return "must be an absolute https URL"
	case u.User != nil:
		return "must not contain user information; put credentials in headers with env:NAME values"
	case u.Fragment != "":
		return "must not have a fragment"
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && loopbackHTTP && localAddress(u.Hostname()):
		return ""
	}
	return "must be https"
}

// redis checks the one way to reach Redis: a URL, or Sentinels and the
// name of the primary they monitor.
func (k *checker) redis(s *Session) {
	sentinel := len(s.RedisSentinels) > 0 || s.RedisMaster != ""
	switch {
	case s.RedisURL != "" && sentinel:
		k.add("session.redis_url", "set either redis_url or redis_sentinels with redis_master, not both")
		return
	case sentinel:
		if len(s.RedisSentinels) == 0 {
			k.add("session.redis_sentinels", "required with redis_master: the host:port of each Sentinel")
		}
		for i, a := range s.RedisSentinels {
			if host, port, err := net.SplitHostPort(a); err != nil || host == "" || !validPort(port) {
				k.add(fmt.Sprintf("session.redis_sentinels[%d]", i), "must be host:port")
			}
		}
		if strings.TrimSpace(s.RedisMaster) == "" {
			k.add("session.redis_master", "required with redis_sentinels: the name the Sentinels monitor")
		}
		return
	case s.RedisURL == "":
		k.add("session.redis_url", "required with store = \"redis\" (or redis_sentinels with redis_master)")
		return
	}
	if _, err := redis.ParseURL(s.RedisURL); err != nil {
		// url.Error repeats the URL, which may hold a password.
		var ue *url.Error
		if errors.As(err, &ue) {
			k.add("session.redis_url", "not a URL")
		} else {
			k.add("session.redis_url", "%v (use redis://host:6379/0 or rediss://…)", err)
		}
	}
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n > 0 && n < 65536
}

func (k *checker) session() {
	s := &k.c.Session
	switch s.Store {
	case StoreMemory:
	case StoreRedis:
		k.redis(s)
	default:
		k.add("session.store", "must be %q or %q", StoreMemory, StoreRedis)
	}
	if s.Idle <= 0 {
		k.add("session.idle", "must be positive")
	}
	if s.Absolute <= 0 {
		k.add("session.absolute", "must be positive")
	} else if s.Idle > s.Absolute {
		k.add("session.idle", "longer than session.absolute (%s)", s.Absolute)
	}
	if s.KeyFile != "" {
		if _, err := ReadSecret(s.KeyFile); err != nil {
			k.add("session.key_file", "%v", err)
		}
	}
	if s.CookieDomain != "" {
		host := ""
		if k.publicValid {
			u, _ := url.Parse(k.c.PublicURL) // publicURL parsed it
			host = u.Hostname()
		}
		if err := session.CheckCookieDomain(s.CookieDomain, host); err != nil {
			k.add("session.cookie_domain", "%v", err)
		}
	}
}

// embedding checks the pages that show the element from this portal, by
// the kit's own rule against the public URL.
func (k *checker) embedding() {
	own := ""
	if k.publicValid {
		own = k.c.PublicURL
	}
	for i, o := range k.c.EmbedOrigins {
		field := fmt.Sprintf("embed_origins[%d]", i)
		if err := cors.Check(o, own); err != nil {
			k.add(field, "%v", err)
		} else if slices.Index(k.c.EmbedOrigins, o) < i {
			k.add(field, "listed twice")
		}
	}
}

// applies says which kinds of source each key is for.
var applies = map[string][]Kind{
	"data_file":        {KindDemo},
	"url":              {KindHub, KindMinaArenden},
	"client_cert_file": {KindHub, KindMinaArenden},
	"client_key_file":  {KindHub, KindMinaArenden},
	"ca_file":          {KindHub, KindMinaArenden},
	"headers":          {KindHub, KindMinaArenden},
	"types":            {KindMinaArenden},
	"tags":             {KindMinaArenden},
	"user":             {KindMinaArenden},
	"since":            {KindMinaArenden},
	"catalogue_file":   {KindMinaArenden},
}

func (k *checker) sources() {
	if len(k.c.Sources) == 0 {
		k.add("sources", "at least one source is needed")
	}
	names := map[string]bool{}
	for i := range k.c.Sources {
		s := &k.c.Sources[i]
		at := func(key string) string { return fmt.Sprintf("sources[%d].%s", i, key) }
		switch {
		case s.Name == "":
			k.add(at("name"), "required")
		case len(s.Name) > maxNameLen || !sourceName.MatchString(s.Name):
			k.add(at("name"), "use up to %d lower-case letters, digits, '.', '_' and '-'", maxNameLen)
		case names[s.Name]:
			k.add(at("name"), "%q is used twice", s.Name)
		}
		names[s.Name] = true
		if !slices.Contains(Kinds, s.Kind) {
			k.add(at("kind"), "must be one of %s", strings.Join(quoteAll(Kinds), ", "))
			continue
		}
		k.setKeys(s, at)
		if s.Kind == KindMinaArenden {
			k.catalogue(s, at("catalogue_file"))
		}
		switch {
		case s.Operator == cases.Actor{} && s.Kind == KindMinaArenden:
			s.Operator = s.Catalogue().Actor()
		case s.Operator == cases.Actor{}:
			s.Operator = cases.Actor{ID: s.Name, Name: s.Name}
		case s.Operator.ID == "" || strings.TrimSpace(s.Operator.Name) == "":
			k.add(at("operator"), "give both id and name")
		}
		if s.Timeout < 0 {
			k.add(at("timeout"), "must not be negative")
		} else if s.Timeout > k.c.Deadline && k.c.Deadline > 0 {
			k.add(at("timeout"), "longer than deadline (%s), which would cut it short", k.c.Deadline)
		}
		switch s.Kind {
		case KindDemo:
			k.demoData(s.DataFile, at("data_file"))
		case KindHub, KindMinaArenden:
			k.remote(s, at)
		}
		if s.Kind == KindMinaArenden {
			k.events(s, at)
		}
	}
}

// setKeys reports keys set for a kind of source they mean nothing to.
func (k *checker) setKeys(s *Source, at func(string) string) {
	set := map[string]bool{
		"data_file": s.DataFile != "", "url": s.URL != "", "client_cert_file": s.ClientCertFile != "",
		"client_key_file": s.ClientKeyFile != "", "ca_file": s.CAFile != "", "headers": s.Headers != nil,
		"types": s.Types != nil, "tags": s.Tags != nil, "user": s.User != "", "since": s.Since != 0,
		"catalogue_file": s.CatalogueFile != "",
	}
	for _, key := range sortedKeys(applies) {
		if set[key] && !slices.Contains(applies[key], s.Kind) {
			k.add(at(key), "only for kind = %s", strings.Join(quoteAll(applies[key]), " or "))
		}
	}
}

func (k *checker) demoData(path, field string) {
	if path == "" {
		return
	}
	raw, err := readFile(path, memory.DefaultMaxBytes)
	if err != nil {
		k.add(field, "%v", err)
		return
	}
	_, err = memory.Load(bytes.NewReader(raw))
	var le *memory.LoadError
	switch {
	case errors.As(err, &le):
		for i, p := range le.Problems {
			if i == cases.MaxProblems {
				k.add(field, "and %d more problems", len(le.Problems)-i)
				break
			}
			k.add(field, "%s", p)
		}
	case err != nil:
		k.add(field, "%v", err)
	}
}

// remote checks what a source reached over HTTP needs.
func (k *checker) remote(s *Source, at func(string) string) {
	if s.URL == "" {
		k.add(at("url"), "required for kind = %q", s.Kind)
	} else if reason := serviceURL(s.URL, true); reason != "" {
		k.add(at("url"), "%s", reason)
	}
	k.keyPair(at("client_cert_file"), s.ClientCertFile, at("client_key_file"), s.ClientKeyFile)
	if s.CAFile != "" {
		if _, err := readCertificates(s.CAFile); err != nil {
			k.add(at("ca_file"), "%v", err)
		}
	}
	for _, name := range sortedKeys(s.Headers) {
		field := join(at("headers"), name)
		value := s.Headers[name]
		if !httpguts.ValidHeaderFieldName(name) {
			k.add(field, "not a valid header name")
			continue
		}
		if reserved(s.Kind, name) {
			k.add(field, "set by the client itself; it cannot be configured")
			continue
		}
		if ref, ok := strings.CutPrefix(value, "env:"); ok {
			if !envVarName.MatchString(ref) {
				k.add(field, "env: must be followed by the name of an environment variable")
				continue
			}
			if value = k.env(ref); value == "" {
				k.add(field, "the environment variable %s is not set", ref)
				continue
			}
			s.Headers[name] = value
		}
		// The value is never repeated: it is usually a secret.
		if strings.TrimSpace(value) == "" || strings.ContainsFunc(value, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			k.add(field, "must be one line of text, not empty")
		}
	}
}

// reserved reports whether the client of a kind of source sets the header
// itself: the clients' own lists, so the check names it before the start
// would fail on it.
func reserved(kind Kind, name string) bool {
	own := hub.ReservedHeaders
	if kind == KindMinaArenden {
		own = minaarenden.ReservedHeaders
	}
	return slices.ContainsFunc(own, func(r string) bool { return strings.EqualFold(r, name) })
}

// events checks the query and derivation settings of a Mina ärenden source.
func (k *checker) events(s *Source, at func(string) string) {
	k.words(at("types"), s.Types, minaarenden.TypeProblem)
	k.words(at("tags"), s.Tags, minaarenden.TagProblem)
	if s.User != "" {
		if p := minaarenden.UserProblem(s.User); p != "" {
			k.add(at("user"), "%s", p)
		}
	}
	if s.Since < 0 {
		k.add(at("since"), "must not be negative")
	}
}

// catalogue reads and checks a Mina ärenden source's type catalogue with the
// client's own parser, naming each problem of the file.
func (k *checker) catalogue(s *Source, field string) {
	if s.CatalogueFile == "" {
		return
	}
	raw, err := readFile(s.CatalogueFile, minaarenden.MaxCatalogueBytes)
	if err != nil {
		k.add(field, "%v", err)
		return
	}
	cat, err := minaarenden.ParseCatalogue(raw)
	var ce *minaarenden.CatalogueError
	switch {
	case errors.As(err, &ce):
		for _, p := range ce.Problems {
			k.add(field, "%s: %s", s.CatalogueFile, p)
		}
	case err != nil:
		k.add(field, "%v", err)
	default:
		s.catalogue = cat
	}
}

// words checks a list of event types or tags with the client's own rule,
// so that the check refuses what the start would.
func (k *checker) words(field string, list []string, problem func(string) string) {
	if len(list) > maxListItems {
		k.add(field, "at most %d", maxListItems)
	}
	for i, item := range list {
		if p := problem(item); p != "" {
			k.add(fmt.Sprintf("%s[%d]", field, i), "%s", p)
		}
	}
}

// producers checks the directory as producers.New does, which names each
// problem "producers[i].field: reason".
func (k *checker) producers() {
	_, err := producers.New(k.c.Producers)
	if err == nil {
		return
	}
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	for _, e := range errs {
		field, reason, _ := strings.Cut(e.Error(), ": ")
		k.add(field, "%s", reason)
	}
}

func (k *checker) metrics() {
	p := k.c.Metrics.Path
	if !strings.HasPrefix(p, "/") || p == "/" || strings.ContainsAny(p, "?# ") {
		k.add("metrics.path", "must be a path like \"/metrics\"")
	}
}

func (k *checker) preferences() {
	p := &k.c.Preferences
	switch p.Store {
	case StoreMemory:
	case StorePostgres:
		switch {
		case p.DSN == "":
			k.add("preferences.dsn", "required with store = %q", StorePostgres)
		default:
			if _, err := postgres.ParseDSN(p.DSN); err != nil {
				k.add("preferences.dsn", "%v", err) // never repeats the DSN
			}
		}
		if p.SecretFile == "" {
			k.add("preferences.secret_file", "required with store = %q: a key per start would make saved preferences unreadable after a restart", StorePostgres)
		}
	case StoreHub:
		var hubs []string
		for _, s := range k.c.Sources {
			if s.Kind == KindHub {
				hubs = append(hubs, s.Name)
			}
		}
		switch {
		case p.Source != "" && !slices.Contains(hubs, p.Source):
			k.add("preferences.source", "%q is not the name of a source of kind = \"hub\"", p.Source)
		case p.Source == "" && len(hubs) == 1:
			p.Source = hubs[0]
		case p.Source == "" && len(hubs) == 0:
			k.add("preferences.store", "store = %q needs a source of kind = \"hub\"", StoreHub)
		case p.Source == "":
			k.add("preferences.source", "required: there are several hub sources (%s)", strings.Join(hubs, ", "))
		}
	default:
		k.add("preferences.store", "must be %q, %q or %q", StoreMemory, StorePostgres, StoreHub)
	}
	if p.Source != "" && p.Store != StoreHub {
		k.add("preferences.source", "only with store = %q", StoreHub)
	}
	if p.DSN != "" && p.Store != StorePostgres {
		k.add("preferences.dsn", "only with store = %q", StorePostgres)
	}
	if p.SecretFile != "" {
		if _, err := ReadSecret(p.SecretFile); err != nil {
			k.add("preferences.secret_file", "%v", err)
		}
	}
}

func (k *checker) limits() {
	l := &k.c.Limits
	for _, b := range []struct {
		name  string
		burst int
		every time.Duration
	}{{"session", l.SessionBurst, l.SessionEvery}, {"address", l.AddressBurst, l.AddressEvery}} {
		switch {
		case b.burst < 0:
			k.add("limits."+b.name+"_burst", "must not be negative (0 turns the limit off)")
		case b.burst > 0 && b.every <= 0:
			k.add("limits."+b.name+"_every", "must be positive with %s_burst > 0", b.name)
		}
	}
	for i, s := range l.TrustedProxies {
		if _, err := netip.ParsePrefix(s); err != nil {
			k.add("limits.trusted_proxies["+strconv.Itoa(i)+"]", "must be a CIDR block like \"10.0.0.0/8\" or \"2001:db8::/32\"")
		}
	}
	if l.SourceConcurrency < 0 {
		k.add("limits.source_concurrency", "must not be negative (0: no cap)")
	}
}

func (k *checker) log() {
	if f := k.c.Log.Format; f != LogText && f != LogJSON {
		k.add("log.format", "must be %q or %q", LogText, LogJSON)
	}
}

func quoteAll[S ~string](list []S) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strconv.Quote(string(s))
	}
	return out
}
