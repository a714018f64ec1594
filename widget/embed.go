// Package widget is the <arendevy-overview> custom element as one folder: its
// module, stylesheet, themes, Custom Elements Manifest and the template the
// server renders it with (see README.md). This file hands those files to Go,
// since //go:embed cannot reach them from the kit's packages.
package widget

import "embed"

// Names of the files, as the kit serves them below its assets prefix.
const (
	Module   = "arendevy-overview.js" // the element
	Manifest = "custom-elements.json" // its Custom Elements Manifest
	// Styles is the element's stylesheet, for its shadow root and for the
	// server-rendered markup; the default theme goes in front of it.
	Styles = "arendevy.css"
	// DefaultTheme holds the default value of every --arendevy-* property.
	DefaultTheme = "themes/default.css"
	// Calendar writes iCalendar files; the element imports it when first
	// asked for one.
	Calendar = "calendar.js"
)

// Assets holds what the kit serves to the browser: the module, the
// modules it loads when needed, the manifest, the stylesheet and the themes. The kit minifies them and
// inlines the message catalogue (kit/assets).
//
//go:embed arendevy-overview.js calendar.js custom-elements.json arendevy.css themes/*.css
var Assets embed.FS

// Template is the html/template file kit/internal/render executes to render
// the element on the server, with the same markup the module builds.
const Template = "arendevy-overview.html"

// Templates holds Template.
//
//go:embed arendevy-overview.html
var Templates embed.FS
