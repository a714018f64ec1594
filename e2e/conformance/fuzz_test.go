package conformance

import (
	"strings"
	"testing"
)

// A tester's -login value and cookies.txt, and a portal's metadata, are
// outside input: errors, never panics.
func FuzzParseLogin(f *testing.F) {
	for _, s := range []string{"cookie:a=b; c=d", "cookie:", "persona:0@http://x/", "form:https://x/", "cookie-file:", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		if strings.HasPrefix(spec, "cookie-file:") {
			return // names a file: covered by FuzzCookieFile
		}
		_, _ = ParseLogin(spec, "https://bank.example/", nil)
	})
}

func FuzzCookieFile(f *testing.F) {
	f.Add("#HttpOnly_bank.example\tFALSE\t/\tTRUE\t0\tSESSION\tabc\n")
	f.Add("# comment\n\nx\ty\n")
	f.Fuzz(func(t *testing.T, content string) {
		l, err := cookieFile(strings.NewReader(content))
		if err == nil && len(l.Cookies) == 0 {
			t.Fatal("no error and no cookie")
		}
	})
}

func FuzzEntityCategories(f *testing.F) {
	f.Add(`<EntityDescriptor><Attribute Name="http://macedir.org/entity-category"><AttributeValue>x</AttributeValue></Attribute></EntityDescriptor>`)
	f.Add(`<a>`)
	f.Fuzz(func(t *testing.T, doc string) {
		_, _ = entityCategories(strings.NewReader(doc))
	})
}
