package importkit

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"yingshang/internal/yserr"
)

// fuzzRead opens data and reads every row: it must never panic, every
// error must be a *yserr.Error naming the file, rows must be numbered
// from 1 without gaps and stay within the limits.
func fuzzRead(t *testing.T, data []byte) {
	l := Limits{Bytes: 1 << 20, Uncompressed: 8 << 20, Rows: 500, Columns: 50, CellChars: 1000}
	r, err := Open(bytes.NewReader(data), Options{Limits: l, Size: int64(len(data))})
	if err != nil {
		checkFuzzErr(t, err)
		return
	}
	defer r.Close()
	cols := []Column{{Key: "a", Header: "甲", Required: true}, {Key: "b", Header: "乙", Aliases: []string{"B"}}}
	if _, err := r.Header(cols, HeaderOptions{IgnoreUnknown: true}); err != nil {
		checkFuzzErr(t, err)
	}
	last := 0
	for {
		n, cells, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			checkFuzzErr(t, err)
			break
		}
		if last != 0 && n != last+1 {
			t.Fatalf("row %d after %d", n, last)
		}
		last = n
		if n > l.Rows+1 || len(cells) > l.Columns {
			t.Fatalf("row %d with %d cells passed the limits", n, len(cells))
		}
		for _, c := range cells {
			Date(c, r.Date1904())
			Amount(c, Wan)
			Int(c)
			YesNo(c)
		}
	}
	if p := r.Progress(); p.Rows > p.Total || p.Percent() > 100 || p.Percent() < 0 {
		t.Fatalf("progress %+v", p)
	}
}

func checkFuzzErr(t *testing.T, err error) {
	var e *yserr.Error
	if !errors.As(err, &e) || e.ZH == "" || e.EN == "" || len(e.Fields) == 0 || e.Fields[0].Field != "file" {
		t.Fatalf("error %v is not a file error", err)
	}
}

// FuzzCSV feeds arbitrary text to the reader as a CSV (or whatever it
// sniffs).
func FuzzCSV(f *testing.F) {
	f.Add([]byte("甲,乙\n1,2\n"))
	f.Add([]byte("\ufeff甲\t乙\n2019-03-15\t1,200\n"))
	f.Add([]byte("\xff\xfe\x32\x75\x2c\x00\x59\x4e\n\x00"))
	f.Add([]byte("\xfe\xff\x75\x32\x00\x2c\x4e\x59\x00\n"))
	f.Add([]byte("\xbc\xd7;\xd2\xd2\n43539;\xca\xc7\n"))
	f.Add([]byte("\"甲\n\"\"\",乙\n\"unterminated"))
	f.Add([]byte("甲\n" + strings.Repeat("x,", 60) + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data) })
}

// FuzzXLSX feeds mutated workbooks to the reader.
func FuzzXLSX(f *testing.F) {
	f.Add(workbook(f, false, []string{"Sheet1"}, map[string][][]any{"Sheet1": {{"甲", "乙"}, {time.Date(2019, 3, 15, 0, 0, 0, 0, time.UTC), "是"}}}))
	f.Add(workbook(f, true, []string{"汇总", "明细"}, map[string][][]any{"汇总": {{"乙"}}, "明细": {{"B"}, {"1,200"}}}))
	// (No zip bomb seed: mutating and minimising a 1 MiB input makes
	// the fuzzer crawl; TestZipBombRefusedBeforeInflating covers it.)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, data) })
}

// FuzzCells feeds arbitrary text to the typed cell readers.
func FuzzCells(f *testing.F) {
	for _, s := range []string{"2019-03-15", "2019年3月5日", "43539.5", "20190230", "1,280.5万元", "￥5,000元", "是", "-0", "1e308", "９９"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, date1904 bool) {
		if d, ok := Date(s, date1904); ok {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				t.Fatalf("Date(%q) = %q", s, d)
			}
		}
		if n, ok := Int(s); ok {
			if f, _ := Float(s); float64(n) != f {
				t.Fatalf("Int(%q) = %d", s, n)
			}
		}
		Amount(s, Yuan)
		YesNo(s)
		HeaderKey(s)
	})
}
