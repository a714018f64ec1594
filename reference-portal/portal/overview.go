package portal

import (
	"bytes"
	"html/template"

	"github.com/gin-gonic/gin"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/identity"
)

// overview is the overview for the cases page: the element's head tags (with
// SRI) and the element itself, server-rendered with the user's cases so the
// page shows them before and without JavaScript. On failure the element
// still comes, empty, and fetches the cases itself.
func (p *Portal) overview(c *gin.Context, s identity.Subject, l *i18n.Localizer) ([]template.HTML, template.HTML, error) {
	tags, err := p.o.Kit.Assets().Tags(p.o.Theme)
	if err != nil {
		return nil, "", err
	}
	// The portal's script after the element's: its language switch keeps
	// the overview's sorting, filters and open cases (static/portal.js).
	head := []template.HTML{tags, template.HTML(`<script type="module" src="` + template.HTMLEscapeString(p.jsPath) + `"></script>`)}
	// The overview's sort and filter form (without JavaScript) submits to
	// this page: its address carries the query.
	var buf bytes.Buffer
	ctx := c.Request.Context()
	if d, ok := p.o.Sessions.Current(c.Request); ok {
		// The case groups' forms post back to this page, sorted and
		// filtered as it is.
		ctx = kit.WithPageForms(ctx, d.CSRF, returnTo(c.Request.URL))
	}
	if err := p.o.Kit.RenderPage(ctx, &buf, s, c.Request.URL.Query(), l.Lang()); err != nil {
		return head, bareElement(p.mount, l.Lang()), err
	}
	return head, template.HTML(buf.String()), nil // rendered by html/template in the kit
}

var bareTemplate = template.Must(template.New("bare").Parse(`<arendevy-overview src="{{.Src}}" lang="{{.Lang}}"></arendevy-overview>`))

// bareElement is the element without server-rendered content: it fetches
// the overview itself and shows its own loading and error states.
func bareElement(mount, lang string) template.HTML {
	var buf bytes.Buffer
	_ = bareTemplate.Execute(&buf, struct{ Src, Lang string }{mount + "/api/overview", lang})
	return template.HTML(buf.String())
}
