package filestore

import (
	"archive/zip"
	"bytes"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// Media types the store names (Detect's results beyond net/http's).
const (
	PDF   = "application/pdf"
	PNG   = "image/png"
	JPEG  = "image/jpeg"
	GIF   = "image/gif"
	WebP  = "image/webp"
	ZIP   = "application/zip"
	DOCX  = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	XLSX  = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	PPTX  = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	MP4   = "video/mp4"
	MOV   = "video/quicktime"
	M4A   = "audio/mp4"  // voice notes (ftyp brand "M4A ")
	AMR   = "audio/amr"  // voice notes from phones ("#!AMR\n")
	MP3   = "audio/mpeg" // as net/http names it (ID3 tag)
	WAV   = "audio/wave" // as net/http names it (RIFF WAVE)
	HEIC  = "image/heic"
	AVIF  = "image/avif"
	Text  = "text/plain"
	CSV   = "text/csv"
	EXE   = "application/vnd.microsoft.portable-executable"
	ELF   = "application/x-elf"
	Octet = "application/octet-stream"
)

// extensions are the names each detected type may carry.
var extensions = map[string][]string{
	PDF: {".pdf"}, PNG: {".png"}, JPEG: {".jpg", ".jpeg", ".jfif"}, GIF: {".gif"}, WebP: {".webp"},
	ZIP: {".zip"}, DOCX: {".docx"}, XLSX: {".xlsx"}, PPTX: {".pptx"}, MP4: {".mp4", ".m4v"}, MOV: {".mov"},
	HEIC: {".heic", ".heif"}, AVIF: {".avif"}, M4A: {".m4a"}, AMR: {".amr"}, MP3: {".mp3"}, WAV: {".wav"},
	Text: {".txt", ".text", ".log", ".md"}, CSV: {".csv"},
}

// executables are never accepted, whatever Options.Allowed says.
var executables = []string{EXE, ELF}

// Detect names the media type of data by its content; name only tells
// plain text from CSV (the same bytes). It is stricter than
// http.DetectContentType where that one is too coarse: ZIP containers are
// opened to tell .docx, .xlsx and .pptx apart, executables are named as
// such, and text must be valid UTF-8 (or UTF-16 with a byte-order mark)
// without NUL bytes.
func Detect(data []byte, name string) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return PDF
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG
	case bytes.HasPrefix(data, []byte("GIF87a")) || bytes.HasPrefix(data, []byte("GIF89a")):
		return GIF
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return WebP
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return zipKind(data)
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		return isoMedia(string(data[8:12]))
	case bytes.HasPrefix(data, []byte("#!AMR\n")):
		return AMR
	case bytes.HasPrefix(data, []byte("MZ")):
		return EXE
	case bytes.HasPrefix(data, []byte("\x7fELF")):
		return ELF
	}
	if isText(data) {
		if strings.EqualFold(filepath.Ext(name), ".csv") {
			return CSV
		}
		return Text
	}
	mt, _, _ := strings.Cut(http.DetectContentType(data), ";")
	if strings.HasPrefix(mt, "text/") {
		// net/http calls some binary "text"; isText already said no.
		return Octet
	}
	return mt
}

// zipKind opens a ZIP container and names the Office Open XML document it
// holds, or plain ZIP.
func zipKind(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Octet
	}
	has := func(name string) bool {
		return slices.ContainsFunc(zr.File, func(f *zip.File) bool { return f.Name == name })
	}
	switch {
	case !has("[Content_Types].xml"):
		return ZIP
	case has("word/document.xml"):
		return DOCX
	case has("xl/workbook.xml"):
		return XLSX
	case has("ppt/presentation.xml"):
		return PPTX
	}
	return ZIP
}

// isoMedia names an ISO base media file (the "ftyp" box) by its major
// brand: HEIF/AVIF images and QuickTime movies share MP4's container.
func isoMedia(brand string) string {
	switch brand {
	case "heic", "heix", "mif1", "msf1", "heim", "heis", "hevc", "hevx":
		return HEIC
	case "avif", "avis":
		return AVIF
	case "qt  ":
		return MOV
	case "M4A ":
		return M4A
	}
	return MP4
}

func isText(data []byte) bool {
	if len(data) >= 2 && (data[0] == 0xFE && data[1] == 0xFF || data[0] == 0xFF && data[1] == 0xFE) {
		return true
	}
	return len(data) > 0 && utf8.Valid(data) && bytes.IndexByte(data, 0) < 0
}

// ExtensionMatches reports whether name's extension agrees with the media
// type mt. A name without an extension agrees with any type.
func ExtensionMatches(name, mt string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	if ext == "" {
		return true
	}
	return slices.Contains(extensions[mt], ext)
}

// declaredAgrees reports whether a client's declared Content-Type names
// the detected type (empty and application/octet-stream declare nothing).
func declaredAgrees(declared, detected string) bool {
	declared, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(declared)), ";")
	declared = strings.TrimSpace(declared)
	switch declared {
	case "", Octet, "binary/octet-stream":
		return true
	case detected:
		return true
	case "image/x-png":
		return detected == PNG
	case "image/jpg", "image/pjpeg":
		return detected == JPEG
	case "application/x-pdf":
		return detected == PDF
	case "application/x-zip-compressed", "application/x-zip":
		return detected == ZIP
	case "text/csv", "application/csv", "application/vnd.ms-excel":
		return detected == CSV || detected == Text
	case "text/plain":
		return detected == Text || detected == CSV
	}
	return false
}
