package entity

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/ident"
	"yingshang/internal/importkit"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

var header = []any{"统一社会信用代码", "名称", "类型", "法定代表人", "法定代表人身份证号", "住所", "行政区划代码", "行业代码",
	"从业人员", "营业收入(万元)", "资产总额(万元)", "企业规模", "成立日期", "登记状态", "联系电话", "标签"}

func codes(t testing.TB) []string {
	return []string{uscc(t, "91411002MA44XJ5T2"), uscc(t, "92411002MA44XJ5T2"), uscc(t, "93411081MA44XJ5T2"), uscc(t, "91411082MA44XJ5T2")}
}

func goodRows(t testing.TB) [][]any {
	c := codes(t)
	return [][]any{
		header,
		{c[0], "许昌市魏都区瑞丰商贸有限公司", "有限责任公司", "张伟", idcard(1), "许昌市魏都区许继大道1688号", "411002", "5132", 35, "1,280.5", nil, "", "2019-03-15", "存续", "13812345678", "专精特新，规上企业"},
		{c[1], "魏都区张记餐馆", "个体工商户", "张强", idcard(2), "", "", "6210", "3", "40", "", "", "2020/1/2", "在业", "0374-1234567", ""},
		{c[2], "禹州市嘉禾种植专业合作社", "农民专业合作社", "李娜", "", "", "411081", "0141", nil, 600, nil, "中型", 43539, "", "", ""},
		{c[3], "长葛市恒达物流有限公司", "", "", "", "", "", "", nil, nil, nil, nil, "2018年7月9日", "注销", "", "外贸"},
	}
}

func TestImportXLSXGood(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		file := xlsxFile(t, []string{"Sheet1"}, map[string][][]any{"Sheet1": goodRows(t)})
		rep, err := fx.s.Import(fx.staffA(), bytes.NewReader(file), "台账.xlsx", ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Total != 4 || rep.Created != 4 || rep.Bad != 0 || !rep.Committed || rep.ImportID == 0 {
			t.Fatalf("report %+v", rep)
		}
		c := codes(t)
		e, err := fx.s.GetByUSCC(fx.staffA(), c[0])
		if err != nil {
			t.Fatal(err)
		}
		if *e.RevenueWan != 1280.5 || *e.Employees != 35 || e.SizeClass != refdata.SizeSmall || e.DepartmentID != fx.deptA ||
			e.LegalRepID != idcard(1) || strings.Join(e.Tags, ",") != "专精特新,规上企业" {
			t.Errorf("row 2: %+v", e)
		}
		e, _ = fx.s.GetByUSCC(fx.staffA(), c[1])
		if e.FoundedOn != "2020-01-02" || e.Status != StatusOperating || e.Phone != "0374-1234567" || e.RegionCode != "411002" || e.SizeClass != refdata.SizeMicro {
			t.Errorf("row 3: %+v", e)
		}
		e, _ = fx.s.GetByUSCC(fx.staffA(), c[2])
		if e.FoundedOn != "2019-03-15" || e.SizeClass != refdata.SizeMedium || e.SizeSource != SizeComputed {
			t.Errorf("row 4 (Excel serial date 43539, size 中型 equal to the computed one): %+v", e)
		}
		e, _ = fx.s.GetByUSCC(fx.staffA(), c[3])
		if e.FoundedOn != "2018-07-09" || e.Status != StatusCancelled || e.RegionCode != "411082" {
			t.Errorf("row 5: %+v", e)
		}
		if got, writes := fx.importAudit(t); got != "entity.import" || writes != fx.count(t, "entities") {
			t.Errorf("audit = %s and %d entity events for %d entities", got, writes, fx.count(t, "entities"))
		}
		run, err := importkit.Get(context.Background(), d, rep.ImportID)
		if err != nil {
			t.Fatal(err)
		}
		if run.Kind != "entity" || run.Mode != ModeAllOrNothing || run.Counts != (importkit.Counts{Total: 4, Created: 4}) ||
			run.Filename != "台账.xlsx" || run.Report == nil || !run.Report.Committed || run.Report.Total != 4 {
			t.Errorf("imports row: %+v", run)
		}

		// Re-import: all unchanged; then one changed row is an update.
		rep, err = fx.s.Import(fx.staffA(), bytes.NewReader(file), "台账.xlsx", ImportOptions{})
		if err != nil || rep.Unchanged != 4 || rep.Created != 0 || rep.Updated != 0 {
			t.Fatalf("re-import: %v %+v", err, rep)
		}
		rows := goodRows(t)
		rows[2][1] = "魏都区张记面馆"
		file2 := xlsxFile(t, []string{"Sheet1"}, map[string][][]any{"Sheet1": rows})
		rep, err = fx.s.Import(fx.staffA(), bytes.NewReader(file2), "台账.xlsx", ImportOptions{})
		if err != nil || rep.Unchanged != 3 || rep.Updated != 1 {
			t.Fatalf("changed re-import: %v %+v", err, rep)
		}
		if e, _ := fx.s.GetByUSCC(fx.admin(), c[1]); e.Name != "魏都区张记面馆" {
			t.Errorf("not updated: %s", e.Name)
		}
		if fx.count(t, "entities") != 4 || fx.count(t, "imports") != 3 {
			t.Errorf("entities %d imports %d", fx.count(t, "entities"), fx.count(t, "imports"))
		}
	})
}

// badRows has a good row 2, and bad rows 3 (check character), 4 (date and
// region), 5 (duplicate of row 2), then a good row 6.
func badRows(t testing.TB) ([][]any, string) {
	c := codes(t)
	wrong := c[1][:17] + "0"
	if wrong == c[1] {
		wrong = c[1][:17] + "1"
	}
	return [][]any{
		header,
		{c[0], "许昌市魏都区瑞丰商贸有限公司"},
		{wrong, "魏都区张记餐馆"},
		{c[2], "禹州市嘉禾种植专业合作社", "", "", "", "", "419999", "", "", "", "", "", "2019-02-30"},
		{c[0], "许昌市魏都区瑞丰商贸有限公司（重复）"},
		{c[3], "长葛市恒达物流有限公司"},
	}, c[1][17:]
}

func TestImportBadRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		rows, _ := badRows(t)
		file := xlsxFile(t, []string{"经营主体"}, map[string][][]any{"经营主体": rows})
		want := []RowError{
			{Row: 3, Column: "统一社会信用代码", Field: FieldUSCC, ZH: "第18位校验码不对，请核对", EN: "character 18 (the check character) does not match the rest: please check the code"},
			{Row: 4, Column: "行政区划代码", Field: FieldRegion},
			{Row: 4, Column: "成立日期", Field: FieldFoundedOn},
			{Row: 5, Column: "统一社会信用代码", Field: FieldUSCC, ZH: "与第 2 行的统一社会信用代码重复", EN: "duplicate of row 2"},
		}
		checkReport := func(t *testing.T, rep *ImportReport) {
			t.Helper()
			if rep.Total != 5 || rep.Bad != 3 || rep.Errors != 4 || len(rep.Rows) != 4 {
				t.Fatalf("report %+v", rep)
			}
			for i, w := range want {
				g := rep.Rows[i]
				if g.Row != w.Row || g.Column != w.Column || g.Field != w.Field || (w.ZH != "" && (g.ZH != w.ZH || g.EN != w.EN)) || g.ZH == "" || g.EN == "" {
					t.Errorf("error %d: got %+v, want %+v", i, g, w)
				}
			}
		}
		// all_or_nothing: nothing written.
		rep, err := fx.s.Import(fx.admin(), bytes.NewReader(file), "bad.xlsx", ImportOptions{Mode: ModeAllOrNothing})
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, rep)
		if rep.Committed || rep.Created != 2 || rep.ImportID != 0 {
			t.Errorf("refused import: %+v", rep)
		}
		if fx.count(t, "entities") != 0 || fx.count(t, "imports") != 0 || fx.count(t, "audit_events") != 0 {
			t.Errorf("refused import wrote something")
		}
		// dry run of valid_only: counts, nothing written.
		rep, err = fx.s.Import(fx.admin(), bytes.NewReader(file), "bad.xlsx", ImportOptions{Mode: ModeValidOnly, DryRun: true})
		if err != nil || rep.Committed || rep.Created != 2 || fx.count(t, "entities") != 0 {
			t.Fatalf("dry run: %v %+v", err, rep)
		}
		checkReport(t, rep)
		// valid_only: the two good rows are written.
		rep, err = fx.s.Import(fx.admin(), bytes.NewReader(file), "bad.xlsx", ImportOptions{Mode: ModeValidOnly})
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, rep)
		if !rep.Committed || rep.Created != 2 || fx.count(t, "entities") != 2 || fx.count(t, "imports") != 1 {
			t.Errorf("valid_only: %+v", rep)
		}
		e, err := fx.s.GetByUSCC(fx.admin(), codes(t)[0])
		if err != nil || e.Name != "许昌市魏都区瑞丰商贸有限公司" {
			t.Errorf("first occurrence wins: %v %+v", err, e)
		}
		if got, writes := fx.importAudit(t); got != "entity.import" || writes != fx.count(t, "entities") {
			t.Errorf("audit = %s and %d entity events for %d entities", got, writes, fx.count(t, "entities"))
		}
	})
}

func TestImportStructureErrors(t *testing.T) {
	fx := newFixture(t, dbtest.New(t, db.SQLite))
	rows := goodRows(t)
	withoutName := make([][]any, len(rows))
	unknown := make([][]any, len(rows))
	for i, r := range rows {
		withoutName[i] = append([]any{r[0]}, r[2:]...)
		unknown[i] = append(append([]any{}, r...), "x")
	}
	unknown[0][len(unknown[0])-1] = "备注"
	dup := [][]any{{"统一社会信用代码", "名称", "uscc"}}
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 100)...)
	for _, tc := range []struct {
		name, filename string
		file           []byte
		field, zh      string
	}{
		{"missing column", "a.xlsx", xlsxFile(t, []string{"经营主体"}, map[string][][]any{"经营主体": withoutName}), "名称", "工作表“经营主体”缺少必需的列“名称”"},
		{"unknown column", "a.xlsx", xlsxFile(t, []string{"Sheet1"}, map[string][][]any{"Sheet1": unknown}), "备注", "无法识别的列 “备注”（第 Q 列）"},
		{"repeated column", "a.xlsx", xlsxFile(t, []string{"Sheet1"}, map[string][][]any{"Sheet1": dup}), "uscc", "重复"},
		{"wrong sheet", "a.xlsx", xlsxFile(t, []string{"汇总", "明细"}, map[string][][]any{
			"汇总": {{"区县", "户数"}, {"魏都区", 12}}, "明细": rows}), "区县", "工作表“汇总”有无法识别的列"},
		{"empty sheet", "a.xlsx", xlsxFile(t, []string{"Sheet1"}, nil), "", "工作表“Sheet1”中没有数据"},
		{"empty csv", "a.csv", nil, "", "CSV 文件中没有数据"},
		{"png", "a.csv", png, "", "文件不是 .xlsx 工作簿或 .csv 表格"},
		// The content decides, not the name: a CSV named .xlsx is read as CSV.
		{"text named xlsx", "a.xlsx", []byte("统一社会信用代码\n"), "名称", "CSV 文件缺少必需的列“名称”"},
		{"broken zip", "a.xlsx", []byte("PK\x03\x04garbage"), "", "文件不是"},
		{"xls", "a.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), "", ".xls"},
		{"bad csv quote", "a.csv", []byte("统一社会信用代码,名称\n\"a\"b\"\",x\n"), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := fx.s.Import(fx.admin(), bytes.NewReader(tc.file), tc.filename, ImportOptions{Mode: ModeValidOnly})
			if tc.name == "bad csv quote" { // LazyQuotes reads it; the row is just bad
				if err != nil || rep.Bad != 1 {
					t.Errorf("%v %+v", err, rep)
				}
				return
			}
			e := yserr.As(err)
			if err == nil || e.Code != yserr.Invalid || !strings.Contains(e.ZH, tc.zh) || e.EN == "" || e.Field != tc.field {
				t.Errorf("got %v (zh %q, field %q)", err, e.ZH, e.Field)
			}
		})
	}
	// Only the readable CSV ("bad csv quote", valid_only) was recorded.
	if fx.count(t, "entities") != 0 || fx.count(t, "imports") != 1 || fx.count(t, "audit_events") != 1 {
		t.Error("a refused file wrote something")
	}
	if _, err := fx.s.Import(supervisor(), bytes.NewReader(nil), "a.csv", ImportOptions{}); !yserr.Is(err, yserr.Forbidden) {
		t.Errorf("supervisor import: %v", err)
	}
	if _, err := fx.s.Import(fx.admin(), bytes.NewReader(nil), "a.csv", ImportOptions{Mode: "some"}); !yserr.Is(err, yserr.Invalid) {
		t.Errorf("bad mode: %v", err)
	}
}

func csvText(rows [][]any) string {
	var b strings.Builder
	for _, r := range rows {
		for i, v := range r {
			if i > 0 {
				b.WriteByte(',')
			}
			s := ""
			if v != nil {
				s = fmt.Sprint(v)
			}
			if strings.ContainsAny(s, ",\"\n") {
				s = `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
			}
			b.WriteString(s)
		}
		b.WriteString("\r\n")
	}
	return b.String()
}

func TestImportCSVEncodings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		rows := goodRows(t)
		rows[0] = []any{"USCC", "Name", "type", "legal_rep_name", "legal_rep_id", "address", "region_code", "industry_code",
			"employees", "revenue_wan", "assets_wan", "size_class", "founded_on", "status", "phone", "tags"}
		text := csvText(rows)
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := fx.s.Import(fx.admin(), strings.NewReader(gbk), "gbk.csv", ImportOptions{})
		if err != nil || rep.Created != 4 || rep.Bad != 0 {
			t.Fatalf("GBK: %v %+v", err, rep)
		}
		e, _ := fx.s.GetByUSCC(fx.admin(), codes(t)[0])
		if e.Name != "许昌市魏都区瑞丰商贸有限公司" || e.LegalRepName != "张伟" || strings.Join(e.Tags, ",") != "专精特新,规上企业" {
			t.Errorf("GBK decoded as %+v", e)
		}
		utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(text)
		if err != nil {
			t.Fatal(err)
		}
		// The same in UTF-8 with a byte-order mark, UTF-16 and tab-separated: unchanged.
		for name, f := range map[string]string{
			"utf16": utf16,
			"bom":   "\ufeff" + text,
			"tab":   strings.ReplaceAll(strings.ReplaceAll(text, "\"1,280.5\"", "1280.5"), ",", "\t"),
		} {
			rep, err = fx.s.Import(fx.admin(), strings.NewReader(f), name+".csv", ImportOptions{})
			if err != nil || rep.Unchanged != 4 {
				t.Errorf("%s: %v %+v", name, err, rep)
			}
		}
	})
}

func TestImportDepartmentScope(t *testing.T) {
	fx := newFixture(t, dbtest.New(t, db.SQLite))
	file := []byte(csvText(goodRows(t)))
	if rep, err := fx.s.Import(fx.staffA(), bytes.NewReader(file), "a.csv", ImportOptions{}); err != nil || rep.Created != 4 {
		t.Fatal(err, rep)
	}
	rows := goodRows(t)
	rows[1][1] = "改名"
	rep, err := fx.s.Import(fx.staffB(), strings.NewReader(csvText(rows)), "b.csv", ImportOptions{Mode: ModeValidOnly})
	if err != nil {
		t.Fatal(err)
	}
	// Unchanged rows need no write; the changed one is refused.
	if rep.Bad != 1 || rep.Unchanged != 3 || rep.Rows[0].Row != 2 || !strings.Contains(rep.Rows[0].ZH, "其他部门") {
		t.Errorf("report %+v", rep)
	}
}

// failingReader returns the data, then an error after n bytes.
type failingReader struct {
	r io.Reader
	n int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

func TestImportRollsBackOnFailure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		var b bytes.Buffer
		if err := WriteSample(&b, FormatCSV, rand.New(rand.NewPCG(3, 3)), 1600); err != nil {
			t.Fatal(err)
		}
		// The read fails after about 1300 rows, i.e. after two batches were written.
		cut := b.Len() * 13 / 16
		_, err := fx.s.Import(fx.admin(), &failingReader{r: bytes.NewReader(b.Bytes()), n: cut}, "big.csv", ImportOptions{})
		if err == nil {
			t.Fatal("import of a broken stream succeeded")
		}
		if fx.count(t, "entities") != 0 || fx.count(t, "imports") != 0 || fx.count(t, "audit_events") != 0 {
			t.Errorf("partial import left rows: %d entities", fx.count(t, "entities"))
		}
		// Cancelling the context mid-import has the same effect.
		ctx, cancel := context.WithCancel(fx.admin())
		_, err = fx.s.Import(ctx, &cancelAfter{r: bytes.NewReader(b.Bytes()), n: cut, cancel: cancel}, "big.csv", ImportOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled import: %v", err)
		}
		if fx.count(t, "entities") != 0 {
			t.Errorf("cancelled import left %d entities", fx.count(t, "entities"))
		}
		// The whole file imports.
		rep, err := fx.s.Import(fx.admin(), bytes.NewReader(b.Bytes()), "big.csv", ImportOptions{})
		if err != nil || rep.Created != 1600 || fx.count(t, "entities") != 1600 {
			t.Fatalf("full import: %v %+v", err, rep)
		}
	})
}

type cancelAfter struct {
	r      io.Reader
	n      int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
	}
	n, err := c.r.Read(p)
	c.n -= n
	return n, err
}

func TestMaskedReimportKeepsValues(t *testing.T) {
	fx := newFixture(t, dbtest.New(t, db.SQLite))
	if _, err := fx.s.Import(fx.staffA(), strings.NewReader(csvText(goodRows(t))), "a.csv", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	rows := goodRows(t)
	rows[1][4] = ident.MaskIDCard(idcard(1))
	rows[1][14] = "138****5678"
	rows[2][4] = "411002********1234" // not the stored mask
	rep, err := fx.s.Import(fx.admin(), strings.NewReader(csvText(rows)), "a.csv", ImportOptions{Mode: ModeValidOnly})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unchanged != 3 || rep.Bad != 1 || rep.Rows[0].Row != 3 || rep.Rows[0].Column != "法定代表人身份证号" {
		t.Errorf("report %+v", rep)
	}
}

// TestImportAnalyze: an import that writes at least AnalyzeAfter rows
// vacuums and analyses the entity tables on PostgreSQL when it commits; a
// smaller one, a dry run and SQLite leave them alone.
func TestImportAnalyze(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		ctx := context.Background()
		analyzed := func() bool {
			if d.Dialect != db.Postgres {
				return false
			}
			var n int
			if err := d.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM pg_stat_user_tables
				WHERE relname IN ('entities', 'entity_name_bigrams') AND last_analyze IS NOT NULL AND last_vacuum IS NOT NULL`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n == 2
		}
		file := xlsxFile(t, []string{"Sheet1"}, map[string][][]any{"Sheet1": goodRows(t)})
		fx.s.AnalyzeAfter = 5 // the file has 4 rows
		if _, err := fx.s.Import(fx.staffA(), bytes.NewReader(file), "台账.xlsx", ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if analyzed() {
			t.Fatal("an import of 4 rows below a threshold of 5 analysed the tables")
		}
		// The same rows again, changed: 4 updates reach a threshold of 4,
		// but a dry run writes nothing.
		fx.s.AnalyzeAfter = 4
		rows := goodRows(t)
		for _, r := range rows[1:] {
			r[5] = "许昌市建安区新址路8号"
		}
		file = xlsxFile(t, []string{"Sheet1"}, map[string][][]any{"Sheet1": rows})
		rep, err := fx.s.Import(fx.staffA(), bytes.NewReader(file), "台账.xlsx", ImportOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Updated != 4 || rep.Committed {
			t.Fatalf("dry run: report %+v, want 4 updated, not committed", rep)
		}
		if analyzed() {
			t.Fatal("a dry run analysed the tables")
		}
		// An all-or-nothing import refused for a bad row writes nothing.
		bad := append(slices.Clone(rows), []any{"91411002MA44XJ5T2X", "坏行", "", "", "", "", "", "", nil, nil, nil, nil, "", "", "", ""})
		rep, err = fx.s.Import(fx.staffA(), bytes.NewReader(xlsxFile(t, []string{"Sheet1"}, map[string][][]any{"Sheet1": bad})), "台账.xlsx", ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Committed || rep.Bad != 1 || rep.Updated != 4 {
			t.Fatalf("refused import: report %+v, want 4 updated and 1 bad, not committed", rep)
		}
		if analyzed() {
			t.Fatal("a refused import analysed the tables")
		}
		rep, err = fx.s.Import(fx.staffA(), bytes.NewReader(file), "台账.xlsx", ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Updated != 4 {
			t.Fatalf("report %+v, want 4 updated", rep)
		}
		if got, want := analyzed(), d.Dialect == db.Postgres; got != want {
			t.Errorf("after an import of 4 rows at a threshold of 4 on %s: analysed %v, want %v", d.Dialect, got, want)
		}
	})
}
