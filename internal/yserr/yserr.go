// Package yserr defines the one error type used across Yingshang.
//
// Every error that reaches a user carries a Code (which decides the HTTP
// status), an optional Field (which form field or column is at fault) and a
// message in Chinese and English. Unknown errors are reported as internal and
// their text is never shown to the user.
package yserr

import (
	"errors"
	"fmt"
)

// Code classifies an error. The HTTP layer maps it to a status code.
type Code string

const (
	Invalid      Code = "invalid"      // 400: the input fails validation
	Unauthorized Code = "unauthorized" // 401: no or bad credentials
	Forbidden    Code = "forbidden"    // 403: authenticated but not allowed
	NotFound     Code = "not_found"    // 404
	Conflict     Code = "conflict"     // 409: state or uniqueness conflict
	TooLarge     Code = "too_large"    // 413
	TooMany      Code = "too_many"     // 429: rate limited or locked out
	Unavailable  Code = "unavailable"  // 503
	Internal     Code = "internal"     // 500: anything unexpected
)

// FieldError names one bad field (or spreadsheet column) with a reason.
type FieldError struct {
	Field string `json:"field"`
	ZH    string `json:"message_zh"`
	EN    string `json:"message_en"`
	// Expected is, for a wrong check character of an identifier, the
	// character the rest of it gives (API only; pages never show it).
	Expected string `json:"expected,omitempty"`
}

// Expecter is implemented by errors that know the value a field should
// have had (the identifier validators' wrong check character).
type Expecter interface{ ExpectedCheck() string }

func expectedOf(err error) string {
	var x Expecter
	if errors.As(err, &x) {
		return x.ExpectedCheck()
	}
	return ""
}

// Error is the application error.
type Error struct {
	Code   Code
	Field  string // the main offending field, if any
	ZH     string // message in Chinese
	EN     string // message in English
	Fields []FieldError
	Err    error // wrapped cause (not shown to users)
	// Next are ways forward the error page offers beside the standard ones
	// (back, home): e.g. "sign out and sign in with this business's account".
	Next []Link
}

// Link is a way forward offered on an error page. Post links are sent as a
// form (with the CSRF token), for actions such as signing out.
type Link struct {
	Href string
	ZH   string
	EN   string
	Post bool
}

// Label returns the link's text in lang ("en" or zh by default).
func (l Link) Label(lang string) string {
	if lang == "en" {
		return l.EN
	}
	return l.ZH
}

// With adds ways forward to the error page and returns e.
func (e *Error) With(links ...Link) *Error { e.Next = append(e.Next, links...); return e }

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.EN
	if e.Field != "" {
		s = string(e.Code) + ": " + e.Field + ": " + e.EN
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Message returns the message in the requested language ("en" or zh by default).
func (e *Error) Message(lang string) string {
	if lang == "en" {
		return e.EN
	}
	return e.ZH
}

// New builds an error with a code and bilingual message.
func New(code Code, zh, en string) *Error { return &Error{Code: code, ZH: zh, EN: en} }

// Newf is New with fmt-style arguments applied to both messages.
func Newf(code Code, zh, en string, args ...any) *Error {
	return &Error{Code: code, ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}

// Field builds a validation error for one field.
func Field(field, zh, en string) *Error {
	return &Error{Code: Invalid, Field: field, ZH: zh, EN: en,
		Fields: []FieldError{{Field: field, ZH: zh, EN: en}}}
}

// Wrap attaches a cause to an error.
func (e *Error) Wrap(err error) *Error { e.Err = err; return e }

// Validation collects field errors; Err returns nil when none were added.
type Validation struct{ fields []FieldError }

// Add records a bad field.
func (v *Validation) Add(field, zh, en string) {
	v.fields = append(v.fields, FieldError{Field: field, ZH: zh, EN: en})
}

// AddErr records err against field, using its bilingual text when it is an *Error
// or implements the Bilingual interface.
func (v *Validation) AddErr(field string, err error) {
	if err == nil {
		return
	}
	zh, en := Texts(err)
	v.fields = append(v.fields, FieldError{Field: field, ZH: zh, EN: en, Expected: expectedOf(err)})
}

// Has reports whether field already has an error.
func (v *Validation) Has(field string) bool {
	for _, f := range v.fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns the collected errors as one *Error, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	f := v.fields[0]
	e := &Error{Code: Invalid, Field: f.Field, ZH: f.ZH, EN: f.EN, Fields: v.fields}
	if len(v.fields) > 1 {
		e.ZH = fmt.Sprintf("%s（共 %d 处错误）", f.ZH, len(v.fields))
		e.EN = fmt.Sprintf("%s (%d errors in total)", f.EN, len(v.fields))
	}
	return e
}

// Bilingual is implemented by errors from packages that carry their own
// Chinese and English text (for example the identifier validators).
type Bilingual interface {
	MessageZH() string
	MessageEN() string
}

// Texts returns the Chinese and English text of any error; unknown errors
// become a generic internal message.
func Texts(err error) (zh, en string) {
	var e *Error
	if errors.As(err, &e) {
		return e.ZH, e.EN
	}
	var b Bilingual
	if errors.As(err, &b) {
		return b.MessageZH(), b.MessageEN()
	}
	return "系统内部错误", "internal error"
}

// CodeOf returns the code of err; errors that are not *Error are Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var b Bilingual
	if errors.As(err, &b) {
		return Invalid
	}
	return Internal
}

// As returns err as *Error, converting unknown errors to Internal ones
// (keeping the cause for logging) and bilingual errors to Invalid ones.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var b Bilingual
	if errors.As(err, &b) {
		e := &Error{Code: Invalid, ZH: b.MessageZH(), EN: b.MessageEN(), Err: err}
		var f interface{ FieldName() string }
		if errors.As(err, &f) && f.FieldName() != "" {
			e.Field = f.FieldName()
			e.Fields = []FieldError{{Field: e.Field, ZH: e.ZH, EN: e.EN, Expected: expectedOf(err)}}
		}
		return e
	}
	return &Error{Code: Internal, ZH: "系统内部错误", EN: "internal error", Err: err}
}

// Is reports whether err has the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// Common constructors.
// ErrNotFound says that the named thing (in Chinese and English) does not exist
// or is not visible to the caller.
func ErrNotFound(zhWhat, enWhat string) *Error {
	return &Error{Code: NotFound, ZH: "未找到" + zhWhat, EN: enWhat + " not found"}
}

func ErrForbidden() *Error {
	return New(Forbidden, "无权执行此操作", "you are not allowed to do this")
}

func ErrUnauthorized() *Error { return New(Unauthorized, "请先登录", "please sign in") }
