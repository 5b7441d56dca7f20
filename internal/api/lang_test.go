package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestLang(t *testing.T) {
	cases := []struct {
		name, query, cookie, accept, want string
	}{
		{"default", "", "", "", "zh-CN"},
		{"accept en", "", "", "en-US,en;q=0.9", "en"},
		{"accept zh", "", "", "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"},
		{"accept by q", "", "", "zh;q=0.4, en;q=0.8", "en"},
		{"accept other first", "", "", "fr-FR, en;q=0.5", "en"},
		{"accept only other", "", "", "fr-FR,de", "zh-CN"},
		{"accept q=0 refuses", "", "", "en;q=0", "zh-CN"},
		{"accept malformed", "", "", "en;q=abc", "zh-CN"},
		{"cookie beats accept", "", "zh-CN", "en", "zh-CN"},
		{"cookie en", "", "en", "", "en"},
		{"bad cookie ignored", "", "klingon", "en", "en"},
		{"query beats cookie", "en", "zh-CN", "", "en"},
		{"query zh beats accept", "zh", "", "en", "zh-CN"},
		{"query en-GB", "en-GB", "", "", "en"},
		{"bad query ignored", "xx", "en", "", "en"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/x", nil)
			if c.query != "" {
				r.URL.RawQuery = "lang=" + c.query
			}
			if c.cookie != "" {
				r.AddCookie(&http.Cookie{Name: "lang", Value: c.cookie})
			}
			if c.accept != "" {
				r.Header.Set("Accept-Language", c.accept)
			}
			if got := Lang(r); got != c.want {
				t.Errorf("Lang = %q, want %q", got, c.want)
			}
		})
	}
}
