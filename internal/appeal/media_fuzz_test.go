package appeal

import "testing"

// FuzzVideoCodecs: the box walker never panics, never loops and never
// reads beyond its input, whatever the bytes (corpus in testdata/fuzz).
func FuzzVideoCodecs(f *testing.F) {
	f.Add([]byte("\x00\x00\x00\x10ftypisom\x00\x00\x02\x00"))
	f.Add([]byte("\x00\x00\x00\x08moov"))
	f.Add([]byte("\x00\x00\x00\x01moov\x00\x00\x00\x00\x00\x00\x00\x10"))
	f.Add([]byte("\x00\x00\x00\x18stsd\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x08avc1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		codecs, err := VideoCodecs(data)
		if err != nil && codecs != nil {
			t.Fatalf("codecs with an error: %v", codecs)
		}
	})
}
