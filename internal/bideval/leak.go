package bideval

import (
	"strings"
	"unicode"
)

// Leak is one identity term found in a technical bid.
type Leak struct {
	Kind  string `json:"kind" enum:"name,uscc,person"`
	Term  string `json:"term"`
	Count int    `json:"count"`
}

// Identity is what must not appear in an anonymous technical bid.
type Identity struct {
	Name   string   // the bidder's name
	USCC   string   // its unified social credit code
	People []string // its people's names (legal representative, project manager...)
}

// FindLeaks looks for the identity terms in text. Whitespace is ignored and
// Latin letters are compared case-insensitively, so "9141 1002…" and
// spaced-out names are found. Terms shorter than 2 characters are skipped.
func FindLeaks(text string, id Identity) []Leak {
	hay := squash(text)
	var out []Leak
	check := func(kind, term string) {
		t := squash(term)
		if len([]rune(t)) < 2 {
			return
		}
		if n := strings.Count(hay, t); n > 0 {
			out = append(out, Leak{Kind: kind, Term: term, Count: n})
		}
	}
	check("name", id.Name)
	if short := shortName(id.Name); short != id.Name {
		check("name", short)
	}
	check("uscc", id.USCC)
	for _, p := range id.People {
		check("person", p)
	}
	return out
}

func squash(s string) string {
	var b strings.Builder
	for _, r := range s {
		if !unicode.IsSpace(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// shortName drops the legal-form suffix (有限公司, 有限责任公司, 股份有限公司)
// so that "许昌恒达建设" is found for "许昌恒达建设有限公司".
func shortName(name string) string {
	for _, suf := range []string{"股份有限公司", "有限责任公司", "有限公司", "集团"} {
		if s, ok := strings.CutSuffix(name, suf); ok && len([]rune(s)) >= 4 {
			return s
		}
	}
	return name
}
