package draw

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// checkDecode holds decodeList to json.Unmarshal on text, and reports
// whether the direct parser took it.
func checkDecode(t *testing.T, text string) bool {
	t.Helper()
	var want CandidateList
	werr := json.Unmarshal([]byte(text), &want)
	got, gerr := decodeList(text)
	if (werr == nil) != (gerr == nil) || werr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeList(%.200q) = %+v, %v; json.Unmarshal %+v, %v", text, got, gerr, want, werr)
	}
	_, direct := parseList(text)
	return direct
}

// TestDecodeListSameAsUnmarshal: random lists in both stored forms (the
// canonical JSON and encoding/json's), indented text, unknown and
// repeated keys, escapes and truncations all decode as json.Unmarshal
// decodes them; the plain stored forms take the direct parser.
func TestDecodeListSameAsUnmarshal(t *testing.T) {
	pieces := append(slices.Clone(stringSeeds), "technical", "economic", "r:411002", "c:A", ReasonRelation, "回避", "a]b", `x","y`)
	plain := []string{"technical", "E-00000001", "r:411002", "A", "许昌", ReasonNotActive}
	direct := 0
	for seed := range uint64(80) {
		r := rand.New(rand.NewPCG(seed, 23))
		ps := pieces
		if seed%2 == 0 {
			ps = plain
		}
		l := randomList(r, ps)
		canon, _ := canonicalList(l)
		std, _ := json.Marshal(l)
		indented, _ := json.MarshalIndent(l, "", " ")
		for _, text := range []string{string(canon), string(std), string(indented)} {
			if checkDecode(t, text) {
				direct++
			}
		}
		if seed%2 == 0 && !checkDecode(t, string(canon)) || seed%2 == 0 && !checkDecode(t, string(std)) {
			t.Fatalf("seed %d: a plain stored list was not parsed directly", seed)
		}
		for _, cut := range []int{1, len(canon) / 2, len(canon) - 1} {
			checkDecode(t, string(canon[:cut]))
		}
	}
	for _, text := range []string{`null`, `{}`, `{"candidates":null}`, `{"excluded":[],"candidates":[]}`,
		`{"candidates":[{"id":"a","groups":["x"],"id":"b"}]}`, `{"candidates":[{"ID":"a"}]}`, `{"candidates":[{"id":"a","extra":1}]}`,
		`{"candidates":[],"candidates":[{"id":"a"}]}`, `{"candidates":[{"id":"a\u00e9","groups":[]}]}`, `{"candidates":[{"id":1}]}`,
		`{"candidates":[{"id":"a"}]} `, `{"candidates":[{"id":"\xff"}]}`, `{"candidates":[{"groups":["a"]},{"groups":["a"]}],"excluded":[{"id":"x","reasons":null}]}`} {
		checkDecode(t, text)
	}
	if direct == 0 {
		t.Fatal("the direct parser took no list")
	}
}

func FuzzDecodeList(f *testing.F) {
	f.Add(`{"candidates":[{"groups":["A","r:411002"],"id":"91411002"}],"excluded":[{"id":"x","reasons":["not_active"]}]}`)
	f.Add(`{"candidates":null,"excluded":[]}`)
	f.Fuzz(func(t *testing.T, text string) { checkDecode(t, text) })
}
