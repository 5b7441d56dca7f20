package server

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestContentDisposition(t *testing.T) {
	for _, c := range []struct {
		name   string
		inline bool
		want   string
	}{
		{"决定书.pdf", true, `inline; filename="file.pdf"; filename*=UTF-8''%E5%86%B3%E5%AE%9A%E4%B9%A6.pdf`},
		{`a "b";c.png`, false, `attachment; filename="a _b__c.png"; filename*=UTF-8''a%20%22b%22%3Bc.png`},
		{"报告 v2 final.docx", false, `attachment; filename="__ v2 final.docx"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20v2%20final.docx`},
	} {
		if got := ContentDisposition(c.name, c.inline); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestWriteFile(t *testing.T) {
	w := httptest.NewRecorder()
	if err := WriteFile(w, "证明.pdf", "application/pdf", 9, false, strings.NewReader("%PDF-1.7\n")); err != nil {
		t.Fatal(err)
	}
	h := w.Result().Header
	if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Length") != "9" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment; ") || w.Body.String() != "%PDF-1.7\n" {
		t.Fatalf("headers %v body %q", h, w.Body.String())
	}
}
