package inspect

import (
	"bytes"
	"net/http"
	"strconv"

	"yingshang/internal/api"
	"yingshang/internal/yserr"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (h *handlers) resultStep(fn func(r *http.Request, id, result int64) (any, error)) api.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := api.PathInt64(r, "id")
		if err != nil {
			return err
		}
		result, err := api.PathInt64(r, "result")
		if err != nil {
			return err
		}
		return write(w, http.StatusOK)(fn(r, id, result))
	}
}

func (h *handlers) apiImportItems(w http.ResponseWriter, r *http.Request) error {
	f, _, err := r.FormFile("file")
	if err != nil {
		return yserr.Field("file", "请选择 .xlsx 文件", "choose an .xlsx file")
	}
	defer f.Close()
	return write(w, http.StatusOK)(h.svc.ImportItems(r.Context(), f))
}

// export renders an export into memory first, so that an error is still
// reported as an error (page or problem) and not as half a file.
func (h *handlers) export(w http.ResponseWriter, r *http.Request, what string) error {
	v := h.s.View(r, "")
	lang := v.Lang
	if l := r.URL.Query().Get("lang"); l == "en" || l == "zh-CN" {
		lang = l
	}
	l := func(code string) string {
		if t, ok := labels[code]; ok {
			return t.In(lang)
		}
		return code
	}
	plan, _ := strconv.ParseInt(r.URL.Query().Get("plan"), 10, 64)
	month := r.URL.Query().Get("month")
	var buf bytes.Buffer
	var err error
	name := "inspect-" + what
	switch what {
	case "plans":
		err = h.svc.ExportPlans(r.Context(), lang, l, &buf)
	case "tasks", "results":
		err = h.svc.ExportTasks(r.Context(), plan, what == "results", lang, l, &buf)
		if plan != 0 {
			name += "-plan" + strconv.FormatInt(plan, 10)
		}
	case "exceptions":
		err = h.svc.ExportExceptions(r.Context(), month, lang, l, &buf)
		name += "-" + month
	default:
		return yserr.ErrNotFound("导出", "export")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

func (h *handlers) apiExport(w http.ResponseWriter, r *http.Request) error {
	return h.export(w, r, r.PathValue("what"))
}
