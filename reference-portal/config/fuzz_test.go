package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load as a configuration file: it must
// answer with a configuration or with problems, each named, and never panic.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"testdata/*.toml", "testdata/broken/*.toml", "../arendevy.example.toml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			raw, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(raw)
		}
	}
	f.Add([]byte("listen = \":1\"\nlisten = \":2\"\n[session]\n[session]"))
	f.Add([]byte("trust_line = { sv = 1 }\n[[sources]]\nkind = \"hub\"\nheaders = { \"\" = \"env:\" }"))
	// Each fuzzing process runs inputs one at a time: one file serves all.
	path := filepath.Join(f.TempDir(), "arendevy.toml")
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path, secrets)
		if err == nil {
			if c.PublicURL == "" || len(c.Sources) == 0 || len(c.Languages) == 0 {
				t.Fatalf("accepted a configuration without public URL, sources or languages: %+v", c)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || len(e.Problems) == 0 {
			t.Fatalf("error without problems: %v", err)
		}
		for _, p := range e.Problems {
			if p.Message == "" {
				t.Fatalf("problem without a message at %q", p.Field)
			}
		}
	})
}

// FuzzParseIdPMetadata feeds arbitrary bytes to the metadata parser.
func FuzzParseIdPMetadata(f *testing.F) {
	raw, err := os.ReadFile("testdata/idp-metadata.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte(`<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:EntitiesDescriptor/></md:EntitiesDescriptor>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ed, err := ParseIdPMetadata(raw)
		if err == nil && (ed == nil || ed.EntityID == "") {
			t.Fatal("accepted metadata without an entity ID")
		}
		if err != nil && !errors.Is(err, ErrMetadata) {
			t.Fatalf("error not marked ErrMetadata: %v", err)
		}
	})
}
