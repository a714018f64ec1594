package config

// Text is a setting that may differ by language: in the file either one
// string for every language, or a table by language code
// ([trust_line] sv = "…" en = "…"), which must then include the fallback
// language (the first of languages).
type Text struct {
	all    string            // for a language without its own text
	byLang map[string]string // language code → text
}

// For returns the text for lang, or the fallback; "" when none is set.
func (t Text) For(lang string) string {
	if s, ok := t.byLang[lang]; ok {
		return s
	}
	return t.all
}

// IsZero reports whether no text is set: the portal uses its own.
func (t Text) IsZero() bool { return t.all == "" && len(t.byLang) == 0 }
