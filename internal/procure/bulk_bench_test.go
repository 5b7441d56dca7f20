package procure

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/entity"
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
	d := dbtest.New(b, db.SQLite)
	ctx := context.Background()
	var depts [40]int64
	var ents [20]int64
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	err := d.WithTx(ctx, func(ctx context.Context) error {
		q := d.Q(ctx)
		for i := range depts {
			if err := q.QueryRow(ctx, "INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ($1, $2, 'bureau', $3, $3) RETURNING id",
				fmt.Sprintf("B-%02d", i), fmt.Sprintf("单位%d", i), at).Scan(&depts[i]); err != nil {
				return err
			}
		}
		for i := range ents {
			if err := q.QueryRow(ctx, "INSERT INTO entities (uscc, name, size_class, created_at, updated_at) VALUES ($1, $2, 'small', $3, $3) RETURNING id",
				fmt.Sprintf("91411002MA%08d", i), fmt.Sprintf("许昌供应商%d有限公司", i), at).Scan(&ents[i]); err != nil {
				return err
			}
		}
		for i := range n {
			var pid int64
			if err := q.QueryRow(ctx, `INSERT INTO procure_projects (code, department_id, title, method, kind, category_code, budget_fen, set_aside, eval_method,
				deduction_pct, status, award_on, award_fen, created_at) VALUES ($1, $2, $3, 'inquiry', 'goods', 'A02010104', 50000000, 'full', 'lowest_price', 0, 'awarded', '2026-11-20', 47000000, $4) RETURNING id`,
				fmt.Sprintf("XC-2026-%06d", i), depts[i%len(depts)], fmt.Sprintf("办公设备采购%d", i), at).Scan(&pid); err != nil {
				return err
			}
			var win int64
			for k := range 3 {
				var bid int64
				if err := q.QueryRow(ctx, `INSERT INTO procure_bids (project_id, entity_id, credit_result, size_declared, size_registry, price_fen, evaluated_fen, rank, created_at)
					VALUES ($1, $2, 'pass', 'small', 'small', $3, $3, $4, $5) RETURNING id`, pid, ents[(i+k)%len(ents)], 47000000+k*100000, k+1, at).Scan(&bid); err != nil {
					return err
				}
				if k == 0 {
					win = bid
				}
			}
			acc, paid := "", ""
			if i%2 == 0 {
				acc, paid = "2026-12-20", "2026-12-28"
			}
			if _, err := q.Exec(ctx, "UPDATE procure_projects SET winner_bid_id = $1 WHERE id = $2", win, pid); err != nil {
				return err
			}
			if _, err := q.Exec(ctx, `INSERT INTO procure_contracts (project_id, department_id, entity_id, budget_fen, amount_fen, sme, small_micro, due_on, signed_on, published_on, accepted_on, paid_on, paid_fen, created_at)
				VALUES ($1, $2, $3, 50000000, 47000000, TRUE, TRUE, '2026-12-20', '2026-11-25', '2026-11-26', $4, $5, 47000000, $6)`, pid, depts[i%len(depts)], ents[i%len(ents)], acc, paid, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, t := range []string{"procure_projects", "procure_bids", "procure_contracts"} {
		if err := d.RefreshStats(ctx, t); err != nil {
			b.Fatal(err)
		}
	}
	s := &Service{DB: d, Accounts: &account.Service{DB: d}, Entities: &entity.Service{DB: d}, Clock: clock.Real{}}
	scan := func() int {
		k := 0
		for _, x := range []struct {
			sql  string
			cols int
		}{{"SELECT " + projectCols + " FROM procure_projects ORDER BY id", 25}, {"SELECT " + bidCols + " FROM procure_bids ORDER BY project_id, id", 16},
			{"SELECT " + contractCols + " FROM procure_contracts c JOIN procure_projects p ON p.id = c.project_id ORDER BY c.project_id, c.id", 21}} {
			rows, err := d.Q(ctx).Query(ctx, x.sql)
			if err != nil {
				b.Fatal(err)
			}
			dest := make([]any, x.cols)
			for i := range dest {
				dest[i] = new(any)
			}
			for rows.Next() {
				if err := rows.Scan(dest...); err != nil {
					b.Fatal(err)
				}
				k++
			}
			rows.Close()
		}
		return k
	}
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
