package importkit

import (
	"bytes"
	"runtime"
	"testing"

	"yingshang/internal/yserr"
)

// BenchmarkRefuseZipBomb opens a 1 MiB workbook that inflates to 1 GiB.
// alloc_MiB/op is everything allocated per refusal, an upper bound of
// the heap it needs.
func BenchmarkRefuseZipBomb(b *testing.B) {
	bomb := zipBomb(b, 1<<30)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Open(bytes.NewReader(bomb), Options{}); !yserr.Is(err, yserr.TooLarge) {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "alloc_MiB/op")
	b.ReportMetric(float64(len(bomb))/(1<<20), "file_MiB")
}
