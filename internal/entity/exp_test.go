package entity

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

func BenchmarkExp(b *testing.B) {
	n := benchRows()
	file := sampleFile(b, FormatCSV)
	fx := newFixture(b, dbtest.New(b, db.SQLite))
	ctx := context.Background()
	if os.Getenv("EXP_FTS") == "1" {
		fx.s.EnsureSearchIndex(ctx)
	}
	if c := os.Getenv("EXP_CACHE"); c != "" {
		if _, err := fx.d.W(ctx).Exec(ctx, "PRAGMA cache_size = "+c); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	rep, err := fx.s.Import(fx.admin(), bytes.NewReader(file), "x.csv", ImportOptions{})
	if err != nil || rep.Created != n {
		b.Fatal(err, rep)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
}
