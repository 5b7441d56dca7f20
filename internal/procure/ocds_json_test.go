package procure_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"yingshang/internal/procure"
)

// ocdsStrings are the strings the random values draw from: the cases
// encoding/json escapes (quotes, backslash, control characters, HTML,
// U+2028/U+2029, invalid UTF-8) and plain Chinese and ASCII text.
var ocdsStrings = []string{"", "a", "许昌市财政局 / Xuchang", `q"b\s`, "<a href='x'>&amp;</a>", "line\nfeed\ttab\r\b\f\x00\x1f\x7f",
	"sep\u2028par\u2029", "bad\xff\xfeutf8", "\xe4\xb8", "ocds-ysxc01-XC-2026-000001", "2026-11-25T00:00:00+08:00", "😀 emoji"}

var ocdsFloats = []float64{0, 1, -1, 470000, 0.01, 123.45, 1e-7, 1.5e-9, 1e21, 2.5e22, -3e-8, 1e20, math.Copysign(0, -1), 0.000001}

// fillRandom sets v (a settable value of an OCDS type) to random content:
// nil, empty and full slices, nil and set pointers.
func fillRandom(r *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(ocdsStrings[r.IntN(len(ocdsStrings))])
	case reflect.Int:
		v.SetInt([]int64{0, 1, 3, -2, 100, 1 << 40}[r.IntN(6)])
	case reflect.Float64:
		v.SetFloat(ocdsFloats[r.IntN(len(ocdsFloats))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Pointer:
		if r.IntN(3) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fillRandom(r, p.Elem())
		v.Set(p)
	case reflect.Slice:
		switch k := r.IntN(5); k {
		case 0:
			return // nil
		default:
			s := reflect.MakeSlice(v.Type(), k-1, k-1)
			for i := range k - 1 {
				fillRandom(r, s.Index(i))
			}
			v.Set(s)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillRandom(r, v.Field(i))
			}
		}
	default:
		panic("fillRandom: " + v.Kind().String())
	}
}

// The hand-written encoder writes what json.Marshal writes, byte for byte,
// for random packages, releases and records (every field empty, nil or
// set; strings json escapes; numbers in both of its formats).
func TestOCDSAppendJSONMatchesMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 2026))
	check := func(what string, v any, got []byte, err error) {
		t.Helper()
		want, werr := json.Marshal(v)
		if (err != nil) != (werr != nil) {
			t.Fatalf("%s: error %v, json.Marshal %v", what, err, werr)
		}
		if werr == nil && !bytes.Equal(got, want) {
			t.Fatalf("%s differs from json.Marshal:\n got %s\nwant %s", what, got, want)
		}
	}
	buf := []byte("prefix")
	for range 3000 {
		var rp procure.ReleasePackage
		fillRandom(r, reflect.ValueOf(&rp).Elem())
		out, err := rp.AppendJSON(buf[:6])
		if string(out[:6]) != "prefix" {
			t.Fatal("AppendJSON overwrote what was in dst")
		}
		check("release package", &rp, out[6:], err)
		var cp procure.RecordPackage
		fillRandom(r, reflect.ValueOf(&cp).Elem())
		out, err = cp.AppendJSON(nil)
		check("record package", &cp, out, err)
		var rel procure.Release
		fillRandom(r, reflect.ValueOf(&rel).Elem())
		out, err = rel.AppendJSON(nil)
		check("release", &rel, out, err)
		var rec procure.Record
		fillRandom(r, reflect.ValueOf(&rec).Elem())
		out, err = rec.AppendJSON(nil)
		check("record", &rec, out, err)
	}
	// A number JSON cannot hold is an error, as with json.Marshal.
	bad := procure.Release{Planning: &procure.Planning{Budget: &procure.Budget{Amount: &procure.Value{Amount: math.NaN()}}}}
	out, err := bad.AppendJSON(nil)
	check("NaN", &bad, out, err)
	bad.Planning.Budget.Amount.Amount = math.Inf(1)
	out, err = bad.AppendJSON(nil)
	check("Inf", &bad, out, err)
}
