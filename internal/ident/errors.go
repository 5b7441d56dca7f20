// Package ident validates, normalises, generates and masks the personal and
// organisational identifiers used across the platform: the unified social
// credit code (统一社会信用代码, GB 32100-2015), the resident identity card
// number (公民身份号码, GB 11643-1999) and mainland mobile phone numbers.
//
// Every validator normalises its input first (trims spaces, upper-cases
// letters) and returns nil or an *Error. Callers should store the normalised
// form (NormalizeUSCC, NormalizeIDCard, NormalizeMobile).
package ident

import "fmt"

// Field names carried by *Error, matching the form field names used by the
// web and API layers.
const (
	FieldUSCC     = "uscc"
	FieldIDNumber = "id_number"
	FieldMobile   = "mobile"
)

// Code is the machine-readable reason why an identifier is invalid.
type Code string

// Reasons reported in Error.Reason.
const (
	// ReasonLength: wrong number of characters. Expected holds the required
	// length, Got the actual length.
	ReasonLength Code = "length"
	// ReasonCharset: a character outside the allowed set. Pos is the 1-based
	// position, Got the offending character; Expected is "0-9" where only a
	// digit is allowed (USCC positions 3-8).
	ReasonCharset Code = "charset"
	// ReasonCheck: the check character does not match. Expected holds the
	// correct check character, Got the one supplied.
	ReasonCheck Code = "check"
	// ReasonRegion: the region (province) part is not a valid code
	// (identity card numbers only). Got holds the region digits.
	ReasonRegion Code = "region"
	// ReasonBirthDate: the birth date is not a real date within the allowed
	// range (identity card numbers only). Got holds the YYYYMMDD digits.
	ReasonBirthDate Code = "birth_date"
	// ReasonPrefix: a mobile number does not start with 13-19.
	ReasonPrefix Code = "prefix"
)

// Error describes why an identifier is invalid. It is returned as *Error by
// every validator in this package; use errors.As to inspect it.
type Error struct {
	Field    string // FieldUSCC, FieldIDNumber or FieldMobile
	Reason   Code
	Expected string // expected length or check character, when relevant
	Got      string // actual length, character or digits, when relevant
	Pos      int    // 1-based position of the offending character, 0 if none
}

// Error implements error with an English message prefixed by the field.
func (e *Error) Error() string {
	return e.Field + ": " + e.MessageEN()
}

// MessageEN returns a human-readable English message (without the field name).
func (e *Error) MessageEN() string {
	switch e.Reason {
	case ReasonLength:
		if e.Got == "0" {
			return "is required"
		}
		return fmt.Sprintf("must be %s characters long, got %s", e.Expected, e.Got)
	case ReasonCharset:
		if e.Expected == "0-9" {
			return fmt.Sprintf("invalid character %q at position %d (digit expected)", e.Got, e.Pos)
		}
		return fmt.Sprintf("invalid character %q at position %d", e.Got, e.Pos)
	case ReasonCheck:
		// What a person can act on: the code was mistyped somewhere. The
		// expected character is not shown (typing it in would turn a
		// mistyped code into another business's); CheckHint keeps it for
		// the API.
		return fmt.Sprintf("character %d (the check character) does not match the rest: please check the code", e.Pos)
	case ReasonRegion:
		return fmt.Sprintf("invalid region code %q", e.Got)
	case ReasonBirthDate:
		return fmt.Sprintf("invalid birth date %q", e.Got)
	case ReasonPrefix:
		return "must start with 13 to 19"
	case ReasonLandline:
		return "is neither a mobile number nor a landline: write a landline as area code and number, e.g. 0374-1234567"
	}
	return "is invalid"
}

// MessageZH returns a human-readable Chinese message (without the field name).
func (e *Error) MessageZH() string {
	switch e.Reason {
	case ReasonLength:
		if e.Got == "0" {
			return "不能为空"
		}
		return fmt.Sprintf("应为 %s 位，实际为 %s 位", e.Expected, e.Got)
	case ReasonCharset:
		if e.Expected == "0-9" {
			return fmt.Sprintf("第 %d 位字符“%s”无效，应为数字", e.Pos, e.Got)
		}
		return fmt.Sprintf("第 %d 位字符“%s”无效", e.Pos, e.Got)
	case ReasonCheck:
		return fmt.Sprintf("第%d位校验码不对，请核对", e.Pos)
	case ReasonRegion:
		return fmt.Sprintf("地址码“%s”无效", e.Got)
	case ReasonBirthDate:
		return fmt.Sprintf("出生日期“%s”无效", e.Got)
	case ReasonPrefix:
		return "应以 13 至 19 开头"
	case ReasonLandline:
		return "不是手机号或固定电话；固定电话请写区号加号码，如 0374-1234567"
	}
	return "格式无效"
}

// ExpectedCheck returns, for a wrong check character, the character the
// other 17 give (for API clients and logs); "" for any other reason.
func (e *Error) ExpectedCheck() string {
	if e.Reason == ReasonCheck {
		return e.Expected
	}
	return ""
}

// FieldName is the form field at fault (FieldUSCC, FieldIDNumber or FieldMobile).
func (e *Error) FieldName() string { return e.Field }

// FieldLabel returns the display name of an identifier field in the given
// language ("zh" or anything else for English).
func FieldLabel(field, lang string) string {
	zh := lang == "zh" || len(lang) > 2 && lang[:3] == "zh-"
	switch field {
	case FieldUSCC:
		if zh {
			return "统一社会信用代码"
		}
		return "Unified social credit code"
	case FieldIDNumber:
		if zh {
			return "公民身份号码"
		}
		return "Resident ID number"
	case FieldMobile:
		if zh {
			return "手机号码"
		}
		return "Mobile phone number"
	case FieldPhone:
		if zh {
			return "联系电话"
		}
		return "Phone number"
	}
	return field
}
