package filestore_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"yingshang/internal/db/dbtest"
	"yingshang/internal/filestore"
)

// BenchmarkPutGet stores and reads back a 10 MiB file (distinct content
// each time, so nothing is deduplicated), plain and encrypted, on both
// engines.
func BenchmarkPutGet(b *testing.B) {
	for _, e := range dbtest.Engines {
		for _, enc := range []bool{false, true} {
			name := string(e) + "/plain"
			if enc {
				name = string(e) + "/encrypted"
			}
			b.Run(name, func(b *testing.B) {
				d := dbtest.New(b, e)
				s := newStore(b, d)
				data := make([]byte, 10<<20)
				copy(data, "%PDF-1.7\n")
				rnd := rand.NewChaCha8([32]byte{})
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					rnd.Read(data[9:])
					f, err := s.Put(ctx, "bench", "a.pdf", "", bytes.NewReader(data), filestore.Options{MaxBytes: 20 << 20, Encrypt: enc})
					if err != nil {
						b.Fatal(err)
					}
					if _, got, err := s.Get(ctx, "bench", f.ID); err != nil || len(got) != len(data) {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
