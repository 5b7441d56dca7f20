package procure

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"
)

// countWriter counts the bytes written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// BenchmarkOCDSStream times the complete release package of N awarded
// projects (OCDS_BENCH_N, default 1,000; the same data as
// BenchmarkOCDSExport) three ways in one run, in turns A B C A B C: a plain
// scan of the project, bid and contract rows (the baseline), the paged
// feed (every page built as a ReleasePackage and json.Marshal'd, as the
// HTTP handler does), and the bulk writer's stream (the releases encoded
// one at a time straight to the writer, uncompressed, as the bulk job
// writes them before gzip). It reports both ratios to the scan.
//
//	OCDS_BENCH_N=10000 go test ./internal/procure/ -run '^$' -bench OCDSStream -benchtime 3x
func BenchmarkOCDSStream(b *testing.B) {
	n := 1_000
	if v, err := strconv.Atoi(os.Getenv("OCDS_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	s, scan := ocdsBenchFixture(b, n)
	paged := func() int {
		size := 0
		for after := int64(0); ; {
			pkg, err := s.OCDSReleases(ctx, OCDSPage{After: after, Limit: 100, Base: "https://ys.example.gov.cn"})
			if err != nil {
				b.Fatal(err)
			}
			data, err := json.Marshal(pkg)
			if err != nil {
				b.Fatal(err)
			}
			size += len(data)
			if pkg.Links == nil {
				return size
			}
			u, _ := url.Parse(pkg.Links.Next)
			after, _ = strconv.ParseInt(u.Query().Get("after"), 10, 64)
		}
	}
	bulk := &OCDSBulk{Svc: s, Base: "https://ys.example.gov.cn"}
	var base, page, stream time.Duration
	var pagedSize int
	var streamed countWriter
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if got := scan(); got != 5*n {
			b.Fatalf("scanned %d rows, want %d", got, 5*n)
		}
		t1 := time.Now()
		pagedSize = paged()
		t2 := time.Now()
		streamed = 0
		projects, releases, err := bulk.stream(ctx, &streamed, nil)
		if err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		if projects != n || releases != n*4+n/2+n%2 {
			b.Fatalf("%d projects, %d releases", projects, releases)
		}
		base, page, stream = base+t1.Sub(t0), page+t2.Sub(t1), stream+t3.Sub(t2)
	}
	b.ReportMetric(float64(page)/float64(base), "paged-x-scan")
	b.ReportMetric(float64(stream)/float64(base), "stream-x-scan")
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.Logf("OCDS release package of %d projects: scan %.1f ms; paged %.1f ms (%.1f MB, ratio %.2f); stream %.1f ms (%.1f MB, ratio %.2f)",
		n, ms(base), ms(page), float64(pagedSize)/1e6, float64(page)/float64(base), ms(stream), float64(streamed)/1e6, float64(stream)/float64(base))
}
