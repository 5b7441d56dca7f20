package web

import (
	"net/http/httptest"
	"testing"
)

func TestPaginate(t *testing.T) {
	en := &View{Lang: "en"}
	r := httptest.NewRequest("GET", "/policies/3?preview=1&gpage=2&ppage=3", nil)
	lo, hi, p := Paginate(en, r, "gpage", "grants", 120, 50)
	if lo != 50 || hi != 100 || p == nil || p.Page != 2 || p.Pages != 3 || p.Summary != "51–100 of 120" {
		t.Fatalf("page 2: %d %d %+v", lo, hi, p)
	}
	if p.Prev != "/policies/3?ppage=3&preview=1#grants" || p.Next != "/policies/3?gpage=3&ppage=3&preview=1#grants" {
		t.Errorf("links: %q %q", p.Prev, p.Next)
	}
	// The other list's parameter picks its own page; past the end is the last page.
	lo, hi, p = Paginate(en, r, "ppage", "pushes", 120, 50)
	if lo != 100 || hi != 120 || p.Next != "" || p.Prev == "" || p.From != 101 || p.To != 120 {
		t.Errorf("last page: %d %d %+v", lo, hi, p)
	}
	lo, hi, p = Paginate(&View{Lang: "zh-CN"}, httptest.NewRequest("GET", "/x?gpage=99", nil), "gpage", "", 120, 50)
	if lo != 100 || hi != 120 || p.Summary != "第 101–120 条，共 120 条" || p.PrevLabel != "上一页" {
		t.Errorf("beyond the end: %d %d %+v", lo, hi, p)
	}
	for _, bad := range []string{"0", "-1", "x"} {
		if lo, hi, _ := Paginate(en, httptest.NewRequest("GET", "/x?gpage="+bad, nil), "gpage", "", 120, 50); lo != 0 || hi != 50 {
			t.Errorf("gpage=%s: %d %d", bad, lo, hi)
		}
	}
	if lo, hi, p := Paginate(en, r, "gpage", "", 30, 50); p != nil || lo != 0 || hi != 30 {
		t.Errorf("one page: %d %d %+v", lo, hi, p)
	}
	if lo, hi, p := Paginate(en, r, "gpage", "", 0, 50); p != nil || lo != 0 || hi != 0 {
		t.Errorf("empty: %d %d %+v", lo, hi, p)
	}
}
