// Package static holds the files the project serves that are not the
// element's own (the element's stylesheet and themes live with it in
// widget/): today the reference portal's page chrome and its one script.
// See README.md.
package static

import _ "embed"

// PortalCSS is the reference portal's stylesheet: its header, footer, forms
// and the frame around the overview.
//
//go:embed portal.css
var PortalCSS []byte

// PortalJS is the reference portal's script: its language switch keeps the
// overview's sorting, filters and open cases (see the file's comment).
//
//go:embed portal.js
var PortalJS []byte
