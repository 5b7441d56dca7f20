package credits

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"

	"yingshang/internal/account"
	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

const (
	viewImport       = "credit/import"
	viewImportResult = "credit/import_result"
	xlsxType         = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// ImportForm documents the form fields of an import besides the file.
type ImportForm struct {
	Mode         string `json:"mode,omitempty" enum:"all_or_nothing,valid_only" doc:"all_or_nothing（默认）：有错误行则不写入任何数据；valid_only：写入正确的行 / all_or_nothing (default): any bad row and nothing is written; valid_only: the valid rows are written"`
	DryRun       bool   `json:"dry_run,omitempty" doc:"只检查不写入 / check only, write nothing"`
	DepartmentID int64  `json:"department_id,omitempty" doc:"作出决定的部门，默认为本人所在部门 / deciding department (default: the caller's)"`
}

// importUpload is one import request.
type importUpload struct {
	file     multipart.File
	filename string
	opts     credit.ImportOptions
}

// readImport parses a multipart import request, refusing a file over the
// upload limit before anything is read.
func (h *handlers) readImport(w http.ResponseWriter, r *http.Request) (*importUpload, error) {
	limit := h.s.App.Cfg.UploadLimit
	r.Body = http.MaxBytesReader(w, r.Body, limit+64<<10)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, yserr.Field("file", "文件超过上传上限，请拆分后分批导入", "the file exceeds the upload limit: split it")
		}
		return nil, yserr.Field("file", "请选择要导入的 .xlsx 或 .csv 文件", "choose an .xlsx or .csv file to import").Wrap(err)
	}
	up := &importUpload{opts: credit.ImportOptions{Mode: r.FormValue("mode")}}
	switch r.FormValue("dry_run") {
	case "", "0", "false", "off":
	case "1", "true", "on":
		up.opts.DryRun = true
	default:
		return nil, yserr.Field("dry_run", "须为 true 或 false", "must be true or false")
	}
	if d := r.FormValue("department_id"); d != "" {
		n, err := strconv.ParseInt(d, 10, 64)
		if err != nil {
			return nil, yserr.Field("department_id", "部门编号无效", "invalid department id")
		}
		up.opts.DepartmentID = n
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return nil, yserr.Field("file", "请选择要导入的 .xlsx 或 .csv 文件", "choose an .xlsx or .csv file to import")
	}
	up.file, up.filename = f, filepath.Base(fh.Filename)
	return up, nil
}

// importData is what credit/import and credit/import_result render.
type importData struct {
	Departments []account.Department
	Filename    string
	Mode        string
	DryRun      bool
	Report      *credit.ImportReport
	Rows        []importBad
	Valid       int
	ReportURL   template.URL // the report workbook as a data: URL
}

type importBad struct {
	Row             int
	Column, Message string
}

func (h *handlers) importView(r *http.Request) (*web.View, error) {
	v := h.s.View(r, "")
	v.Title = v.T("批量导入信用信息", "Import credit records")
	d := &importData{}
	if auth.From(r.Context()).Has(auth.PlatformAdmin) {
		deps, err := h.s.App.Accounts.ListDepartments(r.Context())
		if err != nil {
			return nil, err
		}
		d.Departments = deps
	}
	v.Data = d
	return v, nil
}

func (h *handlers) importForm(w http.ResponseWriter, r *http.Request) error {
	v, err := h.importView(r)
	if err != nil {
		return err
	}
	v.Form = url.Values{"mode": {credit.ModeAllOrNothing}, "department_id": {strconv.FormatInt(auth.From(r.Context()).DepartmentID, 10)}}
	return h.s.Render(w, r, http.StatusOK, viewImport, v)
}

func (h *handlers) importFile(w http.ResponseWriter, r *http.Request) error {
	v, err := h.importView(r)
	if err != nil {
		return err
	}
	up, err := h.readImport(w, r)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err != nil {
		return h.s.FormError(w, r, viewImport, v, err)
	}
	defer up.file.Close()
	rep, err := h.svc.ImportRecords(r.Context(), up.file, up.filename, up.opts)
	if err != nil {
		return h.s.FormError(w, r, viewImport, v, err)
	}
	d := v.Data.(*importData)
	d.Filename, d.Mode, d.DryRun, d.Report, d.Valid = up.filename, up.opts.Mode, up.opts.DryRun, rep, rep.Total-rep.Bad
	if d.Mode == "" {
		d.Mode = credit.ModeAllOrNothing
	}
	for _, e := range rep.Rows {
		d.Rows = append(d.Rows, importBad{Row: e.Row, Column: e.Column, Message: v.T(e.ZH, e.EN)})
	}
	if len(rep.Rows) > 0 {
		var b bytes.Buffer
		if err := credit.ImportReportXLSX(rep, up.filename, &b); err != nil {
			return err
		}
		d.ReportURL = template.URL("data:" + xlsxType + ";base64," + base64.StdEncoding.EncodeToString(b.Bytes()))
	}
	v.Title = v.T("导入结果", "Import result")
	w.Header().Set("Cache-Control", "no-store")
	return h.s.Render(w, r, http.StatusOK, viewImportResult, v)
}

func (h *handlers) importTemplate(w http.ResponseWriter, r *http.Request) error {
	var b bytes.Buffer
	if err := h.svc.ImportTemplate(&b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", `attachment; filename="credit-import-template.xlsx"; filename*=UTF-8''`+url.PathEscape("信用信息导入模板.xlsx"))
	_, err := io.Copy(w, &b)
	return err
}

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request) error {
	up, err := h.readImport(w, r)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err != nil {
		return err
	}
	defer up.file.Close()
	rep, err := h.svc.ImportRecords(r.Context(), up.file, up.filename, up.opts)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, rep)
	return nil
}
