package entities

import (
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/entity"
	"yingshang/internal/refdata"
	"yingshang/internal/web"
)

// listData is what entities/list renders.
type listData struct {
	Filter      entity.Filter
	RegionSel   string // the select's value when the region is one of its options
	RegionOther string // otherwise the typed code
	Items       []listRow
	Total       int64
	TotalText   string // Total with thousands separators
	Estimated   bool   // Total is an estimate (more matches than the service counts)
	Page, Pages int
	PerPage     int
	Prev, Next  string
	ExportXLSX  string
	ExportCSV   string
	Sort        map[string]sortLink
	Regions     []option
	Sections    []option
	Sizes       []option
	Statuses    []option
	CanWrite    bool
}

type listRow struct {
	entity.Entity
	SizeLabel, StatusLabel string
	RegionShort            string
}

// shortRegion is a region's full name without the province, which the
// list has no room for: 许昌市魏都区.
func shortRegion(code string) string {
	full := refdata.FullName(code)
	if p := refdata.RegionPath(code); len(p) > 1 {
		return strings.TrimPrefix(full, p[0].Name)
	}
	return full
}

type sortLink struct {
	URL  string
	Mark string // ▲ / ▼ on the current key
}

// sortable are the columns with a sort link.
var sortable = []string{"name", "uscc", "region_code", "industry_code", "founded_on", "updated_at"}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("经营主体", "Market entities")
	f, ferr := parseFilter(r.URL.Query())
	d, err := h.listData(r, v, f)
	if err != nil {
		return err
	}
	v.Data = d
	if ferr == nil {
		var res *entity.Result
		if res, ferr = h.s.App.Entities.SearchPage(r.Context(), f); ferr == nil {
			d.Total, d.Estimated, d.TotalText = res.Total, res.Estimated, thousands(res.Total)
			d.fill(v, f, res.Items)
		}
	}
	if ferr != nil {
		// A bad filter is shown next to its field, with the form as sent.
		_ = r.ParseForm()
		return h.s.FormError(w, r, viewList, v, ferr)
	}
	return h.s.Render(w, r, http.StatusOK, viewList, v)
}

// listData prepares the parts of the page that do not depend on the results.
func (h *handlers) listData(r *http.Request, v *web.View, f entity.Filter) (*listData, error) {
	depts, err := h.s.App.Accounts.ListDepartments(r.Context())
	if err != nil {
		return nil, err
	}
	d := &listData{Filter: f, Regions: regionOptions(depts), Sections: sectionOptions(),
		Sizes: sizeOptions(v.Lang), Statuses: statusOptions(v.Lang), Items: []listRow{},
		CanWrite: auth.From(r.Context()).Has(writeRoles...), RegionOther: f.Region}
	for _, o := range d.Regions {
		if o.Value == f.Region {
			d.RegionSel, d.RegionOther = f.Region, ""
		}
	}
	return d, nil
}

// fill adds the results, paging, sorting and export links.
func (d *listData) fill(v *web.View, f entity.Filter, items []entity.Entity) {
	for _, e := range items {
		d.Items = append(d.Items, listRow{Entity: e, SizeLabel: sizeLabel(&e, v.Lang), StatusLabel: e.Status.Label(v.Lang),
			RegionShort: shortRegion(e.RegionCode)})
	}
	d.Page, d.PerPage = f.Page, f.PerPage
	d.Pages = int((d.Total + int64(f.PerPage) - 1) / int64(f.PerPage))
	base := filterValues(f)
	if f.PerPage != entity.DefaultPerPage {
		base.Set("per_page", strconv.Itoa(f.PerPage))
	}
	if f.Page > 1 {
		d.Prev = "/entities?" + withParam(base, "page", strconv.Itoa(f.Page-1)).Encode()
	}
	if f.Page < d.Pages {
		d.Next = "/entities?" + withParam(base, "page", strconv.Itoa(f.Page+1)).Encode()
	}
	d.ExportXLSX = "/entities/export?" + withParam(filterValues(f), "format", entity.FormatXLSX).Encode()
	d.ExportCSV = "/entities/export?" + withParam(filterValues(f), "format", entity.FormatCSV).Encode()
	d.Sort = map[string]sortLink{}
	for _, key := range sortable {
		next, mark := key, ""
		switch f.Sort {
		case key:
			next, mark = "-"+key, "▲"
		case "-" + key:
			mark = "▼"
		}
		d.Sort[key] = sortLink{URL: "/entities?" + withParam(filterValues(f), "sort", next).Encode(), Mark: mark}
	}
}

// export streams the entities matching the filter as .xlsx or .csv.
func (h *handlers) export(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = entity.FormatXLSX
	}
	return h.streamExport(w, r, f, format)
}

// streamExport writes the export with its download headers. The headers
// are set when the first byte is written, so that an error found before
// (a bad filter or format) is still rendered as an error.
func (h *handlers) streamExport(w http.ResponseWriter, r *http.Request, f entity.Filter, format string) error {
	stamp := h.s.App.Clock.Now().In(web.Shanghai).Format("20060102")
	lw := &lazyWriter{w: w, header: func(hd http.Header) {
		hd.Set("Content-Type", contentType(format))
		hd.Set("Content-Disposition", attachment("经营主体-"+stamp+"."+format, "entities-"+stamp+"."+format))
		hd.Set("Cache-Control", "no-store")
	}}
	return h.s.App.Entities.Export(r.Context(), f, lw, format)
}

// Media types of the files this package serves.
const (
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	csvType  = "text/csv; charset=utf-8"
)

func contentType(format string) string {
	if format == entity.FormatCSV {
		return csvType
	}
	return xlsxType
}

// attachment builds a Content-Disposition header with an ASCII fallback
// name and the real (Chinese) name in RFC 5987 encoding.
func attachment(name, ascii string) string {
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + rfc5987(name)
}

// rfc5987 percent-encodes everything but RFC 5987 attr-chars.
func rfc5987(s string) string {
	const attr = "!#$&+-.^_`|~"
	var b strings.Builder
	for _, c := range []byte(s) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attr, c) >= 0) {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(strconv.FormatInt(int64(c)|0x100, 16)[1:]))
		}
	}
	return b.String()
}

// lazyWriter calls header once, before the first byte is written.
type lazyWriter struct {
	w      http.ResponseWriter
	header func(http.Header)
	wrote  bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.wrote {
		l.wrote = true
		l.header(l.w.Header())
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}

// thousands formats n with a comma every three digits: 68000 -> 68,000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
