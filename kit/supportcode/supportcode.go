// Package supportcode makes the short code a citizen reads out to the
// portal's customer service ("Supportkod: K7Q3-9F2M"). The view keeps no
// case data, so the code carries none either: it only finds the one log
// line the kit writes for the overview request (which sources answered,
// how, and their correlation ids), which is what the first line needs to
// tell "the view works, Skatteverket did not answer" from a fault of ours.
package supportcode

import (
	"crypto/rand"
	"regexp"
)

// Alphabet has no characters that are easily misheard or misread: no 0/O,
// 1/I/L, 5/S, 8/B, 2/Z, U/V. 23 symbols, 8 of them: about 7.8e10 codes,
// plenty to find one request's line among a day's.
const Alphabet = "34679ACDEFGHJKMNPQRTWXY"

// Pattern matches a code as New writes it.
var Pattern = regexp.MustCompile(`^[` + Alphabet + `]{4}-[` + Alphabet + `]{4}$`)

// New is a random code: two groups of four, joined by a hyphen.
func New() string {
	out := make([]byte, 0, 9)
	for i := range 8 {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, Alphabet[randIndex(len(Alphabet))])
	}
	return string(out)
}

// randIndex is uniform in [0, n) for n ≤ 256, by rejection.
func randIndex(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}
