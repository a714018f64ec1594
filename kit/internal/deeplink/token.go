package deeplink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"time"
)

// Token layout: 24 bytes, 32 base64url characters, in three parts.
//
//	expiry  6 bytes  Unix seconds, big endian
//	check   6 bytes  HMAC of the expiry under the session's key: the token
//	                 was made in this session, under this key and layout
//	ref    12 bytes  HMAC of (expiry, producer, case ID) under the session's
//	                 key: which case
//
// The session's key is an HMAC, under Config.Key, of the purpose and the
// session's binding (session.BindingFromContext): new with every login and
// never sent anywhere. So a token copied into another session fails its
// check and is refused before any source is asked, and nothing in it can be
// read back into a producer, a case or a link: the case is found by asking
// the sources again and comparing each case's reference. The expiry is in
// clear (it tells when the overview was compiled, nothing about a case) and
// authenticated by both tags. The expiry and the check are the same for
// every link of one overview, so they compress away; the reference's 96
// bits are all a page's links add, and more than anyone can guess.
const (
	expirySize = 6
	checkSize  = 6
	refSize    = 12
	tokenSize  = expirySize + checkSize + refSize
)

// tokenChars is the length of a token in a URL.
var tokenChars = base64.RawURLEncoding.EncodedLen(tokenSize)

// The purposes keep the session's keys apart from any other key made from
// Config.Key: a deep link's, and a case reference's for the portal's
// information page (Links.Info), so that neither opens as the other. A new
// layout takes a new purpose, so older tokens fail.
const (
	purpose     = "arendevy deep link v4\x00"
	infoPurpose = "arendevy case reference v2\x00"
)

// What each tag is over starts with one of these.
const (
	checkLabel = 'c'
	refLabel   = 'r'
)

// tags makes the tags of one session. Not safe for concurrent use: one per
// overview being compiled or link being followed.
type tags struct {
	mac hash.Hash // HMAC-SHA256 under the session's key
	msg []byte    // what the next tag is over
	sum [sha256.Size]byte
}

func (l *Links) tagsFor(purpose string, binding []byte) *tags {
	derive := hmac.New(sha256.New, l.cfg.Key)
	derive.Write([]byte(purpose))
	derive.Write(binding)
	return &tags{mac: hmac.New(sha256.New, derive.Sum(nil))}
}

// tag is the HMAC of t.msg, truncated to size; it is overwritten by the
// next tag.
func (t *tags) tag(size int) []byte {
	t.mac.Reset()
	t.mac.Write(t.msg)
	return t.mac.Sum(t.sum[:0])[:size]
}

// check is the check part for expiry.
func (t *tags) check(expiry []byte) []byte {
	t.msg = append(append(t.msg[:0], checkLabel), expiry...)
	return t.tag(checkSize)
}

// ref is the reference part for the case caseID of producerID. The
// producer's length goes first, so no two pairs write the same bytes
// (producer IDs are at most cases.MaxActorID long).
func (t *tags) ref(expiry []byte, producerID, caseID string) []byte {
	t.msg = append(append(t.msg[:0], refLabel), expiry...)
	t.msg = append(t.msg, byte(len(producerID)))
	t.msg = append(append(t.msg, producerID...), caseID...)
	return t.tag(refSize)
}

// expiryBytes is the expiry part for t.
func expiryBytes(t time.Time) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.Unix()))
	return b[8-expirySize:]
}

// parsed is a token taken apart.
type parsed struct {
	expiry, check, ref []byte
	expires            time.Time
}

// parse takes token apart; the tags are not checked yet.
func parse(token string) (parsed, error) {
	if len(token) != tokenChars {
		return parsed{}, fmt.Errorf("%w: not %d characters", ErrInvalidToken, tokenChars)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil {
		return parsed{}, fmt.Errorf("%w: not base64url", ErrInvalidToken)
	}
	p := parsed{expiry: raw[:expirySize], check: raw[expirySize : expirySize+checkSize], ref: raw[expirySize+checkSize:]}
	var seconds [8]byte
	copy(seconds[8-expirySize:], p.expiry)
	p.expires = time.Unix(int64(binary.BigEndian.Uint64(seconds[:])), 0)
	return p, nil
}
