package credit

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
)

// PDF is a minimal PDF 1.7 writer for A4 documents of Chinese and Latin
// text and lines. Text uses the standard Adobe-GB1 font STSong-Light with
// the UniGB-UTF16-H CMap: the font is not embedded (PDF viewers supply it),
// so documents stay a few kilobytes; strings are written as hex UTF-16BE.
type PDF struct {
	pages []*bytes.Buffer
	cur   *bytes.Buffer
	y     float64 // cursor for Para, from the top
	title string
}

// Page geometry (points).
const (
	pageW   = 595.28
	pageH   = 841.89
	marginX = 64.0
	marginT = 64.0
	marginB = 64.0
)

// NewPDF starts a document with one page.
func NewPDF(title string) *PDF {
	p := &PDF{title: title}
	p.NewPage()
	return p
}

// NewPage starts a new page and puts the cursor at its top.
func (p *PDF) NewPage() {
	p.cur = &bytes.Buffer{}
	p.pages = append(p.pages, p.cur)
	p.y = marginT
}

// textWidth estimates the width of s at size: CJK and full-width glyphs
// are one em, Latin half an em.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if r < 0x2E80 {
			w += 0.5
		} else {
			w++
		}
	}
	return w * size
}

// hexUTF16 encodes s as a PDF hex string of UTF-16BE code units.
func hexUTF16(s string) string {
	var b strings.Builder
	b.WriteByte('<')
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteByte('>')
	return b.String()
}

// Text writes s at (x, y) measured from the top-left corner.
func (p *PDF) Text(x, y, size float64, s string) {
	fmt.Fprintf(p.cur, "BT /F1 %.1f Tf %.2f %.2f Td %s Tj ET\n", size, x, pageH-y-size, hexUTF16(s))
}

// Line draws a line between two points measured from the top-left corner.
func (p *PDF) Line(x1, y1, x2, y2 float64) {
	fmt.Fprintf(p.cur, "0.5 w %.2f %.2f m %.2f %.2f l S\n", x1, pageH-y1, x2, pageH-y2)
}

// Heading writes centred text at the cursor.
func (p *PDF) Heading(size float64, s string) {
	p.room(size * 1.8)
	p.Text((pageW-textWidth(s, size))/2, p.y, size, s)
	p.y += size * 1.8
}

// Para writes wrapped text at the cursor, indented by indent points,
// starting new pages as needed.
func (p *PDF) Para(size, indent float64, s string) {
	width := pageW - 2*marginX - indent
	for _, line := range wrap(s, size, width) {
		p.room(size * 1.6)
		p.Text(marginX+indent, p.y, size, line)
		p.y += size * 1.6
	}
}

// Gap moves the cursor down.
func (p *PDF) Gap(h float64) { p.y += h }

// Rule draws a horizontal line across the text width at the cursor.
func (p *PDF) Rule() {
	p.room(8)
	p.Line(marginX, p.y, pageW-marginX, p.y)
	p.y += 8
}

func (p *PDF) room(h float64) {
	if p.y+h > pageH-marginB {
		p.NewPage()
	}
}

// wrap breaks s into lines no wider than width (Latin words are kept
// together where they fit).
func wrap(s string, size, width float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		var line []rune
		w := 0.0
		for _, r := range para {
			rw := textWidth(string(r), size)
			if w+rw > width && len(line) > 0 {
				cut := len(line)
				if r < 0x2E80 && r != ' ' {
					// Move a trailing Latin word to the next line.
					for i := len(line) - 1; i > 0; i-- {
						if line[i] == ' ' || line[i] >= 0x2E80 {
							cut = i + 1
							break
						}
					}
				}
				out = append(out, strings.TrimRight(string(line[:cut]), " "))
				line = append([]rune{}, line[cut:]...)
				w = textWidth(string(line), size)
			}
			line = append(line, r)
			w += rw
		}
		out = append(out, string(line))
	}
	return out
}

// Bytes renders the document.
func (p *PDF) Bytes() []byte {
	var out bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	out.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	n := len(p.pages)
	// 1 catalog, 2 pages, 3 font, 4 CID font, 5 descriptor, 6 info,
	// then page i at 7+2i and its content at 8+2i.
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	kids := make([]string, n)
	for i := range p.pages {
		kids[i] = fmt.Sprintf("%d 0 R", 7+2*i)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", n, strings.Join(kids, " ")))
	obj("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H /DescendantFonts [4 0 R] >>")
	obj("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>")
	obj("<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
	obj(fmt.Sprintf("<< /Title %s /Producer (Yingshang) >>", hexTitle(p.title)))
	for i, c := range p.pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", pageW, pageH, 8+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", c.Len(), c.String()))
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return out.Bytes()
}

// hexTitle encodes a document-information string as UTF-16BE with BOM.
func hexTitle(s string) string { return "<FEFF" + strings.TrimPrefix(hexUTF16(s), "<") }

// Box fills a black rectangle whose top-left corner is (x, y), measured
// from the top-left corner of the page (used to draw QR codes).
func (p *PDF) Box(x, y, w, h float64) {
	fmt.Fprintf(p.cur, "%.2f %.2f %.2f %.2f re f\n", x, pageH-y-h, w, h)
}

// Block reserves h points at the cursor (starting a new page when they do
// not fit), moves the cursor below them and returns the block's top.
func (p *PDF) Block(h float64) float64 {
	p.room(h)
	top := p.y
	p.y += h
	return top
}

// Left is the x of the text column's left edge.
func (p *PDF) Left() float64 { return marginX }
