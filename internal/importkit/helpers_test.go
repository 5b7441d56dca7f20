package importkit

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/importkit/kittest"
)

// workbook writes an .xlsx with one sheet per name and the rows given.
func workbook(t testing.TB, date1904 bool, sheets []string, data map[string][][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if date1904 {
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
			t.Fatal(err)
		}
	}
	for i, name := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range data[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipBomb is kittest.ZipBomb, failing the test on an error.
func zipBomb(t testing.TB, inflate int64) []byte {
	t.Helper()
	b, err := kittest.ZipBomb(inflate)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// inflated reads every entry of a zip and returns the total size.
func inflated(t testing.TB, b []byte) int64 {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		total += n
		rc.Close()
	}
	return total
}

// readAll opens a file and reads every row.
func readAll(t testing.TB, b []byte, opts Options) (*Reader, [][]string, error) {
	t.Helper()
	r, err := Open(bytes.NewReader(b), opts)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var rows [][]string
	for {
		_, cells, err := r.Next()
		if err == io.EOF {
			return r, rows, nil
		}
		if err != nil {
			return r, rows, err
		}
		rows = append(rows, append([]string(nil), cells...))
	}
}
