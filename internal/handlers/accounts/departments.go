package accounts

import (
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/account"
	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/refdata"
	"yingshang/internal/web"
)

var deptKinds = []string{"city", "county", "bureau", "office"}

func (h *handlers) mountDepartments() {
	s := h.s
	admins := []auth.Role{auth.PlatformAdmin, auth.DeptAdmin}
	s.Page("GET /admin/departments", h.departments, admins...)
	s.Page("POST /admin/departments", h.createDepartment, admins...)
	s.Page("GET /admin/departments/{id}", h.editDepartment, admins...)
	s.Page("POST /admin/departments/{id}", h.updateDepartment, admins...)

	reg, mux := s.API, s.Mux
	tags := []string{"account"}
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/departments", ID: "listDepartments", Summary: "部门树 / The department tree",
		Description: "Every department in depth-first order, with its depth in the tree.",
		Tags:        tags, Auth: api.AuthUser, Resp: api.Page[account.Department]{}}, h.apiDepartments)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/departments", ID: "createDepartment", Summary: "新建部门 / Create a department",
		Tags: tags, Auth: "platform_admin,dept_admin", Body: account.DepartmentInput{}, Resp: account.Department{}, Status: http.StatusCreated}, h.apiCreateDepartment)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/departments/{id}", ID: "getDepartment", Summary: "部门详情 / Get a department",
		Tags: tags, Auth: api.AuthUser, Resp: account.Department{}}, h.apiDepartment)
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/departments/{id}", ID: "updateDepartment", Summary: "修改部门 / Update a department",
		Tags: tags, Auth: "platform_admin,dept_admin", Body: account.DepartmentInput{}, Resp: account.Department{}}, h.apiUpdateDepartment)
}

// deptRow is a department as the tree shows it.
type deptRow struct {
	account.Department
	Indent     string
	KindLabel  string
	RegionName string
	ParentName string
	Editable   bool
}

type deptPage struct {
	Rows    []deptRow
	Parents []option // where the caller may add or move a department
	Kinds   []option
	TopOK   bool                // the caller may create a top-level department
	Dept    *account.Department // the department being edited, nil on the tree page
	// RegionName names the region code in the form.
	RegionName string
}

// deptPage builds the tree; exclude (with everything below it) is left out
// of the parent choices.
func (h *handlers) deptPage(r *http.Request, v *web.View, exclude int64) (*deptPage, error) {
	depts, err := h.s.App.Accounts.ListDepartments(r.Context())
	if err != nil {
		return nil, err
	}
	a := auth.From(r.Context())
	names := deptNames(depts)
	p := &deptPage{TopOK: a.Has(auth.PlatformAdmin)}
	for _, d := range depts {
		p.Rows = append(p.Rows, deptRow{Department: d, Indent: strings.Repeat("　　", d.Depth), KindLabel: account.KindLabel(d.Kind, v.Lang),
			RegionName: refdata.FullName(d.RegionCode), ParentName: names[d.ParentID], Editable: a.InScope(d.ID)})
	}
	below := subtree(depts, exclude)
	p.Parents = deptOptions(depts, func(d account.Department) bool { return a.InScope(d.ID) && !below[d.ID] })
	for _, k := range deptKinds {
		p.Kinds = append(p.Kinds, option{Value: k, Label: account.KindLabel(k, v.Lang)})
	}
	return p, nil
}

// subtree returns id and the departments below it (depts in tree order).
func subtree(depts []account.Department, id int64) map[int64]bool {
	out := map[int64]bool{}
	depth := -1
	for _, d := range depts {
		switch {
		case d.ID == id:
			out[d.ID], depth = true, d.Depth
		case depth >= 0 && d.Depth > depth:
			out[d.ID] = true
		case depth >= 0:
			return out
		}
	}
	return out
}

func deptInput(r *http.Request) (account.DepartmentInput, error) {
	parent, err := formID(r, "parent_id")
	in := account.DepartmentInput{ParentID: parent, Code: r.PostFormValue("code"), Name: r.PostFormValue("name"),
		NameEN: strings.TrimSpace(r.PostFormValue("name_en")), Kind: r.PostFormValue("kind"), RegionCode: strings.TrimSpace(r.PostFormValue("region_code"))}
	return in, err
}

func (h *handlers) departments(w http.ResponseWriter, r *http.Request) error {
	v := h.view(r, "部门", "Departments")
	p, err := h.deptPage(r, v, 0)
	if err != nil {
		return err
	}
	v.Data = p
	return h.s.Render(w, r, http.StatusOK, "accounts/departments", v)
}

func (h *handlers) createDepartment(w http.ResponseWriter, r *http.Request) error {
	v := h.view(r, "部门", "Departments")
	p, err := h.deptPage(r, v, 0)
	if err != nil {
		return err
	}
	v.Data = p
	in, err := deptInput(r)
	p.RegionName = refdata.FullName(in.RegionCode)
	if err == nil {
		var d *account.Department
		if d, err = h.s.App.Accounts.CreateDepartment(r.Context(), in); err == nil {
			return h.s.Redirect(w, r, "/admin/departments", v.T("已新建部门：", "Department created: ")+d.Name)
		}
	}
	return h.s.FormError(w, r, "accounts/departments", v, err)
}

func (h *handlers) deptForm(r *http.Request) (*web.View, error) {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return nil, err
	}
	d, err := h.s.App.Accounts.GetDepartment(r.Context(), id)
	if err != nil {
		return nil, err
	}
	v := h.view(r, "修改部门", "Edit department")
	p, err := h.deptPage(r, v, d.ID)
	if err != nil {
		return nil, err
	}
	p.Dept = d
	v.Data = p
	return v, nil
}

func (h *handlers) editDepartment(w http.ResponseWriter, r *http.Request) error {
	v, err := h.deptForm(r)
	if err != nil {
		return err
	}
	p := v.Data.(*deptPage)
	d := p.Dept
	p.RegionName = refdata.FullName(d.RegionCode)
	v.Form = map[string][]string{"parent_id": {idText(d.ParentID)}, "code": {d.Code}, "name": {d.Name}, "name_en": {d.NameEN},
		"kind": {d.Kind}, "region_code": {d.RegionCode}}
	return h.s.Render(w, r, http.StatusOK, "accounts/departments", v)
}

func (h *handlers) updateDepartment(w http.ResponseWriter, r *http.Request) error {
	v, err := h.deptForm(r)
	if err != nil {
		return err
	}
	p := v.Data.(*deptPage)
	d := p.Dept
	in, err := deptInput(r)
	p.RegionName = refdata.FullName(in.RegionCode)
	if err == nil {
		var nd *account.Department
		if nd, err = h.s.App.Accounts.UpdateDepartment(r.Context(), d.ID, in); err == nil {
			return h.s.Redirect(w, r, "/admin/departments", v.T("已保存部门：", "Department saved: ")+nd.Name)
		}
	}
	return h.s.FormError(w, r, "accounts/departments", v, err)
}

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func (h *handlers) apiDepartments(w http.ResponseWriter, r *http.Request) error {
	depts, err := h.s.App.Accounts.ListDepartments(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, api.NewPage(depts, int64(len(depts)), 0, 0))
	return nil
}

func (h *handlers) apiCreateDepartment(w http.ResponseWriter, r *http.Request) error {
	var in account.DepartmentInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	d, err := h.s.App.Accounts.CreateDepartment(r.Context(), in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, d)
	return nil
}

func (h *handlers) apiDepartment(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	d, err := h.s.App.Accounts.GetDepartment(r.Context(), id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, d)
	return nil
}

func (h *handlers) apiUpdateDepartment(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in account.DepartmentInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	d, err := h.s.App.Accounts.UpdateDepartment(r.Context(), id, in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, d)
	return nil
}
