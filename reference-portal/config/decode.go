package config

import (
	"encoding"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// maxConfigBytes caps the configuration file: far above any real one.
const maxConfigBytes = 1 << 20

// decodeFile reads the TOML file at path into c, over its defaults.
//
// The file is parsed by the TOML library into a tree and then decoded here,
// field by field, rather than by the library's own decoder: that one stops at
// the first wrong type, matches keys case-insensitively and names fields of
// arrays of tables without their index. This decoder reports every unknown
// key (exact match only), every wrong type and every bad duration with its
// full path, e.g. sources[1].timeout, and goes on.
func decodeFile(path string, c *Config, ps *problems) {
	raw, err := readFile(path, maxConfigBytes)
	if err != nil {
		ps.add("", "%v", err)
		return
	}
	var tree map[string]any
	if _, err := toml.Decode(string(raw), &tree); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			ps.add("", "line %d, column %d: %s", pe.Position.Line, pe.Position.Col, pe.Message)
		} else {
			ps.add("", "%v", err)
		}
		return
	}
	d := decoder{base: filepath.Dir(path), ps: ps}
	d.value("", tree, reflect.ValueOf(c).Elem(), false)
}

// readFile reads a regular file of at most max bytes. Only regular files:
// a FIFO or a device would block or never end.
func readFile(path string, max int64) ([]byte, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: no such file", path)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("%s: permission denied", path)
	case err != nil:
		return nil, err
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Some regular files (under /proc) claim a size of 0: the cap is applied
	// to what is read.
	raw, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, max)
	}
	return raw, nil
}

type decoder struct {
	base string // the file's directory: relative *_file paths are resolved against it
	ps   *problems
}

var (
	durationType        = reflect.TypeFor[time.Duration]()
	textType            = reflect.TypeFor[Text]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value decodes data, a value of the TOML tree, into v. file says v is a
// path to a file.
func (d *decoder) value(path string, data any, v reflect.Value, file bool) {
	switch {
	case v.Type() == durationType:
		s, ok := data.(string)
		if !ok {
			d.ps.add(path, "must be a duration in quotes, like \"15m\", not %s", typeOf(data))
			return
		}
		dur, err := time.ParseDuration(s)
		if err != nil {
			d.ps.add(path, "%q is not a duration (write e.g. \"500ms\", \"15m\" or \"8h\")", s)
			return
		}
		v.SetInt(int64(dur))
		return
	case v.Type() == textType:
		d.text(path, data, v.Addr().Interface().(*Text))
		return
	case reflect.PointerTo(v.Type()).Implements(textUnmarshalerType):
		s, ok := data.(string)
		if !ok {
			d.ps.add(path, "must be a string, not %s", typeOf(data))
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			d.ps.add(path, "%q is not valid: %v", s, err)
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		s, ok := data.(string)
		if !ok {
			d.ps.add(path, "must be a string, not %s", typeOf(data))
			return
		}
		if file && s != "" && !filepath.IsAbs(s) {
			s = filepath.Join(d.base, s)
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := data.(bool)
		if !ok {
			d.ps.add(path, "must be true or false, not %s", typeOf(data))
			return
		}
		v.SetBool(b)
	case reflect.Int:
		n, ok := data.(int64)
		if !ok || n != int64(int(n)) {
			d.ps.add(path, "must be a whole number, not %s", typeOf(data))
			return
		}
		v.SetInt(n)
	case reflect.Slice:
		items, ok := arrayOf(data)
		if !ok {
			d.ps.add(path, "must be an array, not %s", typeOf(data))
			return
		}
		out := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, item := range items {
			d.value(fmt.Sprintf("%s[%d]", path, i), item, out.Index(i), file)
		}
		v.Set(out)
	case reflect.Map:
		table, ok := data.(map[string]any)
		if !ok {
			d.ps.add(path, "must be a table, not %s", typeOf(data))
			return
		}
		out := reflect.MakeMapWithSize(v.Type(), len(table))
		for _, k := range sortedKeys(table) {
			elem := reflect.New(v.Type().Elem()).Elem()
			d.value(join(path, k), table[k], elem, false)
			out.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), elem)
		}
		v.Set(out)
	case reflect.Struct:
		table, ok := data.(map[string]any)
		if !ok {
			d.ps.add(path, "must be a table, not %s", typeOf(data))
			return
		}
		keys := keysOf(v.Type())
		for _, k := range sortedKeys(table) {
			i, known := keys[k]
			if !known {
				d.ps.add(join(path, k), "unknown key%s", suggest(k, keys))
				continue
			}
			d.value(join(path, k), table[k], v.Field(i), strings.HasSuffix(k, "_file"))
		}
	default:
		// Only reached if a field of a type this decoder does not know is
		// added to Config; the tests decode every field.
		d.ps.add(path, "cannot be set from a file (type %s)", v.Type())
	}
}

// text decodes a Text: one string, or a table of strings by language.
func (d *decoder) text(path string, data any, t *Text) {
	switch data := data.(type) {
	case string:
		*t = Text{all: data}
	case map[string]any:
		byLang := make(map[string]string, len(data))
		for _, k := range sortedKeys(data) {
			s, ok := data[k].(string)
			if !ok {
				d.ps.add(join(path, k), "must be a string, not %s", typeOf(data[k]))
				continue
			}
			byLang[k] = s
		}
		*t = Text{byLang: byLang}
	default:
		d.ps.add(path, "must be a string or a table of strings by language, not %s", typeOf(data))
	}
}

// keysOf maps the TOML keys of a struct to its fields: the toml tag, else the
// json tag (for kit types such as cases.Actor, which have only that).
func keysOf(t reflect.Type) map[string]int {
	keys := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, ok := f.Tag.Lookup("toml")
		if !ok {
			tag = f.Tag.Get("json")
		}
		name, _, _ := strings.Cut(tag, ",")
		if name != "" && name != "-" {
			keys[name] = i
		}
	}
	return keys
}

// arrayOf returns the items of a TOML array: an array of tables ([[x]])
// parses to []map[string]any, any other array to []any.
func arrayOf(data any) ([]any, bool) {
	switch data := data.(type) {
	case []any:
		return data, true
	case []map[string]any:
		items := make([]any, len(data))
		for i, m := range data {
			items[i] = m
		}
		return items, true
	}
	return nil, false
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// join appends key to path as TOML writes it: bare when it can be, quoted
// otherwise (titles."KOMMUN.BYGGLOV").
func join(path, key string) string {
	if !bareKey(key) {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func bareKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// typeOf names the TOML type of a value for messages.
func typeOf(data any) string {
	switch data.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return "a date or time"
}

// suggest names the known key closest to an unknown one, when it is a
// plausible typo (other case, or at most two edits).
func suggest(key string, keys map[string]int) string {
	best, bestDist := "", 3
	for k := range keys {
		dist := editDistance(strings.ToLower(key), k)
		if dist < bestDist || dist == bestDist && k < best {
			best, bestDist = k, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b, counted in bytes
// (keys are ASCII); lengths more than 3 apart give 4 at once, as suggest
// needs no more.
func editDistance(a, b string) int {
	if d := len(a) - len(b); d > 3 || d < -3 {
		return 4
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
