package importkit

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"yingshang/internal/yserr"
)

// Column is one column of an import layout.
type Column struct {
	Key      string   // field key (also accepted as a header)
	Header   string   // the Chinese header the template writes
	Aliases  []string // other accepted headers, Chinese and English
	Required bool
}

// HeaderOptions controls Reader.Header.
type HeaderOptions struct {
	// IgnoreUnknown accepts columns that match no Column (they are
	// skipped); otherwise they are an error.
	IgnoreUnknown bool
	// MissingHint is added to the message about a missing required
	// column, e.g. where the data must be.
	MissingHintZH, MissingHintEN string
}

// Header maps the columns of a file to a layout.
type Header struct {
	cols    []Column
	index   map[string]int // key -> index in cols
	pos     []int          // per column: the cell index, -1 when absent
	written []string       // per column: the header as written in the file
}

// HeaderKey normalises a header for matching: no byte-order mark or white
// space, lower case, ASCII brackets, no leading or trailing "*".
func HeaderKey(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	h = strings.NewReplacer("（", "(", "）", ")", "＊", "*").Replace(h)
	h = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, h)
	return strings.Trim(h, "*")
}

// Header reads up to the first non-empty row and maps it to cols. An
// unknown column (unless ignored), a repeated one or a missing required
// one is an invalid error whose Field is the column's header.
func (r *Reader) Header(cols []Column, opts HeaderOptions) (*Header, error) {
	for {
		_, cells, err := r.Next()
		if err == io.EOF {
			zh, en := r.Where()
			return nil, fileError(yserr.Invalid, zh+"中没有数据（第一行应为表头）", en+" has no data (the first row must be the header)")
		}
		if err != nil {
			return nil, err
		}
		if !Blank(cells) {
			return r.mapHeader(cells, cols, opts)
		}
	}
}

func (r *Reader) mapHeader(cells []string, cols []Column, opts HeaderOptions) (*Header, error) {
	h := &Header{cols: cols, index: map[string]int{}, pos: make([]int, len(cols)), written: make([]string, len(cols))}
	byKey := map[string]int{}
	for i, c := range cols {
		h.index[c.Key] = i
		h.pos[i] = -1
		for _, a := range append([]string{c.Header, c.Key}, c.Aliases...) {
			byKey[HeaderKey(a)] = i
		}
	}
	zh, en := r.Where()
	var unknown []string
	var first string
	for i, name := range cells {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		if name == "" {
			continue
		}
		c, ok := byKey[HeaderKey(name)]
		switch {
		case !ok && opts.IgnoreUnknown:
		case !ok:
			if first == "" {
				first = name
			}
			unknown = append(unknown, fmt.Sprintf("“%s”（第 %s 列）", name, ColumnName(i)))
		case h.pos[c] >= 0:
			e := fileError(yserr.Invalid, fmt.Sprintf("%s的列“%s”重复（第 %s 列和第 %s 列）", zh, name, ColumnName(h.pos[c]), ColumnName(i)),
				fmt.Sprintf("%s has column %q twice (columns %s and %s)", en, name, ColumnName(h.pos[c]), ColumnName(i)))
			e.Field = name
			return nil, e
		default:
			h.pos[c], h.written[c] = i, name
		}
	}
	if len(unknown) > 0 {
		e := fileError(yserr.Invalid,
			fmt.Sprintf("%s有无法识别的列 %s；可用的列见导入模板", zh, strings.Join(unknown, "、")),
			fmt.Sprintf("%s has unknown columns %s; see the import template for the accepted columns", en, strings.Join(unknown, ", ")))
		e.Field = first
		return nil, e
	}
	for i, c := range cols {
		if c.Required && h.pos[i] < 0 {
			e := fileError(yserr.Invalid, fmt.Sprintf("%s缺少必需的列“%s”%s", zh, c.Header, opts.MissingHintZH),
				fmt.Sprintf("%s lacks the required column %q%s", en, c.Header, opts.MissingHintEN))
			e.Field = c.Header
			return nil, e
		}
	}
	return h, nil
}

// Has reports whether the file has the column of key.
func (h *Header) Has(key string) bool {
	i, ok := h.index[key]
	return ok && h.pos[i] >= 0
}

// Get returns the trimmed cell of key's column in a row ("" when the
// column or the cell is absent).
func (h *Header) Get(cells []string, key string) string {
	i, ok := h.index[key]
	if !ok {
		return ""
	}
	if p := h.pos[i]; p >= 0 && p < len(cells) {
		return strings.TrimSpace(cells[p])
	}
	return ""
}

// Column returns the header of key's column as written in the file, or
// the layout's header when the file lacks it ("" for an unknown key).
func (h *Header) Column(key string) string {
	i, ok := h.index[key]
	if !ok {
		return ""
	}
	if h.written[i] != "" {
		return h.written[i]
	}
	return h.cols[i].Header
}

// Blank reports whether every cell of a row is empty or white space.
func Blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
