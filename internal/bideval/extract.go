package bideval

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrUnsupported is returned for file types the extractor cannot read.
var ErrUnsupported = errors.New("unsupported file type: only .txt, .docx and .pdf are read")

// maxExtract bounds the text extracted from one file.
const maxExtract = 8 << 20

// ExtractText returns the text of an uploaded file by its extension:
//   - .txt: UTF-8 (a UTF-16 file with a byte-order mark is decoded too);
//   - .docx: the text of the w:t runs of word/document.xml, paragraphs on
//     their own lines;
//   - .pdf: the literal strings shown by the Tj, TJ, ' and " operators in
//     uncompressed and FlateDecode content streams. Strings are read as
//     Latin-1, or as UTF-16BE when they start with a byte-order mark. Text
//     drawn through CID fonts (most Chinese PDFs) is glyph ids without a
//     ToUnicode mapping here and is NOT recovered; scanned PDFs neither.
func ExtractText(name string, data []byte) (string, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt":
		return decodeText(data), nil
	case ".docx":
		return docxText(data)
	case ".pdf":
		return pdfText(data)
	}
	return "", ErrUnsupported
}

func decodeText(b []byte) string {
	if len(b) >= 2 && ((b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE)) {
		return utf16String(b)
	}
	b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), " ")
}

func utf16String(b []byte) string {
	big := b[0] == 0xFE
	b = b[2:]
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if big {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	return string(utf16.Decode(u))
}

func docxText(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", errors.New("not a .docx (zip) file")
	}
	for _, f := range zr.File {
		if f.Name != "word/document.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return "", err
		}
		defer rc.Close()
		return wordXMLText(io.LimitReader(rc, maxExtract))
	}
	return "", errors.New(".docx without word/document.xml")
}

func wordXMLText(r io.Reader) (string, error) {
	dec := xml.NewDecoder(r)
	var out strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out.String(), nil
		}
		if err != nil {
			return out.String(), err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			inText = t.Name.Local == "t"
			if t.Name.Local == "tab" {
				out.WriteByte('\t')
			}
		case xml.EndElement:
			inText = false
			if t.Name.Local == "p" {
				out.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				out.Write(t)
			}
		}
	}
}

var streamRe = regexp.MustCompile(`(?s)<<(.*?)>>\s*stream\r?\n`)

func pdfText(data []byte) (string, error) {
	if !bytes.HasPrefix(data, []byte("%PDF")) {
		return "", errors.New("not a PDF file")
	}
	var out strings.Builder
	for _, loc := range streamRe.FindAllSubmatchIndex(data, -1) {
		dict := data[loc[2]:loc[3]]
		start := loc[1]
		end := bytes.Index(data[start:], []byte("endstream"))
		if end < 0 {
			break
		}
		body := data[start : start+end]
		if bytes.Contains(dict, []byte("/FlateDecode")) {
			zr, err := zlib.NewReader(bytes.NewReader(body))
			if err != nil {
				continue
			}
			body, err = io.ReadAll(io.LimitReader(zr, maxExtract))
			if err != nil && len(body) == 0 {
				continue
			}
		} else if bytes.Contains(dict, []byte("/Filter")) {
			continue // other filters (DCT images, LZW...) carry no text we read
		}
		contentText(body, &out)
		if out.Len() > maxExtract {
			break
		}
	}
	return out.String(), nil
}

// contentText appends the literal strings of text-showing operators.
func contentText(b []byte, out *strings.Builder) {
	var pending []string
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '(':
			s, n := literal(b[i:])
			pending = append(pending, s)
			i += n - 1
		case c == '%':
			for i < len(b) && b[i] != '\n' && b[i] != '\r' {
				i++
			}
		case isOpChar(c):
			j := i
			for j < len(b) && isOpChar(b[j]) {
				j++
			}
			op := string(b[i:j])
			i = j - 1
			switch op {
			case "Tj", "TJ", "'", "\"":
				out.WriteString(strings.Join(pending, ""))
				out.WriteByte(' ')
			case "ET":
				out.WriteByte('\n')
			}
			if op != "" {
				pending = pending[:0]
			}
		}
	}
}

func isOpChar(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'' || c == '"' || c == '*'
}

// literal reads a PDF literal string starting at b[0] == '(' and returns
// its text and the number of bytes consumed.
func literal(b []byte) (string, int) {
	var raw []byte
	depth := 0
	i := 0
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\\' && i+1 < len(b):
			i++
			switch e := b[i]; e {
			case 'n':
				raw = append(raw, '\n')
			case 'r':
				raw = append(raw, '\r')
			case 't':
				raw = append(raw, '\t')
			case 'b', 'f':
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v, k := 0, 0
				for k < 3 && i+k < len(b) && b[i+k] >= '0' && b[i+k] <= '7' {
					v = v*8 + int(b[i+k]-'0')
					k++
				}
				raw = append(raw, byte(v))
				i += k - 1
			case '\r', '\n':
			default:
				raw = append(raw, e)
			}
		case c == '(':
			depth++
			if depth > 1 {
				raw = append(raw, c)
			}
		case c == ')':
			depth--
			if depth == 0 {
				return pdfString(raw), i + 1
			}
			raw = append(raw, c)
		default:
			raw = append(raw, c)
		}
	}
	return pdfString(raw), i
}

func pdfString(raw []byte) string {
	if len(raw) >= 2 && raw[0] == 0xFE && raw[1] == 0xFF {
		return utf16String(raw)
	}
	if utf8.Valid(raw) {
		return string(raw)
	}
	r := make([]rune, len(raw))
	for i, c := range raw {
		r[i] = rune(c) // Latin-1
	}
	return string(r)
}
