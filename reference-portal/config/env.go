package config

import (
	"encoding"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// EnvPrefix starts the name of every environment variable that overrides a
// key: ARENDEVY_ and the key's path in upper case, "_" for ".", e.g.
// ARENDEVY_SESSION_REDIS_URL for session.redis_url.
const EnvPrefix = "ARENDEVY_"

// envSetting is one key that the environment can override.
type envSetting struct {
	name  string        // ARENDEVY_SESSION_REDIS_URL
	field string        // session.redis_url
	value reflect.Value // where it goes
}

// envSettings lists the keys the environment can override: every scalar
// (string, boolean, whole number, duration, level) and list of strings at the top level
// and in the sections. Sources and producers are arrays of tables: they
// cannot be addressed by one name, and their secrets come from "env:NAME"
// header values instead.
func envSettings(c *Config) []envSetting {
	var out []envSetting
	top := reflect.ValueOf(c).Elem()
	topKeys := keysOf(top.Type())
	for _, key := range sortedKeys(topKeys) {
		v := top.Field(topKeys[key])
		if settable(v.Type()) {
			out = append(out, envSetting{name: envName(key), field: key, value: v})
			continue
		}
		if v.Kind() != reflect.Struct || v.Type() == textType {
			continue
		}
		keys := keysOf(v.Type())
		for _, sub := range sortedKeys(keys) {
			if f := v.Field(keys[sub]); settable(f.Type()) {
				out = append(out, envSetting{name: envName(key + "." + sub), field: key + "." + sub, value: f})
			}
		}
	}
	return out
}

func envName(field string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(field, ".", "_"))
}

func settable(t reflect.Type) bool {
	switch {
	case t == durationType, reflect.PointerTo(t).Implements(textUnmarshalerType):
		return true
	case t.Kind() == reflect.Slice:
		return t.Elem().Kind() == reflect.String
	}
	return t.Kind() == reflect.String || t.Kind() == reflect.Bool || t.Kind() == reflect.Int
}

// overrideFromEnv applies every ARENDEVY_* variable that is set and not
// empty, then PORT: ":$PORT" becomes the listen address unless
// ARENDEVY_LISTEN is set, as platforms that assign ports expect.
func overrideFromEnv(c *Config, env func(string) string, ps *problems) {
	ps.fromEnv = map[string]string{}
	for _, s := range envSettings(c) {
		raw := env(s.name)
		if raw == "" {
			continue
		}
		ps.fromEnv[s.field] = s.name
		setFromEnv(s, raw, ps)
	}
	if port := env("PORT"); port != "" && env(envName("listen")) == "" {
		ps.fromEnv["listen"] = "PORT"
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			ps.add("listen", "PORT must be a port number from 1 to 65535")
			return
		}
		c.Listen = ":" + port
	}
}

// setFromEnv sets one key. Values are not repeated in messages where they
// may be secret (strings such as a Redis URL with a password).
func setFromEnv(s envSetting, raw string, ps *problems) {
	v := s.value
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(raw)
		if err != nil {
			ps.add(s.field, "%q is not a duration (write e.g. \"500ms\", \"15m\" or \"8h\")", raw)
			return
		}
		v.SetInt(int64(d))
	case reflect.PointerTo(v.Type()).Implements(textUnmarshalerType):
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(raw)); err != nil {
			ps.add(s.field, "%q is not valid: %v", raw, err)
		}
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			ps.add(s.field, "%q is not true or false", raw)
			return
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			ps.add(s.field, "%q is not a whole number", raw)
			return
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Slice:
		var items []string
		for item := range strings.SplitSeq(raw, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		v.Set(reflect.ValueOf(items).Convert(v.Type()))
	default:
		v.SetString(raw)
	}
}
