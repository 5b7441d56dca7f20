package api

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Schemer is implemented by types that describe their own JSON Schema
// (for example a date type that encodes as "YYYY-MM-DD"). The method is
// called on a pointer to a zero value and must return a fresh map.
type Schemer interface {
	OpenAPISchema() map[string]any
}

var (
	schemerType         = reflect.TypeFor[Schemer]()
	timeType            = reflect.TypeFor[time.Time]()
	rawMessageType      = reflect.TypeFor[json.RawMessage]()
	jsonMarshalerType   = reflect.TypeFor[json.Marshaler]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// schemaGen turns Go types into JSON Schemas. Named struct types are
// collected as components and referenced by $ref; their component names
// are chosen only once every type is known (see names), so the $ref
// objects handed out are filled in at the end.
type schemaGen struct {
	named map[reflect.Type]*component
	order []reflect.Type // in first-seen order
}

type component struct {
	schema map[string]any
	refs   []map[string]any // $ref objects waiting for the final name
}

func newSchemaGen() *schemaGen {
	return &schemaGen{named: map[reflect.Type]*component{}}
}

// of returns the schema of values of type t.
func (g *schemaGen) of(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		return nullable(g.of(t.Elem()))
	}
	if reflect.PointerTo(t).Implements(schemerType) {
		return splitUnion(reflect.New(t).Interface().(Schemer).OpenAPISchema())
	}
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case rawMessageType:
		return map[string]any{}
	}
	if t.Implements(textMarshalerType) {
		return map[string]any{"type": "string"}
	}
	if t.Implements(jsonMarshalerType) {
		return map[string]any{} // encodes itself: any JSON value
	}
	return g.ofKind(t)
}

func (g *schemaGen) ofKind(t reflect.Type) map[string]any {
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return map[string]any{"type": "integer", "format": "int32"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer", "format": "int32", "minimum": 0}
	case reflect.Uint, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64", "minimum": 0}
	case reflect.Float32:
		return map[string]any{"type": "number", "format": "float"}
	case reflect.Float64:
		return map[string]any{"type": "number", "format": "double"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": g.of(t.Elem())}
	case reflect.Array:
		return map[string]any{"type": "array", "items": g.of(t.Elem()), "minItems": t.Len(), "maxItems": t.Len()}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.of(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		return g.ref(t)
	}
	panic(fmt.Sprintf("api: no JSON Schema for Go type %s", t))
}

// ref returns a $ref to the component for the named struct type t,
// generating the component the first time.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	r := map[string]any{"$ref": ""}
	if c, ok := g.named[t]; ok {
		c.refs = append(c.refs, r)
		return r
	}
	c := &component{refs: []map[string]any{r}}
	g.named[t] = c
	g.order = append(g.order, t)
	c.schema = g.object(t)
	return r
}

// object returns the object schema of struct type t.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	required := []string{}
	idents := map[string]string{}
	for _, f := range jsonFields(t) {
		id := identKey(f.name)
		if other, ok := idents[id]; ok {
			panic(fmt.Sprintf("api: properties %q and %q of %s become the same name in generated clients (%q); rename one", other, f.name, t, id))
		}
		idents[id] = f.name
		s := g.of(f.sf.Type)
		if f.asString {
			s = stringEncoded(s)
		}
		props[f.name] = applyTags(s, f.sf.Tag)
		if !f.optional {
			required = append(required, f.name)
		}
	}
	obj := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		obj["required"] = required
	}
	return obj
}

// identKey is what client generators keep of a property name when they
// make an identifier of it: letters and digits, case ignored. "user_id",
// "userId" and "UserID" all become the Go field UserId, so two properties
// of one object must differ here.
func identKey(name string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 128 {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// jsonField is one property of a struct as encoding/json sees it.
type jsonField struct {
	name     string
	sf       reflect.StructField
	depth    int
	optional bool // omitempty or omitzero
	asString bool // the ",string" option
}

// jsonFields lists the JSON properties of struct type t in field order,
// flattening untagged embedded structs; a shallower field hides a deeper
// one of the same name.
func jsonFields(t reflect.Type) []jsonField {
	var all []jsonField
	collectFields(t, 0, &all)
	seen := map[string]int{}
	var out []jsonField
	for _, f := range all {
		if i, ok := seen[f.name]; ok {
			if f.depth < out[i].depth {
				out[i] = f
			}
			continue
		}
		seen[f.name] = len(out)
		out = append(out, f)
	}
	return out
}

func collectFields(t reflect.Type, depth int, out *[]jsonField) {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectFields(ft, depth+1, out)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		o := strings.Split(opts, ",")
		*out = append(*out, jsonField{
			name: name, sf: sf, depth: depth,
			optional: slices.Contains(o, "omitempty") || slices.Contains(o, "omitzero"),
			asString: slices.Contains(o, "string"),
		})
	}
}

// nullable lets s also accept null: type [T, "null"] for a simple type,
// anyOf with {"type": "null"} around anything else.
func nullable(s map[string]any) map[string]any {
	if len(s) == 0 {
		return s // accepts anything, null included
	}
	typ, isString := s["type"].(string)
	if !isString || s["$ref"] != nil || s["anyOf"] != nil || s["oneOf"] != nil {
		return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	}
	s["type"] = []any{typ, "null"}
	return s
}

// splitUnion rewrites a schema whose "type" lists several types other
// than "null" (["string", "integer"]) as a oneOf of one schema per type:
// client generators turn a oneOf into a union type, but most cannot map a
// type list to one. The other keywords (description, examples) stay on
// the outer schema; a value is either a JSON string or a JSON number, so
// exactly one branch matches.
func splitUnion(s map[string]any) map[string]any {
	types := typeList(s)
	nonNull := slices.DeleteFunc(slices.Clone(types), func(t string) bool { return t == "null" })
	if len(nonNull) < 2 {
		return s
	}
	var branches []any
	for _, t := range types {
		branches = append(branches, map[string]any{"type": t})
	}
	delete(s, "type")
	s["oneOf"] = branches
	return s
}

// stringEncoded is the schema of a number or boolean sent as a JSON string
// (the ",string" option).
func stringEncoded(s map[string]any) map[string]any {
	switch s["type"] {
	case "integer", "number", "boolean":
		return map[string]any{"type": "string"}
	}
	return s
}

// applyTags adds the doc, enum, example and format tags of a field to its
// schema s. Enum and example values are converted to the schema's type;
// for an array they apply to its items. A bad value is a programming error.
func applyTags(s map[string]any, tag reflect.StructTag) map[string]any {
	if d := tag.Get("doc"); d != "" {
		s["description"] = d
	}
	target := s
	if s["type"] == "array" || slices.Equal(typeList(s), []string{"array", "null"}) {
		target = s["items"].(map[string]any)
	}
	if f := tag.Get("format"); f != "" {
		target["format"] = f
	}
	if e := tag.Get("enum"); e != "" {
		var values []any
		for _, v := range strings.Split(e, ",") {
			values = append(values, tagValue(target, v))
		}
		if slices.Contains(typeList(target), "null") {
			values = append(values, nil)
		}
		target["enum"] = values
	}
	if ex, ok := tag.Lookup("example"); ok {
		s["examples"] = []any{tagValue(target, ex)}
	}
	return s
}

// typeList returns the "type" of a schema as a list.
func typeList(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, v := range t {
			out = append(out, v.(string))
		}
		return out
	}
	return nil
}

// tagValue converts a tag value to the JSON type of schema s.
func tagValue(s map[string]any, v string) any {
	var out any = v
	var err error
	switch types := typeList(s); {
	case slices.Contains(types, "integer"):
		out, err = strconv.ParseInt(v, 10, 64)
	case slices.Contains(types, "number"):
		out, err = strconv.ParseFloat(v, 64)
	case slices.Contains(types, "boolean"):
		out, err = strconv.ParseBool(v)
	}
	if err != nil {
		panic(fmt.Sprintf("api: tag value %q does not fit schema %v", v, s["type"]))
	}
	return out
}

// components assigns the component names, fills in every $ref and returns
// components/schemas. No schema takes a name in reserved (the names of the
// other components: generators make one type per component, whatever its
// kind, so a schema "Conflict" and the response "Conflict" would clash).
func (g *schemaGen) components(reserved []string) map[string]any {
	out := map[string]any{}
	for t, name := range componentNames(g.order, reserved) {
		c := g.named[t]
		for _, r := range c.refs {
			r["$ref"] = "#/components/schemas/" + name
		}
		out[name] = c.schema
	}
	return out
}

// componentNames names each type by its readable name; types that share
// one, or whose name is reserved, are told apart by their package
// ("EntityInput", "AppealInput", "BidevalConflict"), and a number is
// appended if that is still not enough. Names are compared ignoring case,
// as generators for case-insensitive file systems and languages do.
func componentNames(types []reflect.Type, reserved []string) map[reflect.Type]string {
	byName := map[string][]reflect.Type{}
	for _, t := range types {
		n := typeName(t.Name(), false)
		byName[strings.ToLower(n)] = append(byName[strings.ToLower(n)], t)
	}
	names := map[reflect.Type]string{}
	taken := map[string]bool{}
	for _, n := range reserved {
		taken[strings.ToLower(n)] = true
	}
	for n, ts := range byName {
		if len(ts) == 1 && !taken[n] {
			names[ts[0]] = typeName(ts[0].Name(), false)
		}
	}
	for n := range names {
		taken[strings.ToLower(names[n])] = true
	}
	for _, n := range slices.Sorted(maps.Keys(byName)) {
		ts := byName[n]
		if _, done := names[ts[0]]; done {
			continue
		}
		slices.SortFunc(ts, func(a, b reflect.Type) int {
			return strings.Compare(a.PkgPath()+"."+a.Name(), b.PkgPath()+"."+b.Name())
		})
		for _, t := range ts {
			n := qualifiedName(t)
			for i := 2; taken[strings.ToLower(n)]; i++ {
				n = qualifiedName(t) + strconv.Itoa(i)
			}
			names[t], taken[strings.ToLower(n)] = n, true
		}
	}
	return names
}

// qualifiedName is the package-qualified readable name of t: the package
// name in front, and for a generic type its arguments' packages too.
func qualifiedName(t reflect.Type) string {
	if strings.Contains(t.Name(), "[") {
		return typeName(t.Name(), true)
	}
	return exportName(pkgName(t.PkgPath())) + typeName(t.Name(), false)
}

// typeName turns a Go type name as reflect prints it into a component
// name: "Page[yingshang/internal/entity.Entity]" becomes "PageEntity"
// ("PageEntityEntity" when qualified), "[]T" "TList", "*T" "T", and
// "map[K]V" "MapKV".
func typeName(s string, qualified bool) string {
	switch {
	case strings.HasPrefix(s, "*"):
		return typeName(s[1:], qualified)
	case strings.HasPrefix(s, "[]"):
		return typeName(s[2:], qualified) + "List"
	case strings.HasPrefix(s, "map["):
		key, val := splitBracket(s[3:])
		return "Map" + typeName(key, qualified) + typeName(val, qualified)
	}
	if i := strings.IndexByte(s, '['); i > 0 {
		args, _ := splitBracket(s[i:])
		name := typeName(s[:i], qualified)
		for _, a := range splitArgs(args) {
			name += typeName(a, qualified)
		}
		return name
	}
	if s[0] == '[' { // array [N]T
		_, elem := splitBracket(s)
		return typeName(elem, qualified) + "List"
	}
	path, name := "", s
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		path, name = s[:i], s[i+1:]
	}
	if qualified && path != "" {
		return exportName(pkgName(path)) + exportName(name)
	}
	return exportName(name)
}

// splitBracket splits "[inner]rest" at the bracket matching the first one.
func splitBracket(s string) (inner, rest string) {
	depth := 0
	for i, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return s[1:i], s[i+1:]
			}
		}
	}
	return s, ""
}

// splitArgs splits type arguments at top-level commas.
func splitArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// pkgName is the last element of an import path.
func pkgName(path string) string {
	return path[strings.LastIndexByte(path, '/')+1:]
}

// exportName keeps letters and digits and capitalises the first letter.
func exportName(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c < 128 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	out := b.String()
	if out == "" {
		return out
	}
	return strings.ToUpper(out[:1]) + out[1:]
}
