package api

import (
	"encoding"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"yingshang/internal/yserr"
)

// Paging limits.
const (
	DefaultPerPage = 20
	MaxPerPage     = 200
)

// Page is the standard list envelope.
type Page[T any] struct {
	Items      []T    `json:"items" doc:"本页条目 / Items on this page"`
	Total      int64  `json:"total" doc:"符合条件的总数 / Number of matching items"`
	Estimated  bool   `json:"total_estimated,omitempty" doc:"为 true 时 total 是估算值（匹配数超过精确计数上限） / true when total is an estimate (more matches than are counted exactly)"`
	Page       int    `json:"page,omitempty" doc:"页码，从 1 开始 / Page number, from 1"`
	PerPage    int    `json:"per_page,omitempty" doc:"每页条数 / Items per page"`
	NextCursor string `json:"next_cursor,omitempty" doc:"下一页游标（游标分页时） / Cursor of the next page, for cursor paging"`
}

// NewPage builds a Page, turning nil items into an empty list so that the
// JSON holds [] rather than null.
func NewPage[T any](items []T, total int64, page, perPage int) Page[T] {
	if items == nil {
		items = []T{}
	}
	return Page[T]{Items: items, Total: total, Page: page, PerPage: perPage}
}

// Paging reads ?page= (default 1) and ?per_page= (default DefaultPerPage, at
// most MaxPerPage), with a field error for each bad value.
func Paging(r *http.Request) (page, perPage int, err error) {
	var v yserr.Validation
	page, err1 := QueryInt(r, "page", 1)
	v.AddErr("page", err1)
	if err1 == nil && page < 1 {
		v.Add("page", "页码必须大于等于 1", "page must be at least 1")
	}
	perPage, err2 := QueryInt(r, "per_page", DefaultPerPage)
	v.AddErr("per_page", err2)
	if err2 == nil && (perPage < 1 || perPage > MaxPerPage) {
		v.Add("per_page", "每页条数必须在 1 到 200 之间", "per_page must be between 1 and 200")
	}
	if err := v.Err(); err != nil {
		return 0, 0, err
	}
	return page, perPage, nil
}

// Offset returns the number of rows before a page (for SQL OFFSET).
func Offset(page, perPage int) int { return (page - 1) * perPage }

// PathInt64 parses the path value name (as in "{id}") as a positive integer;
// anything else is a 400 naming the field.
func PathInt64(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n < 1 {
		return 0, yserr.Field(name, "必须是正整数", "must be a positive integer")
	}
	return n, nil
}

// QueryInt parses the query parameter name as an integer, returning def when
// it is absent or empty and a 400 naming the field when it is not a number.
func QueryInt(r *http.Request, name string, def int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, yserr.Field(name, "必须是整数", "must be an integer")
	}
	return n, nil
}

// DecodeQuery fills the struct v points to from the request: fields tagged
// `query:"name"` from the query string and fields tagged `path:"name"` from
// the path. Supported field types are strings, booleans, integers, floats,
// types implementing encoding.TextUnmarshaler (time.Time, calendar.Date),
// pointers to these and slices of these (from repeated parameters). Absent
// parameters leave the field as it was, so defaults can be set beforehand;
// `query:"name,required"` makes one mandatory. A value outside the field's
// `enum:"a,b"` tag is refused. All bad fields are reported together.
func DecodeQuery(r *http.Request, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic("api.DecodeQuery: v must be a pointer to a struct")
	}
	var val yserr.Validation
	query := r.URL.Query()
	for _, f := range paramFields(rv.Elem().Type()) {
		values := query[f.name]
		if f.in == "path" {
			values = []string{r.PathValue(f.name)}
		}
		values = slices.DeleteFunc(values, func(s string) bool { return s == "" })
		if len(values) == 0 {
			if f.required {
				val.Add(f.name, "必填", "is required")
			}
			continue
		}
		if err := setParam(rv.Elem().FieldByIndex(f.index), values, f); err != nil {
			val.AddErr(f.name, err)
		}
	}
	return val.Err()
}

// paramField is one struct field documented as a query or path parameter.
type paramField struct {
	name     string
	in       string // "query" or "path"
	required bool
	index    []int
	field    reflect.StructField
	enum     []string
}

// paramFields lists the fields of struct type t tagged query or path.
func paramFields(t reflect.Type) []paramField {
	var out []paramField
	for _, sf := range reflect.VisibleFields(t) {
		if !sf.IsExported() {
			continue
		}
		for _, in := range []string{"query", "path"} {
			tag, ok := sf.Tag.Lookup(in)
			if !ok || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			p := paramField{name: name, in: in, index: sf.Index, field: sf,
				required: in == "path" || opts == "required"}
			if e := sf.Tag.Get("enum"); e != "" {
				p.enum = strings.Split(e, ",")
			}
			out = append(out, p)
		}
	}
	return out
}

// setParam parses values into the field value fv.
func setParam(fv reflect.Value, values []string, f paramField) error {
	for _, s := range values {
		if f.enum != nil && !slices.Contains(f.enum, s) {
			return yserr.Field(f.name, "取值必须是 "+strings.Join(f.enum, "、")+" 之一",
				"must be one of "+strings.Join(f.enum, ", "))
		}
	}
	if fv.Kind() == reflect.Slice && !fv.Addr().Type().Implements(textUnmarshalerType) {
		out := reflect.MakeSlice(fv.Type(), len(values), len(values))
		for i, s := range values {
			if err := setScalar(out.Index(i), s); err != nil {
				return err
			}
		}
		fv.Set(out)
		return nil
	}
	if len(values) > 1 {
		return yserr.Field(f.name, "只能出现一次", "must be given only once")
	}
	return setScalar(fv, values[0])
}

// setScalar parses s into fv, allocating pointers.
func setScalar(fv reflect.Value, s string) error {
	if fv.Kind() == reflect.Pointer {
		p := reflect.New(fv.Type().Elem())
		if err := setScalar(p.Elem(), s); err != nil {
			return err
		}
		fv.Set(p)
		return nil
	}
	if u, ok := fv.Addr().Interface().(encoding.TextUnmarshaler); ok {
		if err := u.UnmarshalText([]byte(s)); err != nil {
			return invalidValue(err)
		}
		return nil
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return yserr.New(yserr.Invalid, "必须是 true 或 false", "must be true or false")
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, fv.Type().Bits())
		if err != nil {
			return yserr.New(yserr.Invalid, "必须是整数", "must be an integer")
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, fv.Type().Bits())
		if err != nil {
			return yserr.New(yserr.Invalid, "必须是非负整数", "must be a non-negative integer")
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, fv.Type().Bits())
		if err != nil {
			return yserr.New(yserr.Invalid, "必须是数字", "must be a number")
		}
		fv.SetFloat(n)
	default:
		panic("api: unsupported parameter type " + fv.Type().String())
	}
	return nil
}

// invalidValue keeps the bilingual text of a parse error when it has one.
func invalidValue(err error) error {
	if yserr.CodeOf(err) == yserr.Internal {
		return yserr.New(yserr.Invalid, "格式不正确", "has an invalid format").Wrap(err)
	}
	return err
}
