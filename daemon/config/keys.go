package config

import (
	"encoding"
	"reflect"
	"strings"
)

// A setting is one configuration key. The table of settings is derived from
// Config's toml tags, so the struct is the single list of keys: the file
// decoder, the environment, the flags, validation messages and Dump all walk
// the same table, in the documented order.
type setting struct {
	path  string // dotted TOML path, e.g. "lastfm.timeout"
	env   string // environment variable, e.g. "LASTFMD_TIMEOUT"
	index []int  // field index path in Config
}

// field returns a pointer to the setting's field in c (*string, *int,
// *float64, *[]string, *Duration or *Size).
func (s setting) field(c *Config) any {
	return reflect.ValueOf(c).Elem().FieldByIndex(s.index).Addr().Interface()
}

var (
	settings      = buildSettings()
	settingByPath = func() map[string]setting {
		m := make(map[string]setting, len(settings))
		for _, s := range settings {
			m[s.path] = s
		}
		return m
	}()
	// sections are the TOML tables, in documented order.
	sections = []string{"lastfm", "cache", "scrobble", "security"}
)

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// isSection reports whether a Config field is a TOML table rather than a
// value: a struct that does not parse itself from text (Duration does).
func isSection(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(textUnmarshaler)
}

// isTableArray reports whether a Config field is an array of tables.
func isTableArray(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && isSection(t.Elem())
}

// tomlName returns a field's TOML key, "" for fields not in TOML.
func tomlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

func buildSettings() []setting {
	var out []setting
	top := reflect.TypeFor[Config]()
	for i := range top.NumField() {
		f := top.Field(i)
		name := tomlName(f)
		// An array of tables ([[mirror]]) has no single value to set
		// from the environment or a flag: decodeMirrors reads it.
		if name == "" || isTableArray(f.Type) {
			continue
		}
		if !isSection(f.Type) {
			out = append(out, setting{path: name, env: envName("", name), index: []int{i}})
			continue
		}
		for j := range f.Type.NumField() {
			g := f.Type.Field(j)
			if sub := tomlName(g); sub != "" {
				out = append(out, setting{path: name + "." + sub, env: envName(name, sub), index: []int{i, j}})
			}
		}
	}
	return out
}

// envName names a key's environment variable: LASTFMD_<KEY> for top-level
// and [lastfm] keys (the most used ones get the short names, e.g.
// LASTFMD_API_KEY), LASTFMD_<SECTION>_<KEY> for the other sections.
func envName(section, key string) string {
	if section == "" || section == "lastfm" {
		return "LASTFMD_" + strings.ToUpper(key)
	}
	return "LASTFMD_" + strings.ToUpper(section) + "_" + strings.ToUpper(key)
}

// layoutType mirrors Config with every value field typed `any`. Decoding a
// file into it lets BurntSushi/toml report unknown keys through
// MetaData.Undecoded while our own converters (convert.go) turn each raw
// value into its type, so that a bad value's error names its key in our
// words rather than the decoder's. Field indices match Config's.
var layoutType = mirror(reflect.TypeFor[Config]())

func mirror(t reflect.Type) reflect.Type {
	anyType := reflect.TypeFor[any]()
	fields := make([]reflect.StructField, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		// Unexported fields cannot be in a StructOf type; keep the index
		// stable with an exported placeholder the decoder ignores.
		name, tag := f.Name, f.Tag
		if !f.IsExported() {
			name, tag = "X_"+f.Name, `toml:"-"`
		}
		typ := anyType
		if isSection(f.Type) && tomlName(f) != "" {
			typ = mirror(f.Type)
		}
		fields[i] = reflect.StructField{Name: name, Type: typ, Tag: tag}
	}
	return reflect.StructOf(fields)
}
