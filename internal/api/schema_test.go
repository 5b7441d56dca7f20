package api

import (
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"yingshang/internal/calendar"
)

type schemaAddress struct {
	Region string `json:"region" doc:"行政区划代码 / Region code" example:"411002"`
	Street string `json:"street,omitempty"`
}

type schemaContact struct {
	Name string `json:"name"`
}

type schemaBase struct {
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at"`
}

type schemaEntity struct {
	schemaBase
	Name      string            `json:"name" doc:"名称 / Name"`
	Size      string            `json:"size" enum:"micro,small,medium,large"`
	Grade     *string           `json:"grade" enum:"A,B,C,D"`
	Level     int               `json:"level,omitempty" enum:"1,2,3" example:"2"`
	Address   schemaAddress     `json:"address"`
	Previous  *schemaAddress    `json:"previous,omitempty" doc:"原地址 / Former address"`
	Contacts  []schemaContact   `json:"contacts"`
	Labels    map[string]string `json:"labels,omitempty"`
	Scores    map[string][]int  `json:"scores,omitempty"`
	Photo     []byte            `json:"photo,omitempty"`
	Extra     json.RawMessage   `json:"extra,omitempty"`
	Any       any               `json:"any,omitempty"`
	FoundedOn calendar.Date     `json:"founded_on" format:"date"`
	Big       int64             `json:"big,string"`
	Tags      []string          `json:"tags" enum:"x,y"`
	Ratio     float64           `json:"ratio"`
	Active    bool              `json:"active"`
	Flags     [2]uint8          `json:"flags"`
	Hidden    string            `json:"-"`
	secret    string
	NoTag     string
	DeletedAt *time.Time `json:"deleted_at,omitzero"`
}

type schemaNode struct {
	Name     string       `json:"name"`
	Children []schemaNode `json:"children"`
	Parent   *schemaNode  `json:"parent,omitempty"`
}

type schemaPair[A, B any] struct {
	First  A `json:"first"`
	Second B `json:"second"`
}

type selfDescribed struct{}

func (selfDescribed) OpenAPISchema() map[string]any {
	return map[string]any{"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"}
}

// URL collides by name with net/url.URL.
type URL struct {
	Href string `json:"href"`
}

// generate returns the schema of v and the components, as generic JSON.
func generate(t *testing.T, v any) (schema any, components map[string]any) {
	t.Helper()
	g := newSchemaGen()
	s := g.of(reflect.TypeOf(v))
	comps := g.components(nil)
	var out struct {
		S any            `json:"s"`
		C map[string]any `json:"c"`
	}
	data, err := json.Marshal(map[string]any{"s": s, "c": comps})
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out.S, out.C
}

func TestSchemaStruct(t *testing.T) {
	s, comps := generate(t, schemaEntity{})
	jsonEqual(t, s, `{"$ref":"#/components/schemas/SchemaEntity"}`)
	jsonEqual(t, comps["SchemaEntity"], `{"type":"object","properties":{
		"id":{"type":"integer","format":"int64"},
		"created_at":{"type":"string","format":"date-time"},
		"name":{"type":"string","description":"名称 / Name"},
		"size":{"type":"string","enum":["micro","small","medium","large"]},
		"grade":{"type":["string","null"],"enum":["A","B","C","D",null]},
		"level":{"type":"integer","format":"int64","enum":[1,2,3],"examples":[2]},
		"address":{"$ref":"#/components/schemas/SchemaAddress"},
		"previous":{"anyOf":[{"$ref":"#/components/schemas/SchemaAddress"},{"type":"null"}],"description":"原地址 / Former address"},
		"contacts":{"type":"array","items":{"$ref":"#/components/schemas/SchemaContact"}},
		"labels":{"type":"object","additionalProperties":{"type":"string"}},
		"scores":{"type":"object","additionalProperties":{"type":"array","items":{"type":"integer","format":"int64"}}},
		"photo":{"type":"string","format":"byte"},
		"extra":{},
		"any":{},
		"founded_on":{"type":"string","format":"date","example":"2026-10-13"},
		"big":{"type":"string"},
		"tags":{"type":"array","items":{"type":"string","enum":["x","y"]}},
		"ratio":{"type":"number","format":"double"},
		"active":{"type":"boolean"},
		"flags":{"type":"array","items":{"type":"integer","format":"int32","minimum":0},"minItems":2,"maxItems":2},
		"NoTag":{"type":"string"},
		"deleted_at":{"type":["string","null"],"format":"date-time"}
	},"required":["id","created_at","name","size","grade","address","contacts","founded_on","big","tags","ratio","active","flags","NoTag"]}`)
	jsonEqual(t, comps["SchemaAddress"], `{"type":"object","properties":{
		"region":{"type":"string","description":"行政区划代码 / Region code","examples":["411002"]},
		"street":{"type":"string"}},"required":["region"]}`)
	if len(comps) != 3 {
		t.Errorf("components %v, want SchemaEntity, SchemaAddress, SchemaContact", keys(comps))
	}
}

func TestSchemaRecursive(t *testing.T) {
	s, comps := generate(t, []schemaNode{})
	jsonEqual(t, s, `{"type":"array","items":{"$ref":"#/components/schemas/SchemaNode"}}`)
	jsonEqual(t, comps["SchemaNode"], `{"type":"object","properties":{
		"name":{"type":"string"},
		"children":{"type":"array","items":{"$ref":"#/components/schemas/SchemaNode"}},
		"parent":{"anyOf":[{"$ref":"#/components/schemas/SchemaNode"},{"type":"null"}]}
	},"required":["name","children"]}`)
}

func TestSchemaGenerics(t *testing.T) {
	type resp struct {
		A Page[schemaContact]                         `json:"a"`
		B Page[*schemaContact]                        `json:"b"`
		C schemaPair[string, []schemaAddress]         `json:"c"`
		D schemaPair[map[string]int64, schemaContact] `json:"d"`
	}
	_, comps := generate(t, resp{})
	jsonEqual(t, comps["Resp"], `{"type":"object","properties":{
		"a":{"$ref":"#/components/schemas/PageApiSchemaContact2"},
		"b":{"$ref":"#/components/schemas/PageApiSchemaContact"},
		"c":{"$ref":"#/components/schemas/SchemaPairStringSchemaAddressList"},
		"d":{"$ref":"#/components/schemas/SchemaPairMapStringInt64SchemaContact"}
	},"required":["a","b","c","d"]}`)
	jsonEqual(t, at(t, comps, "PageApiSchemaContact2", "properties", "items"),
		`{"type":"array","items":{"$ref":"#/components/schemas/SchemaContact"},"description":"本页条目 / Items on this page"}`)
	jsonEqual(t, at(t, comps, "PageApiSchemaContact", "properties", "items", "items"),
		`{"anyOf":[{"$ref":"#/components/schemas/SchemaContact"},{"type":"null"}]}`)
	jsonEqual(t, at(t, comps, "PageApiSchemaContact", "required"), `["items","total"]`)
	// Alone, Page[schemaContact] gets the short readable name.
	s, comps := generate(t, Page[schemaContact]{})
	jsonEqual(t, s, `{"$ref":"#/components/schemas/PageSchemaContact"}`)
	if comps["PageSchemaContact"] == nil {
		t.Errorf("components = %v", keys(comps))
	}
}

func TestSchemaNameCollision(t *testing.T) {
	type resp struct {
		Mine   URL           `json:"mine"`
		Theirs url.URL       `json:"theirs"`
		Pages  Page[URL]     `json:"pages"`
		Others Page[url.URL] `json:"others"`
	}
	_, comps := generate(t, resp{})
	s := comps["Resp"]
	jsonEqual(t, at(t, s, "properties", "mine"), `{"$ref":"#/components/schemas/ApiURL"}`)
	jsonEqual(t, at(t, s, "properties", "theirs"), `{"$ref":"#/components/schemas/UrlURL"}`)
	jsonEqual(t, at(t, s, "properties", "pages"), `{"$ref":"#/components/schemas/PageApiURL"}`)
	jsonEqual(t, at(t, s, "properties", "others"), `{"$ref":"#/components/schemas/PageUrlURL"}`)
	for _, name := range []string{"ApiURL", "UrlURL", "PageApiURL", "PageUrlURL", "Userinfo"} {
		if comps[name] == nil {
			t.Errorf("missing component %s in %v", name, keys(comps))
		}
	}
}

func TestSchemaSelfDescribedAndText(t *testing.T) {
	type v struct {
		Code selfDescribed  `json:"code"`
		Day  calendar.Date  `json:"day"`
		Opt  *selfDescribed `json:"opt"`
	}
	_, comps := generate(t, v{})
	jsonEqual(t, comps["V"], `{"type":"object","properties":{
		"code":{"type":"string","pattern":"^[0-9A-HJ-NPQRTUWXY]{18}$"},
		"day":{"example":"2026-10-13","format":"date","type":"string"},
		"opt":{"type":["string","null"],"pattern":"^[0-9A-HJ-NPQRTUWXY]{18}$"}
	},"required":["code","day","opt"]}`)
}

func TestSchemaTypeNames(t *testing.T) {
	cases := map[string]string{
		"Entity":                                         "Entity",
		"Page[yingshang/internal/entity.Entity]":         "PageEntity",
		"Page[*yingshang/internal/entity.Entity]":        "PageEntity",
		"Page[[]yingshang/internal/entity.Entity]":       "PageEntityList",
		"Pair[string,map[string]int]":                    "PairStringMapStringInt",
		"Page[yingshang/internal/x.Pair[int,[2]string]]": "PagePairIntStringList",
	}
	for in, want := range cases {
		if got := typeName(in, false); got != want {
			t.Errorf("typeName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := typeName("Page[yingshang/internal/entity.Entity]", true); got != "PageEntityEntity" {
		t.Errorf("qualified = %q", got)
	}
}

func TestSchemaBadTagPanics(t *testing.T) {
	type bad struct {
		N int `json:"n" enum:"one,two"`
	}
	defer func() {
		if recover() == nil {
			t.Error("a non-integer enum on an int field did not panic")
		}
	}()
	generate(t, bad{})
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSchemaEmbeddedShadowing(t *testing.T) {
	type inner struct {
		ID    string `json:"id"`
		Note  string `json:"note"`
		Inner bool   `json:"inner"`
	}
	type outer struct {
		*inner
		ID    int64 `json:"id"`
		Named inner `json:"named"`
	}
	_, comps := generate(t, outer{})
	jsonEqual(t, comps["Outer"], `{"type":"object","properties":{
		"id":{"type":"integer","format":"int64"},
		"note":{"type":"string"},
		"inner":{"type":"boolean"},
		"named":{"$ref":"#/components/schemas/Inner"}
	},"required":["id","note","inner","named"]}`)
}

// twoForms describes itself with a type union, as an id a gateway sends
// either as a string or as a number does.
type twoForms string

func (twoForms) OpenAPISchema() map[string]any {
	return map[string]any{"type": []any{"string", "integer"}, "description": "id"}
}

func TestSchemaTypeUnionBecomesOneOf(t *testing.T) {
	type v struct {
		ID  twoForms  `json:"id"`
		Opt *twoForms `json:"opt,omitempty"`
	}
	_, comps := generate(t, v{})
	jsonEqual(t, comps["V"], `{"type":"object","properties":{
		"id":{"description":"id","oneOf":[{"type":"string"},{"type":"integer"}]},
		"opt":{"anyOf":[{"description":"id","oneOf":[{"type":"string"},{"type":"integer"}]},{"type":"null"}]}
	},"required":["id"]}`)
	// A nullable simple type keeps its short form.
	s := splitUnion(map[string]any{"type": []any{"string", "null"}})
	jsonEqual(t, s, `{"type":["string","null"]}`)
}

// Conflict shares its name with the shared 409 response.
type Conflict struct {
	With string `json:"with"`
}

func TestSchemaNamesAvoidReserved(t *testing.T) {
	type resp struct {
		C Conflict `json:"c"`
		U URL      `json:"u"`
	}
	g := newSchemaGen()
	g.of(reflect.TypeFor[resp]())
	comps := g.components([]string{"Conflict", "NotFound"})
	if comps["Conflict"] != nil || comps["ApiConflict"] == nil || comps["URL"] == nil {
		t.Errorf("components = %v, want ApiConflict and URL", keys(comps))
	}
	// Deterministic: the same types give the same names every time.
	for range 5 {
		g := newSchemaGen()
		g.of(reflect.TypeFor[resp]())
		if got := keys(g.components([]string{"conflict"})); !slices.Contains(got, "ApiConflict") {
			t.Fatalf("reserved names are compared ignoring case: %v", got)
		}
	}
}

func TestSchemaNamesIgnoreCase(t *testing.T) {
	type Thing struct {
		A int `json:"a"`
	}
	type thing struct {
		B int `json:"b"`
	}
	names := componentNames([]reflect.Type{reflect.TypeFor[Thing](), reflect.TypeFor[thing]()}, nil)
	a, b := names[reflect.TypeFor[Thing]()], names[reflect.TypeFor[thing]()]
	if strings.EqualFold(a, b) {
		t.Errorf("Thing and thing both named %q / %q", a, b)
	}
}

func TestSchemaPropertyNamesMustStayApart(t *testing.T) {
	type bad struct {
		UserID  int64 `json:"user_id"`
		UserID2 int64 `json:"userId"`
	}
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, `"user_id" and "userId"`) {
			t.Errorf("panic %q, want it to name both properties", msg)
		}
	}()
	generate(t, bad{})
}
