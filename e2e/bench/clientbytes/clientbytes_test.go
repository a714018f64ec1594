package clientbytes

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/assets"
)

func TestElementWeighsWhatTheKitServes(t *testing.T) {
	s, err := Element()
	require.NoError(t, err)
	require.Len(t, s.Files, 2)
	require.Equal(t, assets.Module, s.Files[0].Name)
	require.Equal(t, assets.Styles, s.Files[1].Name)
	sumRaw, sumGzip := 0, 0
	for _, f := range s.Files {
		require.Positive(t, f.Gzip, f.Name)
		require.Less(t, f.Gzip, f.Raw, "%s compresses", f.Name)
		sumRaw += f.Raw
		sumGzip += f.Gzip
	}
	require.Equal(t, sumRaw, s.Raw)
	require.Equal(t, sumGzip, s.Gzip)
}

func TestGzipIsLevelNine(t *testing.T) {
	text := bytes.Repeat([]byte("Ärendet har kommit in. "), 200)
	n, err := Gzip(text)
	require.NoError(t, err)
	require.Less(t, n, len(text)/20, "repetitive text shrinks a lot")
	empty, err := Gzip(nil)
	require.NoError(t, err)
	require.Positive(t, empty, "a gzip stream has a header even when empty")
}

// fakeTools installs stand-ins for esbuild and sass that copy their input
// to their output, so the bundling steps can be checked without npm.
func fakeTools(t *testing.T, dir string) {
	t.Helper()
	bin := filepath.Join(dir, "node_modules", ".bin")
	require.NoError(t, os.MkdirAll(bin, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "esbuild"), []byte(`#!/bin/sh
in="$1"
for a in "$@"; do case "$a" in --outfile=*) out="${a#--outfile=}";; esac; done
[ -f "$in" ] || { echo "no entry $in" >&2; exit 1; }
cp "$in" "$out"
`), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "sass"), []byte(`#!/bin/sh
for a in "$@"; do src="$dst"; dst="$a"; done
cp "$src" "$dst"
`), 0o755))
}

func TestBundleWeighsEveryEntry(t *testing.T) {
	dir := t.TempDir()
	fakeTools(t, dir)
	files := map[string]string{"a.mjs": "export const a = 1\n", "a.scss": "a{color:red}\n", "b.mjs": "console.log(2)\n", "b.css": "b{margin:0}\n"}
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	sets, err := Bundle(context.Background(), dir, []Peer{
		{Name: "A", JS: []string{"a.mjs"}, SCSS: []string{"a.scss"}},
		{Name: "B", JS: []string{"b.mjs"}, CSS: []string{"b.css"}},
	})
	require.NoError(t, err)
	require.Len(t, sets, 2)
	require.Equal(t, "A", sets[0].Name)
	var names []string
	for _, s := range sets {
		raw := 0
		for _, f := range s.Files {
			names = append(names, f.Name)
			require.Equal(t, len(files[f.Name]), f.Raw, f.Name)
			gz, err := Gzip([]byte(files[f.Name]))
			require.NoError(t, err)
			require.Equal(t, gz, f.Gzip, f.Name)
			raw += f.Raw
		}
		require.Equal(t, raw, s.Raw)
	}
	require.Equal(t, []string{"a.scss", "a.mjs", "b.mjs", "b.css"}, names)
}

func TestBundleSaysWhatIsMissingOrBroken(t *testing.T) {
	_, err := Bundle(context.Background(), t.TempDir(), Peers)
	require.ErrorIs(t, err, ErrNotInstalled)

	dir := t.TempDir()
	fakeTools(t, dir)
	_, err = Bundle(context.Background(), dir, []Peer{{Name: "gone", JS: []string{"missing.mjs"}}})
	require.ErrorContains(t, err, "no entry missing.mjs", "the tool's own words are passed on")
}

func TestThePeerEntriesExist(t *testing.T) {
	for _, p := range Peers {
		for _, list := range [][]string{p.JS, p.CSS, p.SCSS} {
			for _, entry := range list {
				_, err := os.Stat(filepath.Join("..", "peers", entry))
				require.NoError(t, err, "%s: %s", p.Name, entry)
			}
		}
	}
}
