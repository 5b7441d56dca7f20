package server

import (
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
)

// ServeFile is WriteFile for a handler: an error while streaming (the
// headers are sent by then) is logged with the request id, and the handler
// returns nil.
func (s *Server) ServeFile(w http.ResponseWriter, r *http.Request, name, mediaType string, size int64, inline bool, body io.Reader) error {
	if err := WriteFile(w, name, mediaType, size, inline, body); err != nil {
		s.Log.ErrorContext(r.Context(), "file download cut short", "err", err, "path", r.URL.Path, "request_id", RequestID(r.Context()))
	}
	return nil
}

// WriteFile writes a stored file: its media type as detected when it was
// stored, nosniff, no shared caching, its length, and a Content-Disposition
// (RFC 6266) with an ASCII fallback name and the real name as filename*
// (RFC 8187). inline lets the browser show it (images, PDF); otherwise it
// downloads. The content is streamed from r; an error while streaming (for
// example content that no longer matches its hash) cuts the response short
// and is returned for the log.
func WriteFile(w http.ResponseWriter, name, mediaType string, size int64, inline bool, r io.Reader) error {
	h := w.Header()
	h.Set("Content-Type", mediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Disposition", ContentDisposition(name, inline))
	if size >= 0 {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	w.WriteHeader(http.StatusOK)
	_, err := io.Copy(w, r)
	return err
}

// ContentDisposition builds an RFC 6266 header value for name: a quoted
// ASCII fallback (non-ASCII runes, quotes, backslashes and controls
// replaced by '_', the extension kept) and filename* with the UTF-8 name
// percent-encoded as RFC 8187 requires.
func ContentDisposition(name string, inline bool) string {
	kind := "attachment"
	if inline {
		kind = "inline"
	}
	return kind + `; filename="` + asciiName(name) + `"; filename*=UTF-8''` + rfc8187(name)
}

func asciiName(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '/' || r == ';' || r == '%' {
			return '_'
		}
		return r
	}, name)
	if strings.Trim(strings.TrimSuffix(ascii, filepath.Ext(ascii)), "_ ") == "" {
		ascii = "file" + filepath.Ext(ascii)
	}
	return ascii
}

// rfc8187 percent-encodes every byte that is not an attr-char.
func rfc8187(s string) string {
	const attr = "!#$&+-.^_`|~"
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attr, c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(strconv.FormatInt(int64(c)|0x100, 16)[1:]))
		}
	}
	return b.String()
}
