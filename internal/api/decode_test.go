package api

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

type decodeInput struct {
	Name      string          `json:"name"`
	FoundedOn string          `json:"founded_on"`
	Capital   int64           `json:"capital"`
	Contact   decodeContact   `json:"contact"`
	Contacts  []decodeContact `json:"contacts"`
	Tags      []string        `json:"tags"`
	Day       calendar.Date   `json:"day"`
}

type decodeContact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

func decodeBody(t *testing.T, body, contentType string, limit int64) (decodeInput, error) {
	t.Helper()
	r := httptest.NewRequest("POST", "/api/v1/entities", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	var in decodeInput
	if limit > 0 {
		return in, DecodeLimit(r, &in, limit)
	}
	return in, Decode(r, &in)
}

func TestDecodeOK(t *testing.T) {
	in, err := decodeBody(t, `{"name":"许昌","founded_on":"2020-01-02","capital":5,
		"contact":{"phone":"13800000000"},"tags":["a"],"day":"2024-10-01"}`+"\n", "application/json; charset=utf-8", 0)
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "许昌" || in.Capital != 5 || in.Contact.Phone != "13800000000" || in.Day.String() != "2024-10-01" {
		t.Errorf("decoded %+v", in)
	}
	if _, err := decodeBody(t, `{"name":"x"}`, "application/merge-patch+json", 0); err != nil {
		t.Errorf("+json media type refused: %v", err)
	}
}

func TestDecodeRefusals(t *testing.T) {
	cases := []struct {
		name, body, contentType string
		limit                   int64
		code                    yserr.Code
		field, en, zh           string
	}{
		{"unknown field", `{"name":"x","nmae":"y"}`, "application/json", 0,
			yserr.Invalid, "nmae", `unknown field "nmae"`, `不支持的字段 "nmae"`},
		{"unknown nested field", `{"contact":{"phone":"1","phne":"2"}}`, "application/json", 0,
			yserr.Invalid, "contact.phne", `unknown field "contact.phne"`, `不支持的字段 "contact.phne"`},
		{"unknown field in list", `{"contacts":[{"name":"a"},{"name":"b","mail":"x"}]}`, "application/json", 0,
			yserr.Invalid, "contacts.mail", `unknown field "contacts.mail"`, ""},
		{"wrong type", `{"founded_on":20200102}`, "application/json", 0,
			yserr.Invalid, "founded_on", `field "founded_on": expected string`, `字段 "founded_on" 类型错误：应为字符串`},
		{"wrong nested type", `{"contact":{"phone":138}}`, "application/json", 0,
			yserr.Invalid, "contact.phone", `field "contact.phone": expected string`, ""},
		{"string for integer", `{"capital":"lots"}`, "application/json", 0,
			yserr.Invalid, "capital", `field "capital": expected integer`, `字段 "capital" 类型错误：应为整数`},
		{"object for array", `{"tags":{}}`, "application/json", 0,
			yserr.Invalid, "tags", `field "tags": expected array`, ""},
		{"number for text type", `{"day":20241001}`, "application/json", 0,
			yserr.Invalid, "day", `field "day": expected string`, ""},
		{"array body", `[1,2]`, "application/json", 0,
			yserr.Invalid, "body", "the request body must be object", ""},
		{"too large", `{"name":"` + strings.Repeat("x", 100) + `"}`, "application/json", 64,
			yserr.TooLarge, "", "the request body exceeds the limit of 64 bytes", ""},
		{"empty", ``, "application/json", 0,
			yserr.Invalid, "body", "the request body is empty", "请求内容为空"},
		{"blank", " \n\t ", "application/json", 0,
			yserr.Invalid, "body", "the request body is empty", ""},
		{"wrong content type", `{"name":"x"}`, "text/plain", 0,
			yserr.Invalid, "Content-Type", "the Content-Type must be application/json", ""},
		{"form content type", `name=x`, "application/x-www-form-urlencoded", 0,
			yserr.Invalid, "Content-Type", "the Content-Type must be application/json", ""},
		{"no content type", `{"name":"x"}`, "", 0,
			yserr.Invalid, "Content-Type", "the Content-Type must be application/json", ""},
		{"malformed", `{"name":`, "application/json", 0,
			yserr.Invalid, "body", "the request body is not valid JSON", ""},
		{"syntax error", `{"name" "x"}`, "application/json", 0,
			yserr.Invalid, "body", "the request body is not valid JSON", ""},
		{"two values", `{"name":"x"} {"name":"y"}`, "application/json", 0,
			yserr.Invalid, "body", "the request body must hold a single JSON value", ""},
		{"bad date", `{"day":"2024-13-01"}`, "application/json", 0,
			yserr.Invalid, "body", "cannot decode the request body: ", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeBody(t, c.body, c.contentType, c.limit)
			var e *yserr.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *yserr.Error", err)
			}
			if e.Code != c.code || e.Field != c.field || !strings.HasPrefix(e.EN, c.en) {
				t.Errorf("got %s %q %q, want %s %q %q", e.Code, e.Field, e.EN, c.code, c.field, c.en)
			}
			if c.zh != "" && e.ZH != c.zh {
				t.Errorf("zh = %q, want %q", e.ZH, c.zh)
			}
			if c.field != "" && (len(e.Fields) != 1 || e.Fields[0].Field != c.field) {
				t.Errorf("fields = %v", e.Fields)
			}
		})
	}
}

func TestDecodeExactLimit(t *testing.T) {
	body := `{"name":"` + strings.Repeat("x", 10) + `"}`
	if _, err := decodeBody(t, body, "application/json", int64(len(body))); err != nil {
		t.Errorf("a body of exactly the limit was refused: %v", err)
	}
	if _, err := decodeBody(t, body, "application/json", int64(len(body)-1)); !yserr.Is(err, yserr.TooLarge) {
		t.Errorf("one byte over the limit: %v", err)
	}
}
