// Package producers is the portal's directory of producers: who they are, which
// hosts their e-services live on (the deep-link allow-list), how to reach
// their customer service (for the information page shown when a producer has
// no e-service), and optionally an IdP-initiated SSO URL for deep links.
package producers

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/loopback"
)

// Contact is how a producer's customer service is reached. Every field is optional.
type Contact struct {
	Phone string `json:"phone,omitempty" toml:"phone"`
	Email string `json:"email,omitempty" toml:"email"`
	Web   string `json:"web,omitempty" toml:"web"` // https
	Hours string `json:"hours,omitempty" toml:"hours"`
}

// Info is what the portal knows about one producer.
type Info struct {
	ID   string `json:"id" toml:"id"`
	Name string `json:"name" toml:"name"`
	// Hosts are the exact hosts (ASCII, lower case, optional :port) that deep
	// links of this producer may point to. Empty: the producer has no e-service.
	Hosts []string `json:"hosts,omitempty" toml:"hosts"`
	// SSO, when set, is an https URL pattern of the producer's SSO entry
	// point (an IdP-initiated SSO URL, or the e-service's own login that
	// takes the target); "{target}" is replaced by the URL-escaped deep
	// link. Plain http only to a loopback host (CheckSSO).
	SSO             string  `json:"sso,omitempty" toml:"sso"`
	CustomerService Contact `json:"customerService" toml:"customer_service"`
}

// Actor is the producer as cases name it.
func (i Info) Actor() cases.Actor { return cases.Actor{ID: i.ID, Name: i.Name} }

// HasEService reports whether the producer's cases may carry deep links.
func (i Info) HasEService() bool { return len(i.Hosts) > 0 }

// Directory is an immutable set of producers, looked up by ID.
type Directory struct {
	list []Info
	byID map[string]int
}

// New checks every entry and builds a Directory. The error lists every
// problem with the field it concerns.
func New(infos []Info) (*Directory, error) {
	d := &Directory{byID: map[string]int{}}
	var errs []error
	bad := func(i int, field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("producers[%d].%s: %s", i, field, fmt.Sprintf(format, a...)))
	}
	for i, in := range infos {
		if in.ID == "" {
			bad(i, "id", "required")
		} else if _, dup := d.byID[in.ID]; dup {
			bad(i, "id", "%q used twice", in.ID)
		}
		if strings.TrimSpace(in.Name) == "" {
			bad(i, "name", "required")
		}
		for j, h := range in.Hosts {
			if reason := checkHost(h); reason != "" {
				bad(i, fmt.Sprintf("hosts[%d]", j), "%s", reason)
			}
		}
		if in.SSO != "" {
			if !strings.Contains(in.SSO, "{target}") {
				bad(i, "sso", "must contain {target}")
			} else if reason := CheckSSO(strings.ReplaceAll(in.SSO, "{target}", "x")); reason != "" {
				bad(i, "sso", "%s", reason)
			}
		}
		if w := in.CustomerService.Web; w != "" {
			if reason := cases.CheckLink(w); reason != "" {
				bad(i, "customer_service.web", "%s", reason)
			}
		}
		in.Hosts = slices.Clone(in.Hosts)
		d.byID[in.ID] = len(d.list)
		d.list = append(d.list, in)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}

// CheckSSO returns why u cannot be where a deep link enters a producer's
// e-service, or "": a link as cases.CheckLink wants it, or plain http to a
// loopback host (kit/loopback), where the reference portal runs its demo
// e-service (kit/devidp/eservice) beside the development IdP. Nobody else
// can be reached there but the user's own computer.
func CheckSSO(u string) string {
	if rest, ok := strings.CutPrefix(u, "http://"); ok {
		if p, err := url.Parse(u); err == nil && p.User == nil && p.Host != "" && loopback.Host(p.Hostname()) {
			return cases.CheckLink("https://" + rest)
		}
		return "not an https link (plain http only to a loopback host)"
	}
	return cases.CheckLink(u)
}

// checkHost returns why h cannot be an allow-list entry, or "".
func checkHost(h string) string {
	if h == "" {
		return "empty host"
	}
	if h != strings.ToLower(h) {
		return "must be lower case"
	}
	for _, r := range h {
		if r > 0x7f {
			return "must be ASCII (write an international domain in its xn-- form)"
		}
	}
	u, err := url.Parse("https://" + h)
	if err != nil || u.Host != h || u.Hostname() == "" || strings.ContainsAny(h, "/@*?#\\ ") {
		return "must be a bare host name like etjanst.example.se, without scheme, path or wildcard"
	}
	return ""
}

// Lookup returns the producer with id.
func (d *Directory) Lookup(id string) (Info, bool) {
	if d == nil {
		return Info{}, false
	}
	i, ok := d.byID[id]
	if !ok {
		return Info{}, false
	}
	return d.list[i], true
}

// All returns every producer in the order given.
func (d *Directory) All() []Info {
	if d == nil {
		return nil
	}
	return slices.Clone(d.list)
}

// Allows reports whether link is an acceptable deep link for producer id:
// an https URL without user information whose host is exactly one of the
// producer's hosts.
func (d *Directory) Allows(id, link string) bool {
	info, ok := d.Lookup(id)
	if !ok {
		return false
	}
	host, reason := cases.LinkHost(link)
	return reason == "" && slices.Contains(info.Hosts, strings.ToLower(host))
}
