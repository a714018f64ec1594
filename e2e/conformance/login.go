package conformance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/browser"
)

// ErrLoginSpec is a -login value the checker cannot read.
var ErrLoginSpec = errors.New("conformance: login")

// CookieLogin logs in by putting the cookies of a session the tester
// already has (copied from the browser's developer tools, or exported as
// cookies.txt) into the tab. It fits a portal whose login the checker
// cannot drive, such as BankID on a phone.
type CookieLogin struct {
	Cookies []*network.CookieParam
}

// LogIn implements a11y.Login.
func (l CookieLogin) LogIn(ctx context.Context, tab *browser.Tab) error {
	if len(l.Cookies) == 0 {
		return fmt.Errorf("%w: no cookies", a11y.ErrLogin)
	}
	_, err := browser.Run(ctx, tab, func(ctx context.Context, _ *chromedp.Target) (struct{}, error) {
		_, err := chromedp.Call(ctx, network.SetCookies, network.SetCookiesParams{Cookies: l.Cookies})
		return struct{}{}, err
	})
	if err != nil {
		return fmt.Errorf("%w: setting the cookies: %w", a11y.ErrLogin, err)
	}
	return nil
}

func (l CookieLogin) names() map[string]bool {
	out := map[string]bool{}
	for _, c := range l.Cookies {
		out[c.Name] = true
	}
	return out
}

// ParseLogin reads the command's -login value for the overview at
// overviewURL:
//
//	cookie:NAME=VALUE; NAME2=VALUE2   a Cookie header of a logged-in session
//	cookie-file:PATH                  the same as a Netscape cookies.txt file
//	persona:CHOICE@URL                pick CHOICE at a test IdP's chooser at URL (the development IdP's persona)
//	form:URL                          fill the form at URL with fields (name=value) and submit it
func ParseLogin(spec, overviewURL string, fields []string) (a11y.Login, error) {
	kind, rest, ok := strings.Cut(spec, ":")
	if !ok || rest == "" {
		return nil, fmt.Errorf("%w %q: want cookie:…, cookie-file:…, persona:CHOICE@URL or form:URL", ErrLoginSpec, spec)
	}
	if len(fields) > 0 && kind != "form" {
		return nil, fmt.Errorf("%w: -login-field goes with -login form:URL", ErrLoginSpec)
	}
	switch kind {
	case "cookie":
		return cookieHeader(rest, overviewURL)
	case "cookie-file":
		f, err := os.Open(rest)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrLoginSpec, err)
		}
		defer f.Close()
		return cookieFile(f)
	case "persona":
		at := strings.LastIndex(rest, "@")
		if at <= 0 || !isHTTP(rest[at+1:]) {
			return nil, fmt.Errorf("%w %q: want persona:CHOICE@URL", ErrLoginSpec, spec)
		}
		return a11y.ChoiceLogin{Choice: rest[:at], URL: rest[at+1:]}, nil
	case "form":
		if !isHTTP(rest) || len(fields) == 0 {
			return nil, fmt.Errorf("%w %q: want form:URL and at least one -login-field name=value", ErrLoginSpec, spec)
		}
		parsed, err := a11y.ParseFields(fields)
		if err != nil {
			return nil, err
		}
		return a11y.FormLogin{URL: rest, Fields: parsed}, nil
	}
	return nil, fmt.Errorf("%w %q: unknown kind %q", ErrLoginSpec, spec, kind)
}

func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// cookieHeader reads "a=1; b=2" as cookies of the overview's origin.
func cookieHeader(header, overviewURL string) (CookieLogin, error) {
	u, err := url.Parse(overviewURL)
	if err != nil || !isHTTP(overviewURL) {
		return CookieLogin{}, fmt.Errorf("%w: the cookies need an http(s) -url", ErrLoginSpec)
	}
	cookies, err := http.ParseCookie(header)
	if err != nil || len(cookies) == 0 {
		return CookieLogin{}, fmt.Errorf("%w: the Cookie header %q: want NAME=VALUE; NAME2=VALUE2", ErrLoginSpec, header)
	}
	var l CookieLogin
	for _, c := range cookies {
		l.Cookies = append(l.Cookies, &network.CookieParam{Name: c.Name, Value: c.Value, URL: u.Scheme + "://" + u.Host + "/"})
	}
	return l, nil
}

// cookieFile reads the Netscape cookies.txt format that browser extensions
// and curl -c write: domain, subdomains, path, secure, expiry, name, value,
// tab-separated; "#HttpOnly_" before the domain marks an HttpOnly cookie.
func cookieFile(r io.Reader) (CookieLogin, error) {
	var l CookieLogin
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		httpOnly := false
		if rest, ok := strings.CutPrefix(line, "#HttpOnly_"); ok {
			line, httpOnly = rest, true
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 7 || f[0] == "" || f[5] == "" {
			return CookieLogin{}, fmt.Errorf("%w: cookies.txt line %d: want 7 tab-separated fields", ErrLoginSpec, n)
		}
		l.Cookies = append(l.Cookies, &network.CookieParam{
			Domain: f[0], Path: f[2], Secure: strings.EqualFold(f[3], "TRUE"),
			HTTPOnly: httpOnly, Name: f[5], Value: f[6],
		})
	}
	if err := sc.Err(); err != nil {
		return CookieLogin{}, fmt.Errorf("%w: cookies.txt: %w", ErrLoginSpec, err)
	}
	if len(l.Cookies) == 0 {
		return CookieLogin{}, fmt.Errorf("%w: cookies.txt holds no cookie", ErrLoginSpec)
	}
	return l, nil
}
