// Package locales holds the message catalogue, one go-i18n file per language
// (sv.toml is the source language). The same files feed the server-rendered
// pages and the <arendevy-overview> element: see kit/i18n.
package locales

import "embed"

// FS holds every *.toml message file.
//
//go:embed *.toml
var FS embed.FS
