package entities

import (
	"net/http"
	"strconv"

	"yingshang/internal/api"
	"yingshang/internal/entity"
	"yingshang/internal/yserr"
)

// API access: reading is open to every role the service lets read (an
// enterprise user sees only its own entity); writing to the departments.
const (
	authRead  = "platform_admin,dept_admin,dept_staff,supervisor,enterprise"
	authWrite = "platform_admin,dept_admin,dept_staff"
)

// ImportForm documents the form fields of an import besides the file.
type ImportForm struct {
	Mode   string `json:"mode,omitempty" enum:"all_or_nothing,valid_only" doc:"all_or_nothing（默认）：有错误行则不写入任何数据；valid_only：写入正确的行 / all_or_nothing (default): any bad row and nothing is written; valid_only: the valid rows are written"`
	DryRun bool   `json:"dry_run,omitempty" doc:"只检查不写入 / Check only, write nothing"`
}

// USCCPath documents the {uscc} path parameter.
type USCCPath struct {
	USCC string `path:"uscc" doc:"18 位统一社会信用代码 / 18-character unified social credit code" example:"91411002MA9XK1QR11"`
}

func (h *handlers) mountAPI() {
	reg, mux := h.s.API, h.s.Mux
	tags := []string{"entity"}
	reg.DescribeTag("entity", "经营主体库：查询、登记、修改、Excel 导入导出、一企一码 / Market-entity registry: search, register, edit, spreadsheet import and export, QR codes")
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/entities", ID: "listEntities", Tags: tags, Auth: authRead,
		Summary: "查询经营主体 / Search market entities",
		Description: "Personal data (legal representative's ID number, phone) is masked unless the caller may see it (masked=true). An enterprise user sees only its own entity. " +
			"Matches are counted exactly up to 5,000; beyond that total is an estimate rounded to 2 significant digits and total_estimated is true.",
		Query: Query{}, Resp: api.Page[entity.Entity]{}}, h.apiList)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/entities", ID: "createEntity", Tags: tags, Auth: authWrite,
		Summary: "登记经营主体 / Register a market entity", Body: entity.Input{}, Resp: entity.Entity{}, Status: http.StatusCreated}, h.apiCreate)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/entities/{id}", ID: "getEntity", Tags: tags, Auth: authRead,
		Summary: "经营主体详情 / Get a market entity", Resp: entity.Entity{}}, h.apiGet)
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/entities/{id}", ID: "updateEntity", Tags: tags, Auth: authWrite,
		Summary:     "修改经营主体 / Update a market entity",
		Description: "Replaces the entity's data. A legal_rep_id or phone equal to the masked value the caller was shown keeps the stored value; department_id 0 keeps the managing department.",
		Body:        entity.Input{}, Resp: entity.Entity{}}, h.apiUpdate)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/entities/by-uscc/{uscc}", ID: "getEntityByUSCC", Tags: tags, Auth: authRead,
		Summary: "按统一社会信用代码查询 / Get a market entity by its credit code", Query: USCCPath{}, Resp: entity.Entity{}}, h.apiByUSCC)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/entities/by-uscc/{uscc}/qr.png", ID: "getEntityQRCode", Tags: tags, Auth: authRead,
		Summary:     "一企一码图片 / The entity's QR code",
		Description: "PNG of the QR code (8 px modules, quiet zone, error correction M) that encodes BASE_URL/e/{uscc}, the entity's public service page. Add download=1 for a download. Cancelled entities have no code (404).",
		Query:       USCCPath{}, RespContentType: "image/png"}, h.apiQR)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/entities/import", ID: "importEntities", Tags: tags, Auth: authWrite,
		Summary: "导入经营主体（.xlsx/.csv） / Import market entities from .xlsx or .csv",
		Description: "Always 200 with the report when the file could be read as a table: committed tells whether anything was written " +
			"(false for a dry run and for an all_or_nothing import with bad rows). A file that is not a spreadsheet, or lacks a required column, " +
			"is a 400 problem naming the column; a file over the upload limit is a 413 problem; nothing is written in either case.",
		Multipart: true, Body: ImportForm{}, Resp: entity.ImportReport{}}, h.apiImport)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/entities/import/template", ID: "getEntityImportTemplate", Tags: tags, Auth: authWrite,
		Summary: "导入模板 / The import template (.xlsx)", RespContentType: xlsxType}, h.template)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/entities/export", ID: "exportEntities", Tags: tags, Auth: authRead,
		Summary:     "导出经营主体 / Export market entities",
		Description: "Every entity matching the filter (paging ignored) in the import layout: .xlsx by default, or UTF-8 CSV with format=csv (text/csv). Personal data masked as in the list.",
		Query:       ExportQuery{}, RespContentType: xlsxType}, h.apiExport)
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	if err := api.DecodeQuery(r, &Query{}); err != nil {
		return err
	}
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	res, err := h.s.App.Entities.SearchPage(r.Context(), f)
	if err != nil {
		return err
	}
	writeNoStore(w)
	page := api.NewPage(res.Items, res.Total, f.Page, f.PerPage)
	page.Estimated = res.Estimated
	api.WriteJSON(w, http.StatusOK, page)
	return nil
}

func (h *handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in entity.Input
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	e, err := h.s.App.Entities.Create(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/entities/"+strconv.FormatInt(e.ID, 10))
	api.WriteJSON(w, http.StatusCreated, e)
	return nil
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	e, err := h.s.App.Entities.Get(r.Context(), id)
	if err != nil {
		return err
	}
	writeNoStore(w)
	api.WriteJSON(w, http.StatusOK, e)
	return nil
}

func (h *handlers) apiUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in entity.Input
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	e, err := h.s.App.Entities.Update(r.Context(), id, in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, e)
	return nil
}

func (h *handlers) apiByUSCC(w http.ResponseWriter, r *http.Request) error {
	e, err := h.s.App.Entities.GetByUSCC(r.Context(), r.PathValue("uscc"))
	if err != nil {
		return err
	}
	writeNoStore(w)
	api.WriteJSON(w, http.StatusOK, e)
	return nil
}

func (h *handlers) apiQR(w http.ResponseWriter, r *http.Request) error {
	e, err := h.s.App.Entities.GetByUSCC(r.Context(), r.PathValue("uscc"))
	if err != nil {
		return err
	}
	if e.Status == entity.StatusCancelled {
		return yserr.New(yserr.NotFound, "已注销的经营主体没有一企一码", "a cancelled entity has no QR code")
	}
	return h.writeQR(w, r, e.USCC)
}

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request) error {
	up, err := h.readUpload(w, r, false)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err != nil {
		return err
	}
	defer up.file.Close()
	rep, err := h.s.App.Entities.Import(r.Context(), up.file, up.filename, up.opts)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, rep)
	return nil
}

func (h *handlers) apiExport(w http.ResponseWriter, r *http.Request) error {
	var q ExportQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	if q.Format == "" {
		q.Format = entity.FormatXLSX
	}
	return h.streamExport(w, r, f, q.Format)
}
