// Package widget holds the <arendevy-overview> custom element: one plain ES
// module without dependencies, and its custom-elements.json manifest. The
// kit serves them minified, with the message catalogue inlined, under
// content-hashed URLs: see kit/assets.
package widget

import "embed"

// Module is the element's file name.
const Module = "arendevy-overview.js"

// Manifest is the Custom Elements Manifest describing the element.
const Manifest = "custom-elements.json"

// FS holds the module and the manifest.
//
//go:embed arendevy-overview.js custom-elements.json
var FS embed.FS
