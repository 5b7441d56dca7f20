package entity

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// TestImportRenamesReindex: a second import that renames some entities,
// keeps others and adds new ones leaves the bigram index equal to the
// names' fragments (the renamed entities' old entries are gone, new
// entities get theirs), and writes one "entity.import_write" event per
// written entity, in both imports (both engines).
func TestImportRenamesReindex(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		ctx := fx.admin()
		var buf bytes.Buffer
		if err := WriteSample(&buf, FormatCSV, rand.New(rand.NewPCG(21, 22)), 300); err != nil {
			t.Fatal(err)
		}
		if rep, err := fx.s.Import(ctx, bytes.NewReader(buf.Bytes()), "e.csv", ImportOptions{Mode: ModeAllOrNothing}); err != nil || !rep.Committed || rep.Created != 300 {
			t.Fatalf("import: %v %+v", err, rep)
		}
		checkBigramIndex(t, d)
		if _, writes := fx.importAudit(t); writes != 300 {
			t.Fatalf("%d import_write events after the first import, want 300", writes)
		}
		recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		name := -1
		for i, h := range recs[0] {
			if h == "名称" || h == "企业名称" || h == "主体名称" {
				name = i
			}
		}
		if name < 0 {
			t.Fatalf("no name column in %q", recs[0])
		}
		// Rows 1-40 renamed, the rest unchanged, 25 new ones appended.
		for i := 1; i <= 40; i++ {
			recs[i][name] = "许昌市魏都区更名" + string(rune('甲'+i)) + "商贸有限公司"
		}
		var more bytes.Buffer
		if err := WriteSample(&more, FormatCSV, rand.New(rand.NewPCG(23, 24)), 25); err != nil {
			t.Fatal(err)
		}
		extra, err := csv.NewReader(&more).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, extra[1:]...)
		var out bytes.Buffer
		w := csv.NewWriter(&out)
		if err := w.WriteAll(recs); err != nil {
			t.Fatal(err)
		}
		rep, err := fx.s.Import(ctx, bytes.NewReader(out.Bytes()), "e2.csv", ImportOptions{Mode: ModeAllOrNothing})
		if err != nil || !rep.Committed || rep.Updated != 40 || rep.Created != 25 || rep.Unchanged != 260 {
			t.Fatalf("second import: %v %+v", err, rep)
		}
		checkBigramIndex(t, d)
		if _, writes := fx.importAudit(t); writes != 300+65 {
			t.Fatalf("%d import_write events after both imports, want 365", writes)
		}
	})
}
