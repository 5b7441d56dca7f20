package draw

import (
	"encoding/json"
	"unicode/utf8"
)

// decodeList reads a stored candidate list (candidates_json). Lists as
// this package writes them (canonical JSON, or the encoding/json form of
// rows stored before issue 17) with plain strings are parsed directly:
// ids are substrings of s (no copy per candidate) and equal Groups arrays
// share one slice, as Freeze and the inspection frame build them. Any
// other text (whitespace, escapes, unknown or repeated keys, invalid
// UTF-8) goes to encoding/json, so the result is always what
// json.Unmarshal gives (TestDecodeListSameAsUnmarshal).
func decodeList(s string) (CandidateList, error) {
	if l, ok := parseList(s); ok {
		return l, nil
	}
	var l CandidateList
	return l, json.Unmarshal([]byte(s), &l)
}

type listParser struct {
	s      string
	i      int
	groups map[string][]string
}

func parseList(s string) (CandidateList, bool) {
	p := listParser{s: s, groups: map[string][]string{}}
	var l CandidateList
	if !p.lit("{") {
		return l, false
	}
	var seenC, seenE bool
	for first := true; ; first = false {
		if p.lit("}") {
			break
		}
		if !first && !p.lit(",") {
			return l, false
		}
		switch {
		case !seenC && p.lit(`"candidates":`):
			seenC = true
			if p.lit("null") {
				continue
			}
			if !p.lit("[") {
				return l, false
			}
			l.Candidates = make([]Candidate, 0, len(s)/64)
			for k := 0; !p.lit("]"); k++ {
				if k > 0 && !p.lit(",") {
					return l, false
				}
				var c Candidate
				if !p.object("groups", &c.Groups, &c.ID) {
					return l, false
				}
				l.Candidates = append(l.Candidates, c)
			}
		case !seenE && p.lit(`"excluded":`):
			seenE = true
			if p.lit("null") {
				continue
			}
			if !p.lit("[") {
				return l, false
			}
			l.Excluded = []Exclusion{}
			for k := 0; !p.lit("]"); k++ {
				if k > 0 && !p.lit(",") {
					return l, false
				}
				var x Exclusion
				if !p.object("reasons", &x.Reasons, &x.ID) {
					return l, false
				}
				l.Excluded = append(l.Excluded, x)
			}
		default:
			return l, false
		}
	}
	return l, p.i == len(s)
}

// lit consumes t if the text continues with it.
func (p *listParser) lit(t string) bool {
	if len(p.s)-p.i >= len(t) && p.s[p.i:p.i+len(t)] == t {
		p.i += len(t)
		return true
	}
	return false
}

// str reads a string without escapes or control characters, valid UTF-8.
func (p *listParser) str() (string, bool) {
	if !p.lit(`"`) {
		return "", false
	}
	start := p.i
	ascii := true
	for ; p.i < len(p.s); p.i++ {
		c := p.s[p.i]
		switch {
		case c == '"':
			v := p.s[start:p.i]
			p.i++
			return v, ascii || utf8.ValidString(v)
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// object reads {"id":...,"<key>":[...]} with its two members in either
// order (either may be missing).
func (p *listParser) object(key string, strs *[]string, id *string) bool {
	if !p.lit("{") {
		return false
	}
	var seenID, seenStrs bool
	for first := true; ; first = false {
		if p.lit("}") {
			return true
		}
		if !first && !p.lit(",") {
			return false
		}
		switch {
		case !seenID && p.lit(`"id":`):
			seenID = true
			v, ok := p.str()
			if !ok {
				return false
			}
			*id = v
		case !seenStrs && p.lit(`"`+key+`":`):
			seenStrs = true
			if !p.strings(strs) {
				return false
			}
		default:
			return false
		}
	}
}

// strings reads null or an array of strings; equal arrays (by their text)
// share one slice of exactly their length.
func (p *listParser) strings(out *[]string) bool {
	if p.lit("null") {
		return true
	}
	start := p.i
	if !p.lit("[") {
		return false
	}
	n := 0
	for ; !p.lit("]"); n++ {
		if n > 0 && !p.lit(",") {
			return false
		}
		if _, ok := p.str(); !ok {
			return false
		}
	}
	text := p.s[start:p.i]
	if shared, ok := p.groups[text]; ok {
		*out = shared
		return true
	}
	xs := make([]string, n)
	q := listParser{s: text, i: 1} // read again, now known to parse
	for k := range xs {
		if k > 0 {
			q.lit(",")
		}
		xs[k], _ = q.str()
	}
	p.groups[text] = xs
	*out = xs
	return true
}
