package a11y

import (
	"maps"
	"slices"
	"strings"
	"unicode"
)

// stopwords are frequent function words that tell the languages a Swedish
// service meets apart. Words shared by two languages of the set are left
// out, so each hit is evidence for one language only.
var stopwords = map[string][]string{
	"sv": {"och", "att", "det", "som", "för", "på", "är", "med", "inte", "av", "till", "den", "har", "jag", "om", "ett", "vi", "du", "kan", "eller", "när", "ditt", "dina", "mina", "ärenden", "sidan", "hos", "från", "visa", "också"},
	"en": {"the", "and", "of", "to", "is", "in", "that", "for", "it", "with", "as", "on", "are", "this", "be", "by", "or", "your", "you", "from", "not", "have", "can", "an", "show", "cases", "page", "about"},
	"nb": {"og", "ikke", "jeg", "på", "med", "av", "til", "det", "som", "er", "en", "eller", "hvis", "din", "dine", "mine", "saker", "siden", "fra", "også", "kan", "vise"},
	"da": {"og", "ikke", "jeg", "af", "til", "det", "som", "er", "en", "eller", "hvis", "din", "dine", "mine", "sager", "siden", "fra", "også", "kan", "vis"},
	"fi": {"ja", "on", "ei", "se", "että", "kun", "mutta", "tai", "ole", "sinun", "omat", "asiat", "sivu", "näytä", "myös", "tämä", "voit", "kanssa"},
	"de": {"und", "der", "die", "das", "ist", "nicht", "mit", "von", "zu", "den", "sie", "ein", "eine", "oder", "auf", "für", "ihre", "seite", "auch", "anzeigen"},
	"ar": {"في", "من", "على", "إلى", "عن", "أو", "لا", "أن", "ما", "هذه", "التي", "لدى", "هنا", "يمكنك", "معاملاتك", "معاملاتي", "المعاملة", "الخدمة"},
}

// stopwordLang maps a word to the one language whose list has it.
var stopwordLang = func() map[string]string {
	count := map[string]int{}
	for _, words := range stopwords {
		for _, w := range words {
			count[w]++
		}
	}
	out := map[string]string{}
	for lang, words := range stopwords {
		for _, w := range words {
			if count[w] == 1 {
				out[w] = lang
			}
		}
	}
	return out
}()

// minWords is how much text detection needs before it says anything: a
// login page with three words cannot contradict its lang attribute.
const minWords = 25

// DetectLanguage guesses the primary language subtag of text among the
// languages of stopwords. ok is false when the text is too short or no
// language stands out clearly (twice the hits of the next, and at least a
// tenth of the words).
func DetectLanguage(text string) (lang string, ok bool) {
	// A combining mark belongs to its word: Arabic writes vowel signs and
	// tanwin (أولًا) as marks.
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r)
	})
	if len(words) < minWords {
		return "", false
	}
	hits := map[string]int{}
	for _, w := range words {
		if l, found := stopwordLang[w]; found {
			hits[l]++
		}
	}
	best, bestN, secondN := "", 0, 0
	for _, l := range slices.Sorted(maps.Keys(hits)) {
		switch n := hits[l]; {
		case n > bestN:
			best, bestN, secondN = l, n, bestN
		case n > secondN:
			secondN = n
		}
	}
	if best == "" || bestN < 2*secondN || bestN*10 < len(words) {
		return "", false
	}
	return best, true
}

// sameLanguage compares a declared primary subtag with a detected one;
// Norwegian is declared as no, nb or nn.
func sameLanguage(declared, detected string) bool {
	norwegian := func(s string) bool { return s == "no" || s == "nb" || s == "nn" }
	return declared == detected || (norwegian(declared) && norwegian(detected))
}

// detectable reports whether DetectLanguage can recognise the language at
// all; for others the checker only validates the tag.
func detectable(primary string) bool {
	if primary == "no" || primary == "nn" {
		primary = "nb"
	}
	_, ok := stopwords[primary]
	return ok
}
