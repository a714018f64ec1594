package a11y_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/a11y"
)

const (
	swedish = "Här ser du dina ärenden hos kommunen och andra myndigheter. Du kan se vad som har hänt, " +
		"vad som händer härnäst och när du kan få ett beslut. Om något inte stämmer kan du kontakta " +
		"den som har hand om ärendet, och det går också att ändra vilka ärenden som visas på sidan."
	english = "Here you can see your cases with the municipality and other agencies. You can see what has " +
		"happened, what happens next and when you can expect a decision. If something is not right, you " +
		"can contact the office that handles the case, and you can also choose which cases are shown on this page."
	finnish = "Tällä sivulla näet omat asiat kunnassa ja muissa virastoissa. Voit nähdä mitä on tapahtunut ja " +
		"milloin päätös tulee. Jos jokin ei ole oikein, voit ottaa yhteyttä virastoon, joka käsittelee asiaa, " +
		"ja voit myös valita mitkä asiat näytetään tällä sivulla, kun se on mahdollista, mutta se ei ole pakollista."
	arabic = "هنا ترى معاملاتك لدى البلدية والإقليم والهيئات الحكومية في مكان واحد: أنها وصلت، وما الذي سيحدث بعد ذلك، " +
		"ومتى يمكنك أن تتوقع قرارًا. إن لم يكن شيء صحيحًا، يمكنك التواصل مع الجهة التي تعالج المعاملة، ويمكنك أيضًا " +
		"أن تختار المعاملات التي تظهر في هذه الصفحة. لا نحفظ أي بيانات عن معاملاتك، وتبقى فقط حتى تسجّل الخروج من الخدمة."
)

func TestDetectLanguage(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
		ok               bool
	}{
		{"swedish", swedish, "sv", true},
		{"english", english, "en", true},
		{"finnish", finnish, "fi", true},
		{"arabic", arabic, "ar", true},
		{"arabic and english", arabic + " " + english, "", false},
		{"too short to judge", "Mina ärenden – logga in", "", false},
		{"half and half", swedish + " " + english, "", false},
		{"no words", strings.Repeat("12 345 ", 40), "", false},
		{"names and numbers only", strings.Repeat("Anna Berg 2026-03-01 ", 20), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := a11y.DetectLanguage(tc.text)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

func FuzzDetectLanguage(f *testing.F) {
	for _, s := range []string{swedish, english, finnish, arabic, "", "å ä ö", "\xff\xfe"} {
		f.Add(s)
	}
	known := map[string]bool{"sv": true, "en": true, "nb": true, "da": true, "fi": true, "de": true, "ar": true}
	f.Fuzz(func(t *testing.T, text string) {
		lang, ok := a11y.DetectLanguage(text)
		if ok != (lang != "") || (ok && !known[lang]) {
			t.Fatalf("DetectLanguage(%q) = %q, %v", text, lang, ok)
		}
	})
}
