package deeplink

import (
	"net/http"

	"github.com/arendevy/arendevy/kit/internal/errorpage"
)

// The pages a user meets when a deep link cannot be followed, by their
// names in the catalogue's [deeplink] table.
const (
	pageLogin       = "login"
	pageInvalid     = "invalid"
	pageExpired     = "expired"
	pageGone        = "gone"
	pageUnavailable = "unavailable"
)

// page is page name in the language the request's Accept-Language picks.
func (l *Links) page(r *http.Request, name string) errorpage.Page {
	loc := l.messages.Localizer(r.Header.Get("Accept-Language"))
	p := errorpage.Page{Lang: loc.Lang(), Dir: loc.Dir(), Title: loc.Text("deeplink." + name + ".title"), Text: loc.Text("deeplink." + name + ".text")}
	if name == pageLogin {
		p.LinkText = loc.Text("deeplink.login.link")
	}
	return p
}
