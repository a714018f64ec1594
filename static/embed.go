// Package static holds the element's stylesheets: arendevy.css (structure)
// and the themes in themes/ (the --arendevy-* custom properties). The kit
// serves them minified under content-hashed URLs: see kit/assets.
package static

import "embed"

// FS holds arendevy.css and themes/*.css.
//
//go:embed arendevy.css themes/*.css
var FS embed.FS
