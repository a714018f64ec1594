package widget_test

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/widget"
)

// manifest is the part of custom-elements.json that a portal's tools read.
type manifest struct {
	SchemaVersion string `json:"schemaVersion"`
	Modules       []struct {
		Path         string `json:"path"`
		Declarations []struct {
			Name       string `json:"name"`
			TagName    string `json:"tagName"`
			Attributes []struct {
				Name      string `json:"name"`
				FieldName string `json:"fieldName"`
			} `json:"attributes"`
			Members []struct {
				Kind string `json:"kind"`
				Name string `json:"name"`
			} `json:"members"`
			Events []struct {
				Name string `json:"name"`
			} `json:"events"`
			CSSParts []struct {
				Name string `json:"name"`
			} `json:"cssParts"`
			CSSProperties []struct {
				Name    string `json:"name"`
				Default string `json:"default"`
			} `json:"cssProperties"`
		} `json:"declarations"`
	} `json:"modules"`
}

func read(t *testing.T, fsys fs.FS, name string) string {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	require.NoError(t, err)
	return string(b)
}

// all returns the first group of every match of re in s, sorted, once each.
func all(re, s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestManifestDescribesTheElementAsItIs(t *testing.T) {
	var m manifest
	require.NoError(t, json.Unmarshal([]byte(read(t, widget.Assets, widget.Manifest)), &m))
	require.Equal(t, "2.1.0", m.SchemaVersion)
	require.Len(t, m.Modules, 1)
	require.Equal(t, widget.Module, m.Modules[0].Path)
	d := m.Modules[0].Declarations[0]
	require.Equal(t, "arendevy-overview", d.TagName)

	js := read(t, widget.Assets, widget.Module)
	css := read(t, widget.Assets, widget.Styles)
	theme := read(t, widget.Assets, widget.DefaultTheme)

	require.Contains(t, js, "class "+d.Name+" extends HTMLElement")

	observed := all(`"([a-z-]+)"`, regexp.MustCompile(`observedAttributes = \[[^\]]*\]`).FindString(js))
	var attrs, fields, members []string
	for _, a := range d.Attributes {
		attrs = append(attrs, a.Name)
		if a.Name != "lang" {
			fields = append(fields, a.FieldName)
		}
	}
	for _, mb := range d.Members {
		members = append(members, mb.Name)
	}
	slices.Sort(attrs)
	require.Equal(t, observed, attrs, "every observed attribute, and only those")
	for _, f := range fields {
		require.Contains(t, members, f, "each attribute has its property")
	}
	require.Subset(t, members, []string{"data", "refresh"})

	var events []string
	for _, e := range d.Events {
		events = append(events, e.Name)
	}
	slices.Sort(events)
	emitted := all(`#(?:emit|applyUserChoice)\("([a-z-]+)"`, js)
	for i, e := range emitted {
		emitted[i] = "arendevy-" + e
	}
	require.Equal(t, emitted, events, "every event the element sends")

	var parts []string
	for _, p := range d.CSSParts {
		parts = append(parts, p.Name)
	}
	slices.Sort(parts)
	require.Equal(t, all(`part: "([a-z]+)"`, js), parts, "every part the element exposes")

	var props []string
	defaults := map[string]string{}
	for _, p := range d.CSSProperties {
		props = append(props, p.Name)
		defaults[p.Name] = p.Default
	}
	slices.Sort(props)
	require.Equal(t, all(`var\((--arendevy-[a-z-]+)\)`, css), props, "every custom property the stylesheet uses")
	require.Equal(t, all(`(--arendevy-[a-z-]+):`, theme), props, "and the default theme sets")
	for _, m := range regexp.MustCompile(`(--arendevy-[a-z-]+): ([^;]+);`).FindAllStringSubmatch(theme, -1) {
		require.Equal(t, m[2], defaults[m[1]], "the manifest gives %s's default", m[1])
	}
}
