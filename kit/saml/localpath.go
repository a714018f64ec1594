package saml

import (
	"fmt"
	"net/url"
	"strings"
)

// maxReturnLen bounds a return target: it travels in a cookie.
const maxReturnLen = 1024

// localPath accepts a return target only when the browser can resolve it
// to nothing but a path on our own origin. It refuses absolute URLs
// (https://evil), scheme-relative ones (//evil), the backslash forms
// browsers treat as slashes (/\evil), any scheme (javascript:), and control
// characters and spaces, which browsers strip before resolving ("/\t/evil"
// would become "//evil").
func localPath(s string) (string, error) {
	if s == "" || len(s) > maxReturnLen {
		return "", fmt.Errorf("%w: empty or too long", ErrUnsafeReturn)
	}
	if s[0] != '/' || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') {
		return "", fmt.Errorf("%w: not a local path", ErrUnsafeReturn)
	}
	for i := range len(s) {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return "", fmt.Errorf("%w: control character or space", ErrUnsafeReturn)
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", fmt.Errorf("%w: not a local path", ErrUnsafeReturn)
	}
	return s, nil
}
