package bideval

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func docx(t *testing.T, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>%s</w:body></w:document>`, body)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pdf(plain, flate string) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(flate))
	zw.Close()
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n1 0 obj\n<< /Length " + fmt.Sprint(len(plain)) + " >>\nstream\n" + plain + "\nendstream\nendobj\n")
	b.WriteString("2 0 obj\n<< /Length " + fmt.Sprint(z.Len()) + " /Filter /FlateDecode >>\nstream\n")
	b.Write(z.Bytes())
	b.WriteString("\nendstream\nendobj\n3 0 obj\n<< /Filter /DCTDecode /Length 4 >>\nstream\n(X) Tj\nendstream\nendobj\n%%EOF\n")
	return b.Bytes()
}

func TestExtractText(t *testing.T) {
	txt, err := ExtractText("a.TXT", []byte("\xEF\xBB\xBF技术方案 by 许昌恒达"))
	if err != nil || txt != "技术方案 by 许昌恒达" {
		t.Fatalf("txt: %q %v", txt, err)
	}
	utf16le := []byte{0xFF, 0xFE, 'O', 0, 'K', 0}
	if s, _ := ExtractText("b.txt", utf16le); s != "OK" {
		t.Fatalf("utf16: %q", s)
	}
	d, err := ExtractText("c.docx", docx(t, `<w:p><w:r><w:t>项目经理：</w:t></w:r><w:r><w:t xml:space="preserve">张 伟</w:t></w:r></w:p><w:p><w:r><w:t>施工组织设计</w:t></w:r></w:p>`))
	if err != nil || d != "项目经理：张 伟\n施工组织设计\n" {
		t.Fatalf("docx: %q %v", d, err)
	}
	p, err := ExtractText("d.pdf", pdf("BT /F1 12 Tf 72 700 Td (Plain \\(text\\)) Tj ET",
		"BT /F1 12 Tf [(Bid) -250 (der: ACME) 120 ( Ltd)] TJ ET BT (\\376\\377\\000O\\000K) Tj ET"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Plain (text)", "Bidder: ACME Ltd", "OK"} {
		if !strings.Contains(p, want) {
			t.Fatalf("pdf text %q lacks %q", p, want)
		}
	}
	if strings.Contains(p, "X") {
		t.Fatalf("image stream read as text: %q", p)
	}
	if _, err := ExtractText("e.doc", nil); err != ErrUnsupported {
		t.Fatalf("doc: %v", err)
	}
	if _, err := ExtractText("f.pdf", []byte("not a pdf")); err == nil {
		t.Fatal("garbage accepted as PDF")
	}
}

func TestFindLeaks(t *testing.T) {
	id := Identity{Name: "许昌恒达建设有限公司", USCC: "91411002MA9XK1QR11", People: []string{"张伟", "李"}}
	got := FindLeaks("本项目由许昌恒达 建设负责，项目经理张 伟。代码 91411002ma9xk1qr11", id)
	want := []Leak{{"name", "许昌恒达建设", 1}, {"uscc", "91411002MA9XK1QR11", 1}, {"person", "张伟", 1}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v", got)
	}
	if l := FindLeaks("完全匿名的技术方案", id); len(l) != 0 {
		t.Fatalf("false positive %+v", l)
	}
}

func TestAggregateRulesAndTies(t *testing.T) {
	totals := map[string][]float64{"A": {80, 90, 70, 85, 99}, "B": {85, 85, 85, 85, 40}, "C": {85, 85, 85, 85, 85}}
	mean, err := Aggregate(RuleMean, totals)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(mean) != "[{C 85 1 false} {A 84.8 2 false} {B 76 3 false}]" {
		t.Fatalf("mean %v", mean)
	}
	trim, _ := Aggregate(RuleTrimmedMean, totals)
	if fmt.Sprint(trim) != "[{A 85 1 true} {B 85 1 true} {C 85 1 true}]" {
		t.Fatalf("trimmed %v", trim)
	}
	few, _ := Aggregate(RuleTrimmedMean, map[string][]float64{"A": {60, 90, 90}})
	if few[0].Score != 80 {
		t.Fatalf("fewer than 5 scorers must not be trimmed: %v", few)
	}
	if _, err := Aggregate("median", totals); err == nil {
		t.Fatal("unknown rule accepted")
	}
}

func TestPriceScoreAndRanking(t *testing.T) {
	ps, err := PriceScores(map[string]float64{"A": 1_000_000, "B": 800_000, "C": 1_200_000}, 30)
	if err != nil {
		t.Fatal(err)
	}
	if ps["B"] != 30 || ps["A"] != 24 || ps["C"] != 20 {
		t.Fatalf("price scores %v", ps)
	}
	final := Rank([]Result{{Code: "A", Score: 60}, {Code: "B", Score: 54}, {Code: "C", Score: 65}}, ps)
	if fmt.Sprint(final) != "[{C 85 1 false} {A 84 2 true} {B 84 2 true}]" {
		t.Fatalf("final %v", final)
	}
	if _, err := PriceScores(map[string]float64{"A": 0}, 30); err == nil {
		t.Fatal("zero price accepted")
	}
}
