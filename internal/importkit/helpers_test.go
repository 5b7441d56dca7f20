package importkit

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"
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

// zipBomb returns a valid workbook whose first worksheet is a well-formed
// XML document padded with inflate bytes of white space inside
// <sheetData> (1 GiB for inflate = 1<<30): about 1 MiB compressed. It is
// made without compressing that much: once the deflate window holds only
// spaces, compressing one more chunk and flushing gives the same bytes
// every time, so the stream repeats that piece.
func zipBomb(t testing.TB, inflate int64) []byte {
	t.Helper()
	const chunk = 8 << 20
	base := workbook(t, false, []string{"Sheet1"}, map[string][][]any{"Sheet1": {{"a"}}})
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	head := []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	tail := []byte(`</sheetData></worksheet>`)
	spaces := bytes.Repeat([]byte{' '}, chunk)
	n := inflate / chunk

	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	piece := func(b []byte) []byte {
		start := out.Len()
		w.Write(b)
		w.Flush()
		return append([]byte(nil), out.Bytes()[start:]...)
	}
	var stream bytes.Buffer
	stream.Write(piece(head))
	stream.Write(piece(spaces))
	repeat := piece(spaces)
	if again := piece(spaces); !bytes.Equal(again, repeat) {
		t.Fatal("deflate output does not repeat")
	}
	for i := int64(1); i < n; i++ {
		stream.Write(repeat)
	}
	start := out.Len()
	w.Write(tail)
	w.Close()
	stream.Write(out.Bytes()[start:])

	crc := crc32.NewIEEE()
	crc.Write(head)
	for i := int64(0); i < n; i++ {
		crc.Write(spaces)
	}
	crc.Write(tail)
	size := uint64(len(head)) + uint64(n)*chunk + uint64(len(tail))

	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			fw, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, CRC32: crc.Sum32(),
				CompressedSize64: uint64(stream.Len()), UncompressedSize64: size})
			if err != nil {
				t.Fatal(err)
			}
			fw.Write(stream.Bytes())
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
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
