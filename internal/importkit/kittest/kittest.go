// Package kittest makes hostile spreadsheets for the tests and
// benchmarks of importers (it is imported by tests only).
package kittest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"

	"github.com/xuri/excelize/v2"
)

// ZipBomb returns a valid workbook whose first worksheet is a well-formed
// XML document padded with about inflate bytes of white space inside
// <sheetData> (1 GiB for inflate = 1<<30: about 1 MiB compressed, a ratio
// near deflate's maximum of 1032). It is made without compressing that
// much: once the deflate window holds only spaces, compressing one more
// chunk and flushing gives the same bytes every time, so the stream
// repeats that piece.
func ZipBomb(inflate int64) ([]byte, error) {
	const chunk = 8 << 20
	base, err := oneCell()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		return nil, err
	}
	head := []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	tail := []byte(`</sheetData></worksheet>`)
	spaces := bytes.Repeat([]byte{' '}, chunk)
	n := max(inflate/chunk, 1)

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
		return nil, errors.New("deflate output does not repeat")
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
		if f.Name != "xl/worksheets/sheet1.xml" {
			if err := zw.Copy(f); err != nil {
				return nil, err
			}
			continue
		}
		fw, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, CRC32: crc.Sum32(),
			CompressedSize64: uint64(stream.Len()), UncompressedSize64: size})
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write(stream.Bytes()); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// oneCell is a workbook with "a" in Sheet1!A1.
func oneCell() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetCellStr("Sheet1", "A1", "a"); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err := f.Write(&b)
	return b.Bytes(), err
}
