package entity

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/importkit"
	"yingshang/internal/importkit/kittest"
)

// Benchmarks. The number of rows is YINGSHANG_BENCH_ROWS (default 10000);
// the platform's reference run uses 1000000:
//
//	YINGSHANG_BENCH_ROWS=1000000 go test ./internal/entity -run '^$' -bench . -benchtime 1x -timeout 2h

func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("YINGSHANG_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 10000
}

var samples sync.Map // format -> []byte

// sampleFile returns benchRows() synthetic rows as an import file, made
// once per process.
func sampleFile(b *testing.B, format string) []byte {
	if v, ok := samples.Load(format); ok {
		return v.([]byte)
	}
	var buf bytes.Buffer
	if err := WriteSample(&buf, format, rand.New(rand.NewPCG(2026, 1)), benchRows()); err != nil {
		b.Fatal(err)
	}
	samples.Store(format, buf.Bytes())
	return buf.Bytes()
}

func BenchmarkImportXLSX(b *testing.B) { benchImport(b, FormatXLSX) }
func BenchmarkImportCSV(b *testing.B)  { benchImport(b, FormatCSV) }

// benchImport imports the sample into a fresh database per iteration, with
// the name search index in place as in production, and reports rows/s.
func benchImport(b *testing.B, format string) {
	n := benchRows()
	file := sampleFile(b, format)
	for _, e := range dbtest.Engines {
		b.Run(string(e), func(b *testing.B) {
			var spent time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				fx := newFixture(b, dbtest.New(b, e))
				if _, err := fx.s.EnsureSearchIndex(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				rep, err := fx.s.Import(fx.admin(), bytes.NewReader(file), "bench."+format, ImportOptions{})
				spent += time.Since(start)
				if err != nil || rep.Created != n {
					b.Fatalf("import: %v %+v", err, rep)
				}
			}
			b.ReportMetric(float64(n*b.N)/spent.Seconds(), "rows/s")
			b.ReportMetric(float64(len(file))/1e6, "file_MB")
		})
	}
}

// loadedFixture returns a database holding the sample, with the name
// search index built, for the search benchmarks. It lives as long as b.
func loadedFixture(b *testing.B, e db.Dialect) *fixture {
	fx := newFixture(b, dbtest.New(b, e))
	if _, err := fx.s.Import(fx.admin(), bytes.NewReader(sampleFile(b, FormatCSV)), "bench.csv", ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	if _, err := fx.s.EnsureSearchIndex(context.Background()); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	analyze := map[db.Dialect]string{db.SQLite: "ANALYZE", db.Postgres: "ANALYZE entities"}[e]
	if _, err := fx.d.W(ctx).Exec(ctx, analyze); err != nil {
		b.Fatal(err)
	}
	return fx
}

func benchSearch(b *testing.B, cases []struct {
	name string
	f    Filter
}, withLike bool) {
	for _, e := range dbtest.Engines {
		b.Run(string(e), func(b *testing.B) {
			fx := loadedFixture(b, e)
			services := map[string]*Service{"index": fx.s}
			if withLike {
				like := &Service{DB: fx.s.DB, Audit: fx.s.Audit, Keys: fx.s.Keys, Clock: fx.s.Clock}
				like.nameIndex = nameLike
				services["like"] = like
			}
			for _, c := range cases {
				for mode, s := range services {
					b.Run(c.name+"/"+mode, func(b *testing.B) {
						var total int64
						for i := 0; i < b.N; i++ {
							var err error
							if _, total, err = s.Search(fx.admin(), c.f); err != nil {
								b.Fatal(err)
							}
						}
						b.ReportMetric(float64(total), "matches")
					})
				}
			}
		})
	}
}

// BenchmarkSearchName searches names by substrings of 2 characters (no
// trigram: a scan either way) and 4 characters (trigram index), with the
// index and with a plain LIKE scan for comparison.
func BenchmarkSearchName(b *testing.B) {
	benchSearch(b, []struct {
		name string
		f    Filter
	}{
		{"2chars", Filter{Q: "瑞丰"}},
		{"4chars", Filter{Q: "瑞丰商贸"}},
		{"6chars", Filter{Q: "魏都区张记"}},
	}, true)
}

// BenchmarkSearchRegionIndustry filters by a city or county and an
// industry section or class, the usual list page.
func BenchmarkSearchRegionIndustry(b *testing.B) {
	benchSearch(b, []struct {
		name string
		f    Filter
	}{
		{"city+section", Filter{Region: "411000", Industry: "F", Status: StatusActive}},
		{"county+class", Filter{Region: "411002", Industry: "6210"}},
		{"province+size", Filter{Region: "410000", Size: "small", Sort: "name"}},
	}, false)
}

// BenchmarkImportZipBomb imports a 1 MiB workbook that inflates to 1 GiB
// and reports the time and the memory allocated until it is refused (an
// upper bound of the heap it needs).
func BenchmarkImportZipBomb(b *testing.B) {
	bomb, err := kittest.ZipBomb(1 << 30)
	if err != nil {
		b.Fatal(err)
	}
	fx := newFixture(b, dbtest.New(b, db.SQLite))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := fx.s.Import(fx.admin(), bytes.NewReader(bomb), "bomb.xlsx", ImportOptions{}); err == nil {
			b.Fatal("the bomb was imported")
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "alloc_MiB/op")
}

// BenchmarkReadSample reads and parses the benchmark sample (header
// mapping, typed cells) without the database: the import kit's share of
// an import.
func BenchmarkReadSample(b *testing.B) {
	for _, format := range []string{FormatCSV, FormatXLSX} {
		b.Run(format, func(b *testing.B) {
			file := sampleFile(b, format)
			for b.Loop() {
				src, err := importkit.Open(bytes.NewReader(file), importkit.Options{Sheets: []string{SheetName}, Limits: importLimits})
				if err != nil {
					b.Fatal(err)
				}
				h, err := readHeader(src)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					_, cells, err := src.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if _, errs := parse(h, cells, src.Date1904()); len(errs) > 0 {
						b.Fatal(errs)
					}
					n++
				}
				src.Close()
				if n != benchRows() {
					b.Fatalf("%d rows", n)
				}
			}
			b.ReportMetric(float64(benchRows()*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
