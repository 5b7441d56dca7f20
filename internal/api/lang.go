package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The two languages of the platform's messages.
const (
	LangZH = "zh-CN"
	LangEN = "en"
)

// Lang returns LangEN or LangZH for a request: the ?lang= parameter first,
// then the "lang" cookie, then Accept-Language (the preferred of its English
// and Chinese ranges by q-value), and Chinese by default. Values other than
// en* and zh* are ignored.
func Lang(r *http.Request) string {
	if l, ok := langTag(r.URL.Query().Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil {
		if l, ok := langTag(c.Value); ok {
			return l
		}
	}
	if l, ok := acceptLanguage(r.Header.Get("Accept-Language")); ok {
		return l
	}
	return LangZH
}

// langTag maps a language tag to LangEN or LangZH.
func langTag(tag string) (string, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case tag == "en" || strings.HasPrefix(tag, "en-") || strings.HasPrefix(tag, "en_"):
		return LangEN, true
	case tag == "zh" || strings.HasPrefix(tag, "zh-") || strings.HasPrefix(tag, "zh_"):
		return LangZH, true
	}
	return "", false
}

// acceptLanguage returns the most preferred English or Chinese range of an
// Accept-Language header.
func acceptLanguage(header string) (string, bool) {
	type pref struct {
		tag string
		q   float64
	}
	var prefs []pref
	for part := range strings.SplitSeq(header, ",") {
		tag, params, _ := strings.Cut(part, ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		if l, ok := langTag(tag); ok && q > 0 {
			prefs = append(prefs, pref{l, q})
		}
	}
	if len(prefs) == 0 {
		return "", false
	}
	slices.SortStableFunc(prefs, func(a, b pref) int { return cmp.Compare(b.q, a.q) })
	return prefs[0].tag, true
}
