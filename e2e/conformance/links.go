package conformance

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Checks of where a case leads.
const (
	CheckDeepLinks       = "links.new-window"
	CheckProducerContact = "links.producer-contact"
)

// linkKind sorts a case's links: a deep link leaves for the producer's
// e-service (another origin, or a portal address that redirects there);
// an information link stays on the portal.
func (r *run) isDeepLink(ctx context.Context, href string) (bool, error) {
	u, err := url.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false, nil
	}
	if u.Scheme+"://"+u.Host != r.origin {
		return true, nil
	}
	res, err := lib[string](ctx, r, "probe", href)
	return res == "redirect", err
}

// checkLinks: deep links open a new window and say so; a case without one
// leads to the producer's contact information (checked on the pages in
// checkProducerPages).
func (r *run) checkLinks(ctx context.Context, v overview) error {
	const title = "Deep links to the producer's e-service open in a new window and say so"
	const contactTitle = "A case without an e-service leads to the producer's contact information"
	if !v.Found || len(v.Rows) == 0 {
		r.report.add(CheckDeepLinks, title, StandardView, NeedsHuman, noCases(v))
		r.report.add(CheckProducerContact, contactTitle, StandardView, NeedsHuman, noCases(v))
		return nil
	}
	deep := map[string]bool{}
	var problems, withoutLink []string
	deepLinks := 0
	for i, row := range v.Rows {
		hasDeep, hasInfo := false, false
		for _, l := range row.Links {
			if u, err := url.Parse(l.Href); err == nil && (u.Scheme == "tel" || u.Scheme == "mailto") {
				// A phone number or an address to write to is the
				// producer's contact information itself, no page to visit.
				hasInfo = true
				continue
			}
			isDeep, ok := deep[l.Href]
			if !ok {
				var err error
				if isDeep, err = r.isDeepLink(ctx, l.Href); err != nil {
					return err
				}
				deep[l.Href] = isDeep
			}
			if !isDeep {
				hasInfo = true
				r.infoPages = appendNew(r.infoPages, infoPage{url: l.Href, sender: row.Sender})
				continue
			}
			hasDeep = true
			deepLinks++
			newWindow := l.Target != "" && !slices.Contains([]string{"_self", "_top", "_parent"}, l.Target)
			switch {
			case !newWindow && !l.Announced:
				problems = append(problems, fmt.Sprintf("case %d: %q opens in the same window, without a word about it", i+1, l.Text))
			case !newWindow:
				problems = append(problems, fmt.Sprintf("case %d: %q opens in the same window (no target=\"_blank\")", i+1, l.Text))
			case !l.Announced:
				problems = append(problems, fmt.Sprintf("case %d: %q opens a new window without saying so (\"öppnas i nytt fönster\" / \"opens in a new window\")", i+1, l.Text))
			}
		}
		if !hasDeep && !hasInfo {
			withoutLink = append(withoutLink, fmt.Sprintf("case %d (%s) leads nowhere: neither an e-service nor the producer's contact information", i+1, row.Sender))
		}
	}
	if deepLinks == 0 {
		r.report.add(CheckDeepLinks, title, StandardView, NeedsHuman, "no case shown has a link to an e-service: log in as a customer who has one")
	} else {
		r.report.verdict(CheckDeepLinks, title, StandardView, problems,
			fmt.Sprintf("%d deep link(s), each opening a new window and saying so", deepLinks))
	}
	r.contactProblems = withoutLink
	return nil
}

// infoPage is a portal page a case leads to instead of an e-service.
type infoPage struct {
	url, sender string
}

func appendNew(pages []infoPage, p infoPage) []infoPage {
	if slices.Contains(pages, p) {
		return pages
	}
	return append(pages, p)
}

// contact is a phone number, an e-mail address or a tel:/mailto: link.
var contact = regexp.MustCompile(`(?i)(\+46|\b0)\d{1,3}[- ]?\d{2,3}[ ]?\d{2,3}([ ]?\d{2,3})?\b|[\w.+-]+@[\w-]+\.[\w.-]+|tel:|mailto:`)

// maxInfoPages bounds how many information pages are opened.
const maxInfoPages = 5

// checkProducerPages opens the information pages the cases lead to: each
// must name the producer and say how to reach it.
func (r *run) checkProducerPages(ctx context.Context) error {
	const title = "A case without an e-service leads to the producer's contact information"
	if !r.view.Found || len(r.view.Rows) == 0 {
		return nil // reported by checkLinks
	}
	problems := r.contactProblems
	var seen []string
	for i, p := range r.infoPages {
		if i == maxInfoPages {
			break
		}
		if err := r.open(ctx, p.url); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", p.url, err))
			continue
		}
		text, err := lib[string](ctx, r, "visibleText")
		if err != nil {
			return err
		}
		html, err := lib[string](ctx, r, "allText")
		if err != nil {
			return err
		}
		switch {
		case p.sender != "" && !strings.Contains(strings.ToLower(text), strings.ToLower(p.sender)):
			problems = append(problems, fmt.Sprintf("%s does not name the producer %q", p.url, p.sender))
		case !contact.MatchString(text) && !strings.Contains(html, "tel:") && !strings.Contains(html, "mailto:"):
			problems = append(problems, fmt.Sprintf("%s names no phone number or e-mail address", p.url))
		default:
			seen = append(seen, p.url)
		}
	}
	if len(problems) == 0 && len(seen) == 0 {
		r.report.add(CheckProducerContact, title, StandardView, NeedsHuman,
			"every case shown has an e-service; log in as a customer with a case from a producer without one to check this")
		return nil
	}
	r.report.verdict(CheckProducerContact, title, StandardView, problems,
		"information pages with the producer's name and contact: "+strings.Join(seen, ", "))
	return nil
}
