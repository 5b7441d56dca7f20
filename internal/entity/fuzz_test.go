package entity

import (
	"bytes"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/yserr"
)

// FuzzImportXLSX feeds mutated workbooks to Import as .xlsx files, with
// the same guarantees as FuzzImportCSV: no panic, nothing written by a
// failed or refused import, counts that add up.
func FuzzImportXLSX(f *testing.F) {
	fx := newFixture(f, dbtest.New(f, db.SQLite))
	rows, _ := badRows(f)
	f.Add(xlsxFile(f, []string{SheetName}, map[string][][]any{SheetName: goodRows(f)}), true)
	f.Add(xlsxFile(f, []string{SheetName}, map[string][][]any{SheetName: rows}), false)
	f.Add(xlsxFile(f, []string{"Sheet1", SheetName}, map[string][][]any{"Sheet1": {{"x"}}, SheetName: goodRows(f)}), false)
	var tmpl bytes.Buffer
	if err := fx.s.Template(&tmpl); err != nil {
		f.Fatal(err)
	}
	f.Add(tmpl.Bytes(), true)
	f.Fuzz(func(t *testing.T, data []byte, validOnly bool) {
		fuzzImport(t, fx, data, "fuzz.xlsx", validOnly)
	})
}

// FuzzImportCSV feeds arbitrary bytes to Import as a CSV file. It must
// never panic; an import that fails or is refused must write nothing; a
// report's counts must add up.
func FuzzImportCSV(f *testing.F) {
	fx := newFixture(f, dbtest.New(f, db.SQLite))
	good := csvText(goodRows(f))
	rows, _ := badRows(f)
	f.Add([]byte(good), true)
	f.Add([]byte(csvText(rows)), false)
	f.Add([]byte("\ufeff统一社会信用代码,名称\n91411002MA44XJ5T22,瑞丰\n"), true)
	f.Add([]byte("uscc\tname\n91411002MA44XJ5T22\t瑞丰\n"), false)
	f.Add([]byte("统一社会信用代码,名称,成立日期,从业人员\n91411002MA44XJ5T22,瑞丰,43539,\"1,200\"\n"), true)
	f.Add([]byte("名称\n瑞丰\n"), false)
	f.Add([]byte("\"unterminated"), false)
	f.Fuzz(func(t *testing.T, data []byte, validOnly bool) {
		fuzzImport(t, fx, data, "fuzz.csv", validOnly)
	})
}

func fuzzImport(t *testing.T, fx *fixture, data []byte, name string, validOnly bool) {
	opts := ImportOptions{Mode: ModeAllOrNothing}
	if validOnly {
		opts.Mode = ModeValidOnly
	}
	entities, imports := fx.count(t, "entities"), fx.count(t, "imports")
	rep, err := fx.s.Import(fx.admin(), bytes.NewReader(data), name, opts)
	if err != nil {
		if yserr.CodeOf(err) == yserr.Internal {
			t.Fatalf("internal error: %v", err)
		}
		if fx.count(t, "entities") != entities || fx.count(t, "imports") != imports {
			t.Fatal("a failed import wrote rows")
		}
		return
	}
	if rep.Created+rep.Updated+rep.Unchanged+rep.Bad != rep.Total {
		t.Fatalf("counts do not add up: %+v", rep)
	}
	if len(rep.Rows) > MaxRowErrors || rep.Errors < rep.Bad {
		t.Fatalf("row errors: %+v", rep)
	}
	grew := fx.count(t, "entities") - entities
	switch {
	case !rep.Committed && (grew != 0 || fx.count(t, "imports") != imports):
		t.Fatal("an uncommitted import wrote rows")
	case rep.Committed && grew != rep.Created:
		t.Fatalf("committed %d created rows, table grew by %d", rep.Created, grew)
	case opts.Mode == ModeAllOrNothing && rep.Bad > 0 && rep.Committed:
		t.Fatal("all_or_nothing committed bad rows")
	}
}
