package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"yingshang/internal/yserr"
)

// DefaultBodyLimit is the largest JSON body Decode accepts.
const DefaultBodyLimit = 1 << 20

// Decode reads the JSON body of r into v (a pointer) with DefaultBodyLimit.
// See DecodeLimit for the errors it returns.
func Decode(r *http.Request, v any) error { return DecodeLimit(r, v, DefaultBodyLimit) }

// DecodeLimit reads the JSON body of r into v, refusing with a *yserr.Error:
// a Content-Type that is not JSON (field "Content-Type"), a body over limit
// bytes (too_large), an empty or malformed body or more than one JSON value
// (field "body"), an unknown field (the field named) and a value of the
// wrong type (`field "founded_on": expected string`).
func DecodeLimit(r *http.Request, v any, limit int64) error {
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	if r.Body == nil {
		return errEmptyBody()
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return yserr.Field("body", "读取请求内容失败", "cannot read the request body").Wrap(err)
	}
	if int64(len(data)) > limit {
		return yserr.Newf(yserr.TooLarge, "请求内容超过 %d 字节的上限", "the request body exceeds the limit of %d bytes", limit)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return errEmptyBody()
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, data, reflect.TypeOf(v))
	}
	if _, err := dec.Token(); err != io.EOF {
		return yserr.Field("body", "请求内容只能包含一个 JSON 值", "the request body must hold a single JSON value")
	}
	return nil
}

func errEmptyBody() error {
	return yserr.Field("body", "请求内容为空", "the request body is empty")
}

// checkJSONContentType accepts application/json and any application/*+json.
func checkJSONContentType(ct string) error {
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return yserr.Field("Content-Type", "请求内容类型必须是 application/json", "the Content-Type must be application/json")
}

// decodeError turns an encoding/json error from decoding data into a
// value of type t into a field error.
func decodeError(err error, data []byte, t reflect.Type) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return yserr.Field("body", "请求内容应为 "+jsonTypeZH(typeErr.Type), "the request body must be "+jsonTypeEN(typeErr.Type))
		}
		return yserr.Field(typeErr.Field,
			"字段 \""+typeErr.Field+"\" 类型错误：应为"+jsonTypeZH(typeErr.Type),
			"field \""+typeErr.Field+"\": expected "+jsonTypeEN(typeErr.Type))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return yserr.Field("body", "请求内容不是有效的 JSON", "the request body is not valid JSON").Wrap(err)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		var doc any
		if json.Unmarshal(data, &doc) == nil {
			name = cmp.Or(unknownField(doc, t, ""), name)
		}
		return yserr.Field(name, "不支持的字段 \""+name+"\"", "unknown field \""+name+"\"")
	}
	var e *yserr.Error
	var b yserr.Bilingual
	if errors.As(err, &e) || errors.As(err, &b) {
		return yserr.As(err)
	}
	return yserr.Field("body", "请求内容无法解析："+err.Error(), "cannot decode the request body: "+err.Error()).Wrap(err)
}

// jsonKind names the JSON type a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "value"
}

func jsonTypeEN(t reflect.Type) string {
	if t != nil && t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return "string"
	}
	return jsonKind(t)
}

func jsonTypeZH(t reflect.Type) string {
	return map[string]string{
		"boolean": "布尔值", "integer": "整数", "number": "数字", "string": "字符串",
		"array": "数组", "object": "对象", "value": "其他类型",
	}[jsonTypeEN(t)]
}

// unknownField returns the path of the first key in the decoded JSON v
// that type t has no field for, in the form encoding/json uses for type
// errors: struct field names joined by dots ("contact.phone"), without
// slice indexes or map keys.
func unknownField(v any, t reflect.Type, prefix string) string {
	t = derefType(t)
	if reflect.PointerTo(t).Implements(jsonUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return ""
	}
	switch v := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(v) {
			if p := unknownMember(v[k], k, t, prefix); p != "" {
				return p
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for _, e := range v {
				if p := unknownField(e, t.Elem(), prefix); p != "" {
					return p
				}
			}
		}
	}
	return ""
}

// unknownMember checks the member k (value v) of a JSON object decoded
// into type t.
func unknownMember(v any, k string, t reflect.Type, prefix string) string {
	switch t.Kind() {
	case reflect.Map:
		return unknownField(v, t.Elem(), prefix)
	case reflect.Struct:
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		for _, f := range jsonFields(t) {
			if strings.EqualFold(f.name, k) { // encoding/json matches names case-insensitively
				return unknownField(v, f.sf.Type, path)
			}
		}
		return path
	}
	return ""
}
