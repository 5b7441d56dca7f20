package credit_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"yingshang/internal/credit"
)

func sampleNotice() *credit.Notice {
	r := credit.Notice{Code: "ABCD-EFGH-JKLM-NPQR", RecordID: 7, Version: 1, Entity: "许昌瑞丰商贸有限公司", USCC: "91411002MA9XK1QR11",
		Department: "许昌市市场监督管理局", DecisionNo: "许市监罚〔2026〕88号", DecidedOn: "2026-11-30", Class: "general",
		EarliestOn: "2027-02-28", MaxEnd: "2027-11-30", Published: true, IssuedAt: time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC),
		Conditions: []credit.Line{{ZH: "自 2027-02-28 起可以申请信用修复。", EN: "You may apply from 2027-02-28."}},
		Materials:  []credit.Line{{ZH: "缴款凭证。", EN: "Payment receipts."}},
		Where:      []credit.Line{{ZH: strings.Repeat("线上申请或到政务服务大厅信用修复窗口办理，", 6), EN: strings.Repeat("Apply online or at a service hall window. ", 6)}}}
	return &r
}

// TestPDFStructure reads the document back with a minimal parser: the
// header, every xref offset pointing at its object, the trailer's
// startxref pointing at the xref table, stream lengths, and the text as
// UTF-16BE hex strings.
func TestPDFStructure(t *testing.T) {
	b := credit.NoticePDF(sampleNotice(), "https://ys.example")
	if !bytes.HasPrefix(b, []byte("%PDF-1.7\n")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
		t.Fatal("header or trailer missing")
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(b[xref:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	lines := strings.Split(string(b[xref:]), "\n")
	n, _ := strconv.Atoi(strings.Fields(lines[1])[1])
	if n < 9 {
		t.Fatalf("only %d objects", n)
	}
	for i := 1; i < n; i++ {
		entry := lines[2+i]
		if len(entry) != 19 || !strings.HasSuffix(entry, " n ") && !strings.HasSuffix(entry, "n") {
			t.Fatalf("xref entry %d malformed: %q", i, entry)
		}
		off, _ := strconv.Atoi(entry[:10])
		if want := strconv.Itoa(i) + " 0 obj\n"; !bytes.HasPrefix(b[off:], []byte(want)) {
			t.Fatalf("object %d: offset %d points at %q", i, off, b[off:off+12])
		}
	}
	for _, sm := range regexp.MustCompile(`<< /Length (\d+) >>\nstream\n`).FindAllSubmatchIndex(b, -1) {
		l, _ := strconv.Atoi(string(b[sm[2]:sm[3]]))
		if !bytes.HasPrefix(b[sm[1]+l:], []byte("endstream")) {
			t.Fatal("stream length does not end at endstream")
		}
	}
	for _, want := range []string{"/BaseFont /STSong-Light", "/Encoding /UniGB-UTF16-H", "/Ordering (GB1)"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("missing %s", want)
		}
	}
	// 信用修复告知书 as UTF-16BE hex.
	if !bytes.Contains(b, []byte("<4FE175284FEE590D544A77E54E66>")) {
		t.Error("title text not found as UTF-16BE hex")
	}
}

// TestPDFWithPoppler checks the document with poppler-utils when they are
// installed: pdfinfo parses it, pdftotext finds the Chinese text.
func TestPDFWithPoppler(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("poppler-utils not installed")
	}
	path := filepath.Join(t.TempDir(), "notice.pdf")
	if err := os.WriteFile(path, credit.NoticePDF(sampleNotice(), "https://ys.example"), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil || !strings.Contains(string(info), "Pages:") {
		t.Fatalf("pdfinfo: %v %s", err, info)
	}
	txt, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, txt)
	}
	for _, want := range []string{"信用修复告知书", "许昌瑞丰商贸有限公司", "2027-02-28", "ABCD-EFGH-JKLM-NPQR"} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("pdftotext output lacks %q:\n%s", want, txt)
		}
	}
}
