package conformance

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// CheckMetadata is the SAML SP metadata check.
const CheckMetadata = "saml.metadata"

// entityCategoryAttr names the entity categories in metadata.
const entityCategoryAttr = "http://macedir.org/entity-category"

// serviceCategory is a Swedish eID Framework service entity category; its
// name says the level of assurance the service requires (loa3-pnr: LoA 3
// with a personnummer).
var serviceCategory = regexp.MustCompile(`^http://id\.elegnamnden\.se/ec/1\.0/(loa[234])-[a-z-]+$|^http://id\.elegnamnden\.se/ec/1\.0/(eidas)-[a-z-]+$`)

// loaURI is a level of assurance named outright (RequestedAuthnContext,
// assurance certification).
var loaURI = regexp.MustCompile(`http://id\.elegnamnden\.se/loa/1\.0/[a-z0-9-]+`)

// metadataFetch reads the metadata from the page, as the portal's origin.
const metadataFetch = `(url) => fetch(url, { credentials: "omit" })
  .then(async (r) => ({ status: r.status, body: await r.text() }))
  .catch((e) => ({ status: 0, body: String(e) }))`

// checkMetadata: the SP's metadata declares a Swedish eID service entity
// category, and with it the level of assurance it requests.
func (r *run) checkMetadata(ctx context.Context) error {
	const title = "SAML SP metadata with a Swedish eID service entity category and the requested LoA"
	res, err := callIn[struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}](ctx, r, metadataFetch, r.opts.Metadata)
	if err != nil {
		return err
	}
	if res.Status != 200 {
		r.report.add(CheckMetadata, title, DeploymentProfile, NeedsHuman,
			fmt.Sprintf("no metadata at %s (HTTP %d): give its address with -metadata", r.opts.Metadata, res.Status))
		return nil
	}
	categories, err := entityCategories(strings.NewReader(res.Body))
	if err != nil {
		r.report.add(CheckMetadata, title, DeploymentProfile, Fail, fmt.Sprintf("%s is not SAML metadata: %v", r.opts.Metadata, err))
		return nil
	}
	var loa []string
	for _, c := range categories {
		if m := serviceCategory.FindStringSubmatch(c); m != nil {
			loa = append(loa, c)
		}
	}
	if len(loa) == 0 {
		r.report.add(CheckMetadata, title, DeploymentProfile, Fail,
			fmt.Sprintf("%s declares no Swedish eID service entity category (e.g. http://id.elegnamnden.se/ec/1.0/loa3-pnr); entity categories: %s",
				r.opts.Metadata, strings.Join(orNone(categories), ", ")))
		return nil
	}
	details := []string{"service entity categories (they name the LoA requested): " + strings.Join(loa, ", ")}
	if named := slices.Compact(slices.Sorted(slices.Values(loaURI.FindAllString(res.Body, -1)))); len(named) > 0 {
		details = append(details, "LoA named: "+strings.Join(named, ", "))
	}
	r.report.add(CheckMetadata, title, DeploymentProfile, Pass, details...)
	return nil
}

func orNone(s []string) []string {
	if len(s) == 0 {
		return []string{"none"}
	}
	return s
}

// entityCategories reads the values of the entity-category attribute of
// an EntityDescriptor.
func entityCategories(r io.Reader) ([]string, error) {
	dec := xml.NewDecoder(r)
	var out []string
	inCategory, sawEntity := false, false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "EntityDescriptor":
				sawEntity = true
			case "Attribute":
				inCategory = slices.ContainsFunc(t.Attr, func(a xml.Attr) bool {
					return a.Name.Local == "Name" && a.Value == entityCategoryAttr
				})
			case "AttributeValue":
				if inCategory {
					var v string
					if err := dec.DecodeElement(&v, &t); err != nil {
						return nil, err
					}
					out = append(out, strings.TrimSpace(v))
				}
			}
		case xml.EndElement:
			if t.Name.Local == "Attribute" {
				inCategory = false
			}
		}
	}
	if !sawEntity {
		return nil, errors.New("no EntityDescriptor")
	}
	return out, nil
}
