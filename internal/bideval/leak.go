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

// Redact blacks out (■) every character of each identity term found in
// text, matched as FindLeaks matches (whitespace ignored, Latin letters
// case-insensitively); the whitespace inside a match is kept.
func Redact(text string, id Identity) string {
	orig := []rune(text)
	var hay []rune
	var pos []int // pos[i]: index in orig of hay[i]
	for i, r := range orig {
		if !unicode.IsSpace(r) {
			hay = append(hay, unicode.ToLower(r))
			pos = append(pos, i)
		}
	}
	terms := []string{id.Name, shortName(id.Name), id.USCC}
	terms = append(terms, id.People...)
	black := make([]bool, len(orig))
	for _, term := range terms {
		t := []rune(squash(term))
		if len(t) < 2 {
			continue
		}
		for i := 0; i+len(t) <= len(hay); i++ {
			if string(hay[i:i+len(t)]) == string(t) {
				for j := i; j < i+len(t); j++ {
					black[pos[j]] = true
				}
			}
		}
	}
	for i := range orig {
		if black[i] {
			orig[i] = '■'
		}
	}
	return string(orig)
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
