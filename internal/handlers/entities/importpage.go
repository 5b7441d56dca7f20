package entities

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"

	"yingshang/internal/auth"
	"yingshang/internal/entity"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// formOverhead is what a multipart body may hold besides the file: the
// boundaries, the other fields and their headers.
const formOverhead = 64 << 10

// upload is one import request: the file (fresh or kept) and the options.
type upload struct {
	file     io.ReadCloser
	header   *multipart.FileHeader // nil for a kept file
	filename string
	token    string // the kept file used, if any
	opts     entity.ImportOptions
}

// readUpload parses a multipart import request, refusing a file larger
// than the configured upload limit before anything is imported. With
// kept, a request without a file may name a kept one by its token.
func (h *handlers) readUpload(w http.ResponseWriter, r *http.Request, kept bool) (*upload, error) {
	limit := h.s.App.Cfg.UploadLimit
	r.Body = http.MaxBytesReader(w, r.Body, limit+formOverhead)
	err := r.ParseMultipartForm(8 << 20)
	if errors.Is(err, http.ErrNotMultipart) {
		err = r.ParseForm()
	}
	if err != nil {
		return nil, uploadError(err, limit)
	}
	dry, err := checked(r.FormValue("dry_run"))
	if err != nil {
		return nil, err
	}
	up := &upload{opts: entity.ImportOptions{Mode: r.FormValue("mode"), DryRun: dry}}
	if kept {
		up.token = r.FormValue("token")
	}
	f, fh, err := r.FormFile("file")
	switch {
	case err == nil && fh.Size > limit:
		f.Close()
		return nil, errTooLarge(limit)
	case err == nil:
		up.file, up.header, up.filename = f, fh, filepath.Base(fh.Filename)
		up.opts.Size = fh.Size
		up.token = ""
	case up.token != "":
		a := auth.From(r.Context())
		up.file, up.filename, err = h.uploads.open(a.UserID, up.token)
		if err != nil {
			return nil, err
		}
	default:
		return nil, yserr.Field("file", "请选择要导入的 .xlsx 或 .csv 文件", "choose an .xlsx or .csv file to import")
	}
	return up, nil
}

// checked reads a check box or boolean form field.
func checked(s string) (bool, error) {
	switch s {
	case "", "0", "false", "off":
		return false, nil
	case "1", "true", "on":
		return true, nil
	}
	return false, yserr.Field("dry_run", "须为 true 或 false", "must be true or false")
}

func uploadError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge(limit)
	}
	return yserr.Field("file", "上传内容无法读取，请重新选择文件", "the upload cannot be read; choose the file again").Wrap(err)
}

func errTooLarge(limit int64) error {
	e := yserr.Newf(yserr.TooLarge, "文件超过 %s 的上传上限，未导入任何数据；请拆分文件后分批导入",
		"the file exceeds the upload limit of %s; nothing was imported. Split the file and import the parts", humanBytes(limit))
	e.Field = "file"
	return e
}

// humanBytes writes a size as people read it: 20 MB, 512 KB, 900 B.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return itoa(n>>20) + " MB"
	case n >= 1<<10:
		return itoa(n>>10) + " KB"
	}
	return itoa(n) + " B"
}

// keep reports whether the file should stay for a second run: after a
// check, or when an all_or_nothing import was refused for bad rows.
func keep(opts entity.ImportOptions, rep *entity.ImportReport) bool {
	if rep.Committed {
		return false
	}
	return opts.DryRun || rep.Bad > 0 && opts.Mode != entity.ModeValidOnly
}

// importData is what entities/import and entities/import_result render.
type importData struct {
	Limit    string
	Filename string
	Mode     string
	DryRun   bool
	Token    string
	Report   *entity.ImportReport
	Rows     []badRow
	Valid    int // rows without errors
}

type badRow struct {
	Row     int
	Column  string
	Message string
}

func (h *handlers) importView(r *http.Request) *web.View {
	v := h.s.View(r, "")
	v.Title = v.T("导入经营主体", "Import market entities")
	v.Data = &importData{Limit: humanBytes(h.s.App.Cfg.UploadLimit), Mode: entity.ModeAllOrNothing}
	return v
}

func (h *handlers) importForm(w http.ResponseWriter, r *http.Request) error {
	v := h.importView(r)
	v.Form = url.Values{"mode": {entity.ModeAllOrNothing}}
	if r.URL.Query().Get("mode") == entity.ModeValidOnly {
		v.Form.Set("mode", entity.ModeValidOnly)
	}
	return h.s.Render(w, r, http.StatusOK, viewImport, v)
}

func (h *handlers) importFile(w http.ResponseWriter, r *http.Request) error {
	v := h.importView(r)
	up, err := h.readUpload(w, r, true)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err != nil {
		return h.s.FormError(w, r, viewImport, v, err)
	}
	defer up.file.Close()
	rep, err := h.s.App.Entities.Import(r.Context(), up.file, up.filename, up.opts)
	if err != nil {
		return h.s.FormError(w, r, viewImport, v, err)
	}
	if up.opts.Mode == "" {
		up.opts.Mode = entity.ModeAllOrNothing
	}
	d := &importData{Filename: up.filename, Mode: up.opts.Mode, DryRun: up.opts.DryRun, Report: rep,
		Valid: rep.Total - rep.Bad, Limit: humanBytes(h.s.App.Cfg.UploadLimit)}
	if d.Token, err = h.keepUpload(r, up, rep); err != nil {
		return err
	}
	for _, row := range rep.Rows {
		d.Rows = append(d.Rows, badRow{Row: row.Row, Column: row.Column, Message: v.T(row.ZH, row.EN)})
	}
	// Rows found bad when their batch was written come after the others.
	slices.SortStableFunc(d.Rows, func(a, b badRow) int { return a.Row - b.Row })
	v.Data = d
	v.Title = v.T("导入结果", "Import result")
	writeNoStore(w)
	return h.s.Render(w, r, http.StatusOK, viewImportResult, v)
}

// keepUpload keeps (or lets go of) the file for a second run and returns
// the token to offer, "" when there is none.
func (h *handlers) keepUpload(r *http.Request, up *upload, rep *entity.ImportReport) (string, error) {
	want := keep(up.opts, rep)
	switch {
	case up.token != "" && want:
		return up.token, nil
	case up.token != "":
		h.uploads.remove(up.token)
		return "", nil
	case !want:
		return "", nil
	}
	f, err := up.header.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	return h.uploads.save(auth.From(r.Context()).UserID, up.filename, f)
}

// template serves the import template workbook.
func (h *handlers) template(w http.ResponseWriter, r *http.Request) error {
	lw := &lazyWriter{w: w, header: func(hd http.Header) {
		hd.Set("Content-Type", xlsxType)
		hd.Set("Content-Disposition", attachment("经营主体导入模板.xlsx", "entity-import-template.xlsx"))
	}}
	return h.s.App.Entities.Template(lw)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
