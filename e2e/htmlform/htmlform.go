// Package htmlform reads the forms of an HTML page the way a browser would
// submit them, for clients that log in without a browser: the development
// IdP's persona chooser and the auto-posting SAML Response page.
package htmlform

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// Form is one <form> of a page.
type Form struct {
	Action string     // the action attribute, as written (resolve it against the page's URL)
	Fields url.Values // every named input but the radio buttons
	Radios []string   // the radio buttons' values, in page order (the caller picks one)
}

// Parse returns the page's forms in order. Inputs outside a form are left
// out, as a browser would not submit them.
func Parse(page string) []Form {
	var out []Form
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Key] = a.Val
			}
			switch {
			case tok.Data == "form":
				out = append(out, Form{Action: attrs["action"], Fields: url.Values{}})
			case tok.Data == "input" && len(out) > 0:
				f := &out[len(out)-1]
				if attrs["type"] == "radio" {
					f.Radios = append(f.Radios, attrs["value"])
				} else if attrs["name"] != "" {
					f.Fields.Add(attrs["name"], attrs["value"])
				}
			}
		}
	}
}
