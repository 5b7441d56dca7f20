package importkit

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"yingshang/internal/yserr"
)

func wantErr(t *testing.T, err error, code yserr.Code, zh string) {
	t.Helper()
	e := yserr.As(err)
	if err == nil || e.Code != code || !strings.Contains(e.ZH, zh) || e.EN == "" || len(e.Fields) == 0 || e.Fields[0].Field != "file" {
		t.Fatalf("want %s error containing %q on file, got %v (%+v)", code, zh, err, e)
	}
}

func TestZipBombRefusedBeforeInflating(t *testing.T) {
	bomb := zipBomb(t, 1<<30)
	if len(bomb) > 2<<20 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Open(bytes.NewReader(bomb), Options{})
	spent := time.Since(start)
	runtime.ReadMemStats(&after)
	wantErr(t, err, yserr.TooLarge, "压缩炸弹")
	if spent > 2*time.Second {
		t.Errorf("refusing took %v", spent)
	}
	// Nothing was inflated: the allocations are the file and the directory.
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("refusing allocated %d bytes", got)
	}
	// A smaller bomb under the total limit is caught by its ratio.
	small := zipBomb(t, 64<<20)
	_, err = Open(bytes.NewReader(small), Options{})
	wantErr(t, err, yserr.TooLarge, "压缩比")
	// With the ratio check off, excelize's own limit still refuses it.
	_, err = Open(bytes.NewReader(small), Options{Limits: Limits{Ratio: -1, Uncompressed: 32 << 20}})
	wantErr(t, err, yserr.TooLarge, "解压后超过 32 MiB")
}

func TestZipBombIsReal(t *testing.T) {
	// The generator's stream inflates to what it declares (checked on a
	// small bomb: inflating 1 GiB would slow the tests).
	b := zipBomb(t, 32<<20)
	if got := inflated(t, b); got < 32<<20 {
		t.Fatalf("inflates to %d", got)
	}
}

func TestZipLimits(t *testing.T) {
	wb := workbook(t, false, []string{"Sheet1"}, map[string][][]any{"Sheet1": {{"a", "b"}, {1, 2}}})
	_, err := Open(bytes.NewReader(wb), Options{Limits: Limits{Entries: 3}})
	wantErr(t, err, yserr.TooLarge, "部件")
	_, err = Open(bytes.NewReader(wb), Options{Limits: Limits{Bytes: 1000}})
	wantErr(t, err, yserr.TooLarge, "文件超过")
	_, err = Open(bytes.NewReader([]byte("PK\x03\x04garbage")), Options{})
	wantErr(t, err, yserr.Invalid, "文件不是")
	_, err = Open(bytes.NewReader(append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)), Options{})
	wantErr(t, err, yserr.Invalid, ".xls")
	_, err = Open(bytes.NewReader(append([]byte("\x89PNG\r\n\x1a\n\x00"), make([]byte, 100)...)), Options{})
	wantErr(t, err, yserr.Invalid, "文件不是")
}

func TestTooManyRows(t *testing.T) {
	rows := [][]any{{"a"}}
	for i := range 11 {
		rows = append(rows, []any{i})
	}
	wb := workbook(t, false, []string{"Sheet1"}, map[string][][]any{"Sheet1": rows})
	// A workbook's rows are counted before any is parsed.
	_, got, err := readAll(t, wb, Options{Limits: Limits{Rows: 10}})
	wantErr(t, err, yserr.TooLarge, "工作表“Sheet1”有 11 行数据，超过 10 行的上限")
	if len(got) != 0 {
		t.Errorf("read %d rows before refusing", len(got))
	}
	if _, _, err := readAll(t, wb, Options{Limits: Limits{Rows: 11}}); err != nil {
		t.Fatal(err)
	}
	csv := "a\n" + strings.Repeat("1\n", 11)
	_, _, err = readAll(t, []byte(csv), Options{Limits: Limits{Rows: 10}})
	wantErr(t, err, yserr.TooLarge, "CSV 文件超过 10 行数据的上限")
	// Columns, cell length and bytes of a CSV.
	_, _, err = readAll(t, []byte("a,b,c\n"), Options{Limits: Limits{Columns: 2}})
	wantErr(t, err, yserr.TooLarge, "第 1 行有 3 列")
	_, _, err = readAll(t, []byte("a,b\nx,"+strings.Repeat("长", 11)+"\n"), Options{Limits: Limits{CellChars: 10}})
	wantErr(t, err, yserr.TooLarge, "第 2 行第 B 列超过 10 个字符")
	if _, _, err = readAll(t, []byte("a,b\nx,"+strings.Repeat("长", 10)+"\n"), Options{Limits: Limits{CellChars: 10}}); err != nil {
		t.Fatal(err)
	}
	_, _, err = readAll(t, []byte(strings.Repeat("a,b\n", 100_000)), Options{Limits: Limits{Bytes: 100_000}})
	wantErr(t, err, yserr.TooLarge, "文件超过")
}

func TestCSVEncodingsAndDelimiters(t *testing.T) {
	text := "名称,金额\n瑞丰商贸,\"1,280.5\"\n张记,3\n"
	want := [][]string{{"名称", "金额"}, {"瑞丰商贸", "1,280.5"}, {"张记", "3"}}
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(text)
	be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(text)
	tab := "名称\t金额\n瑞丰商贸\t1,280.5\n张记\t3\n"
	semi := "名称;金额\n瑞丰商贸;1,280.5\n张记;3\n"
	le16tab, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(tab)
	gbkSemi, _ := simplifiedchinese.GBK.NewEncoder().String(semi)
	for _, c := range []struct {
		name, file, enc string
		comma           rune
	}{
		{"utf8", text, "utf-8", ','}, {"bom", "\ufeff" + text, "utf-8", ','}, {"gbk", gbk, "gb18030", ','},
		{"utf16le", le, "utf-16le", ','}, {"utf16be", be, "utf-16be", ','}, {"tab", tab, "utf-8", '\t'},
		{"semicolon", semi, "utf-8", ';'}, {"utf16 tab", le16tab, "utf-16le", '\t'}, {"gbk semicolon", gbkSemi, "gb18030", ';'},
		{"quoted comma in header", "\"a,b\"\tc\nx\ty\n", "utf-8", '\t'},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, rows, err := readAll(t, []byte(c.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Encoding() != c.enc || r.Delimiter() != c.comma || r.Format() != FormatCSV {
				t.Errorf("detected %s %q %s", r.Encoding(), r.Delimiter(), r.Format())
			}
			if c.name != "quoted comma in header" && fmt.Sprint(rows) != fmt.Sprint(want) {
				t.Errorf("rows %q", rows)
			}
		})
	}
	// A formula quoted on export comes back as written.
	_, rows, _ := readAll(t, []byte("a\n'=1+2\n'x\n"), Options{})
	if rows[1][0] != "=1+2" || rows[2][0] != "'x" {
		t.Errorf("formula quoting: %q", rows)
	}
}

func TestDate1904Workbook(t *testing.T) {
	when := time.Date(2019, 3, 15, 0, 0, 0, 0, time.UTC)
	for _, is1904 := range []bool{false, true} {
		wb := workbook(t, is1904, []string{"Sheet1"}, map[string][][]any{"Sheet1": {{"日期"}, {when}}})
		r, rows, err := readAll(t, wb, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Date1904() != is1904 {
			t.Fatalf("date1904 flag read as %v", r.Date1904())
		}
		serial := map[bool]string{false: "43539", true: "42077"}[is1904]
		if rows[1][0] != serial {
			t.Errorf("1904=%v: raw cell %q, want serial %s", is1904, rows[1][0], serial)
		}
		if d, ok := Date(rows[1][0], r.Date1904()); d != "2019-03-15" || !ok {
			t.Errorf("1904=%v: %q", is1904, d)
		}
	}
}

func TestSheetChoiceAndProgress(t *testing.T) {
	rows := [][]any{{"a"}}
	for i := range 2500 {
		rows = append(rows, []any{i})
	}
	wb := workbook(t, false, []string{"汇总", "明细"}, map[string][][]any{"汇总": {{"x"}}, "明细": rows})
	r, err := Open(bytes.NewReader(wb), Options{Sheets: []string{"不存在", "明细"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Sheet() != "明细" {
		t.Fatalf("sheet %q", r.Sheet())
	}
	if p := r.Progress(); p.Total != 2500 || p.Rows != 0 {
		t.Errorf("progress before reading: %+v", p)
	}
	for range 1001 {
		r.Next()
	}
	if p := r.Progress(); p.Rows != 1000 || p.Total != 2500 || p.Percent() != 40 {
		t.Errorf("progress: %+v %d%%", p, p.Percent())
	}
	// A CSV estimates its total from the bytes read.
	csv := []byte("a\n" + strings.Repeat("12345\n", 100_000))
	c, err := Open(bytes.NewReader(csv), Options{Size: int64(len(csv))})
	if err != nil {
		t.Fatal(err)
	}
	for range 50_001 {
		c.Next()
	}
	if p := c.Progress(); p.Rows != 50_000 || p.Total < 50_000 || p.Total > 120_000 {
		t.Errorf("csv progress: %+v", p)
	}
	wb1 := workbook(t, false, []string{"Sheet1", "Sheet2"}, nil)
	if r, _ := Open(bytes.NewReader(wb1), Options{Sheets: []string{"x"}}); r.Sheet() != "Sheet1" {
		t.Errorf("default sheet %q", r.Sheet())
	}
}
