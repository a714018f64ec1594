// Package swar tests eight bytes of a string at once, read as one uint64
// (SIMD within a register). The kit validates and encodes every text of
// every case for every request, nearly all of it plain ASCII; these let
// that text be passed over a word at a time.
//
// Each test sets the high bit of every byte it finds, and may also set it
// in bytes above one it finds: the result says whether any byte matched,
// not which.
package swar

const (
	ones = 0x0101010101010101
	// High is the high bit of every byte: w&High != 0 when w holds a byte
	// of 0x80 or more (in a string, part of a multi-byte character).
	High = 0x8080808080808080
)

// Load returns s[i:i+8] as a little-endian uint64; the compiler makes it
// one load. It panics if s is shorter.
func Load(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// Has is non-zero when a byte of w equals c.
func Has(w uint64, c byte) uint64 {
	x := w ^ (ones * uint64(c))
	return (x - ones) &^ x & High
}

// Below is non-zero when a byte of w is less than n (n at most 0x80).
func Below(w uint64, n byte) uint64 {
	return (w - ones*uint64(n)) &^ w & High
}
