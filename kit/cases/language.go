package cases

import (
	"context"

	"golang.org/x/text/language"
)

// languageKey carries the language the page is shown in, from the request
// through the fan-out to the sources.
type languageKey struct{}

// WithLanguage returns ctx carrying the language the overview is shown in,
// so that a source can ask its service for texts in it (Mina ärenden's
// Accept-Language). A tag that does not parse is not carried.
func WithLanguage(ctx context.Context, tag string) context.Context {
	t, err := language.Parse(tag)
	if err != nil {
		return ctx
	}
	return context.WithValue(ctx, languageKey{}, t.String())
}

// LanguageOf is the language WithLanguage put in ctx (a well-formed BCP 47
// tag), or "" when none was.
func LanguageOf(ctx context.Context) string {
	s, _ := ctx.Value(languageKey{}).(string)
	return s
}
