package importkit

import (
	"context"
	"strings"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

func TestRunRecordsInTheTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
		var seen []Progress
		run := Start("entity", strings.Repeat("名", 300), ModeValidOnly, 0, now, func(p Progress) { seen = append(seen, p) })
		for i := 1; i <= 2500; i++ {
			run.Advance(Progress{Rows: i, Total: 2500})
		}
		if len(seen) != 4 || seen[0].Rows != 1 || seen[3].Rows != 2500 || run.Progress().Rows != 2500 {
			t.Errorf("progress reports: %+v", seen)
		}
		rep := NewReport()
		rep.Total = 3
		rep.AddBad(RowError{Row: 3, Column: "名称", Field: "name", ZH: "必填", EN: "required"})
		// A rolled-back transaction leaves no record.
		err := d.WithTx(ctx, func(ctx context.Context) error {
			if _, err := run.Finish(ctx, d, Counts{Total: 3, Created: 2, Bad: 1}, &rep); err != nil {
				return err
			}
			return context.Canceled
		})
		if err != context.Canceled {
			t.Fatal(err)
		}
		if _, err := Get(ctx, d, rep.ImportID); !db.IsNoRows(err) {
			t.Fatalf("rolled back run: %v", err)
		}
		err = d.WithTx(ctx, func(ctx context.Context) error {
			_, err := run.Finish(ctx, d, Counts{Total: 3, Created: 1, Updated: 1, Bad: 1}, &rep)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := Get(ctx, d, rep.ImportID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Kind != "entity" || len([]rune(rec.Filename)) != 255 || rec.Mode != ModeValidOnly || rec.By != 0 ||
			rec.Counts != (Counts{Total: 3, Created: 1, Updated: 1, Bad: 1}) || !rec.CreatedAt.Equal(now) {
			t.Errorf("record: %+v", rec)
		}
		if rec.Report == nil || rec.Report.Bad != 1 || len(rec.Report.Rows) != 1 || rec.Report.Rows[0].Column != "名称" {
			t.Errorf("report: %+v", rec.Report)
		}
	})
}
