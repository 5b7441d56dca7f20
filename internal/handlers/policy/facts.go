package policy

import (
	"errors"
	"io"
	"net/http"

	"yingshang/internal/api"
	"yingshang/internal/policy"
	"yingshang/internal/yserr"
)

const viewFacts = "policy/facts"

// FactsForm is the multipart form of a yearly facts import (plus a file).
type FactsForm struct {
	Mode   string `json:"mode,omitempty" enum:"all_or_nothing,valid_only" doc:"all_or_nothing (default): any bad row and nothing is written; valid_only: the valid rows are written"`
	DryRun bool   `json:"dry_run,omitempty" doc:"check only, write nothing"`
}

// upload reads the multipart file; the caller closes it.
func (h *handlers) upload(w http.ResponseWriter, r *http.Request) (io.ReadCloser, string, error) {
	limit := h.s.App.Cfg.UploadLimit
	r.Body = http.MaxBytesReader(w, r.Body, limit+64<<10)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", yserr.Field("file", "文件超过上传上限", "the file exceeds the upload limit")
		}
		return nil, "", yserr.Field("file", "请选择要导入的 .xlsx 或 .csv 文件", "choose an .xlsx or .csv file to import")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		r.MultipartForm.RemoveAll()
		return nil, "", yserr.Field("file", "请选择要导入的 .xlsx 或 .csv 文件", "choose an .xlsx or .csv file to import")
	}
	return f, hdr.Filename, nil
}

func (h *handlers) factsPage(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("导入企业年度数据", "Import yearly facts")
	v.Data = map[string]any{"Columns": policy.FactColumns}
	return h.s.Render(w, r, http.StatusOK, viewFacts, v)
}

func (h *handlers) factsImport(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("导入企业年度数据", "Import yearly facts")
	v.Data = map[string]any{"Columns": policy.FactColumns}
	f, name, err := h.upload(w, r)
	if err != nil {
		return h.s.FormError(w, r, viewFacts, v, err)
	}
	defer f.Close()
	defer r.MultipartForm.RemoveAll()
	rep, err := h.svc.ImportFacts(r.Context(), f, name, r.FormValue("mode"), r.FormValue("dry_run") == "1")
	if err != nil {
		return h.s.FormError(w, r, viewFacts, v, err)
	}
	v.Data = map[string]any{"Columns": policy.FactColumns, "Report": rep}
	status := http.StatusOK
	if rep.Bad > 0 {
		status = http.StatusUnprocessableEntity
	}
	return h.s.Render(w, r, status, viewFacts, v)
}

func (h *handlers) apiFactsImport(w http.ResponseWriter, r *http.Request) error {
	f, name, err := h.upload(w, r)
	if err != nil {
		return err
	}
	defer f.Close()
	defer r.MultipartForm.RemoveAll()
	rep, err := h.svc.ImportFacts(r.Context(), f, name, r.FormValue("mode"), r.FormValue("dry_run") == "true" || r.FormValue("dry_run") == "1")
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, rep)
	return nil
}
