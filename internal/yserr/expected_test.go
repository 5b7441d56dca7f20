package yserr_test

import (
	"testing"

	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

// TestExpectedCheckKept: a wrong check character reads as something a
// person can act on, while the field error (what the API sends) keeps the
// character the code should end with.
func TestExpectedCheckKept(t *testing.T) {
	err := ident.ValidateUSCC("91350100M000100Y4X")
	e := yserr.As(err)
	if e.Code != yserr.Invalid || e.Field != ident.FieldUSCC || e.ZH != "第18位校验码不对，请核对" {
		t.Fatalf("As: %+v", e)
	}
	if len(e.Fields) != 1 || e.Fields[0].Expected != "3" {
		t.Fatalf("fields %+v: want expected 3", e.Fields)
	}
	var v yserr.Validation
	v.AddErr("tenderer_uscc", err)
	v.AddErr("name", yserr.Field("name", "请填写名称", "name is required"))
	got := yserr.As(v.Err())
	if got.Fields[0].Field != "tenderer_uscc" || got.Fields[0].Expected != "3" || got.Fields[1].Expected != "" {
		t.Fatalf("validation fields %+v", got.Fields)
	}
}
