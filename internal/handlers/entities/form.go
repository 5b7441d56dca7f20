package entities

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/entity"
	"yingshang/internal/refdata"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// formData is what entities/form renders besides the values in View.Form.
type formData struct {
	ID       int64 // 0 for a new entity
	Name     string
	Action   string
	Cancel   string
	Masked   bool
	Sizes    []option
	Statuses []option
	Depts    []option
	Sections []option
}

func (h *handlers) formView(r *http.Request, id int64, name string, masked bool) (*web.View, error) {
	v := h.s.View(r, "")
	d := &formData{ID: id, Name: name, Masked: masked, Action: "/entities/new", Cancel: "/entities",
		Sizes: sizeOptions(v.Lang), Statuses: statusOptions(v.Lang), Sections: sectionOptions()}
	v.Title = v.T("登记经营主体", "Register a market entity")
	if id != 0 {
		d.Action = "/entities/" + strconv.FormatInt(id, 10) + "/edit"
		d.Cancel = "/entities/" + strconv.FormatInt(id, 10)
		v.Title = v.T("修改经营主体", "Edit market entity")
	}
	depts, err := h.s.App.Accounts.ListDepartments(r.Context())
	if err != nil {
		return nil, err
	}
	a := auth.From(r.Context())
	for _, dep := range depts {
		if a.Has(auth.PlatformAdmin) || a.InScope(dep.ID) {
			d.Depts = append(d.Depts, option{Value: strconv.FormatInt(dep.ID, 10), Label: strings.Repeat("　", dep.Depth) + dep.Name})
		}
	}
	v.Data = d
	return v, nil
}

func (h *handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	v, err := h.formView(r, 0, "", false)
	if err != nil {
		return err
	}
	v.Form = url.Values{"status": {string(entity.StatusActive)}}
	return h.s.Render(w, r, http.StatusOK, viewForm, v)
}

func (h *handlers) create(w http.ResponseWriter, r *http.Request) error {
	v, err := h.formView(r, 0, "", false)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	in, err := h.inputFrom(r.PostForm)
	if err != nil {
		return h.s.FormError(w, r, viewForm, v, err)
	}
	e, err := h.s.App.Entities.Create(r.Context(), in)
	if err != nil {
		return h.s.FormError(w, r, viewForm, v, err)
	}
	return h.s.Redirect(w, r, "/entities/"+strconv.FormatInt(e.ID, 10), v.T("已登记："+e.Name, "Registered: "+e.Name))
}

func (h *handlers) editForm(w http.ResponseWriter, r *http.Request) error {
	e, err := h.editable(r)
	if err != nil {
		return err
	}
	v, err := h.formView(r, e.ID, e.Name, e.Masked)
	if err != nil {
		return err
	}
	v.Form = formValues(e)
	writeNoStore(w)
	return h.s.Render(w, r, http.StatusOK, viewForm, v)
}

func (h *handlers) update(w http.ResponseWriter, r *http.Request) error {
	e, err := h.editable(r)
	if err != nil {
		return err
	}
	v, err := h.formView(r, e.ID, e.Name, e.Masked)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	in, err := h.inputFrom(r.PostForm)
	if err != nil {
		return h.s.FormError(w, r, viewForm, v, err)
	}
	e, err = h.s.App.Entities.Update(r.Context(), e.ID, in)
	if err != nil {
		return h.s.FormError(w, r, viewForm, v, err)
	}
	return h.s.Redirect(w, r, "/entities/"+strconv.FormatInt(e.ID, 10), v.T("已保存："+e.Name, "Saved: "+e.Name))
}

// editable loads the entity of the path, refusing early (the service
// would refuse on submit) when it is managed outside the caller's scope.
func (h *handlers) editable(r *http.Request) (*entity.Entity, error) {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return nil, err
	}
	e, err := h.s.App.Entities.Get(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !mayEdit(auth.From(r.Context()), e) {
		return nil, yserr.New(yserr.Forbidden, "该经营主体由其他部门管理，无权修改", "the entity is managed by another department; you may not change it")
	}
	return e, nil
}

// formValues fills the form from an entity. A computed size class is left
// empty so that it is computed again from the new figures.
func formValues(e *entity.Entity) url.Values {
	f := url.Values{}
	set := func(k, v string) { f.Set(k, v) }
	set(entity.FieldUSCC, e.USCC)
	set(entity.FieldName, e.Name)
	set(entity.FieldType, e.Type)
	set(entity.FieldLegalRepName, e.LegalRepName)
	set(entity.FieldLegalRepID, e.LegalRepID)
	set(entity.FieldAddress, e.Address)
	set(entity.FieldRegion, e.RegionCode)
	set(entity.FieldIndustry, e.IndustryCode)
	if e.Employees != nil {
		set(entity.FieldEmployees, strconv.Itoa(*e.Employees))
	}
	if e.RevenueWan != nil {
		set(entity.FieldRevenue, strconv.FormatFloat(*e.RevenueWan, 'f', -1, 64))
	}
	if e.AssetsWan != nil {
		set(entity.FieldAssets, strconv.FormatFloat(*e.AssetsWan, 'f', -1, 64))
	}
	if e.SizeSource == entity.SizeSet {
		set(entity.FieldSize, string(e.SizeClass))
	}
	set(entity.FieldFoundedOn, e.FoundedOn)
	set(entity.FieldStatus, string(e.Status))
	set(entity.FieldPhone, e.Phone)
	set(entity.FieldTags, strings.Join(e.Tags, ","))
	if e.DepartmentID != 0 {
		set(entity.FieldDepartment, strconv.FormatInt(e.DepartmentID, 10))
	}
	return f
}

// inputFrom reads the form. Numbers that do not parse are reported
// together with every other field the service would refuse, so that the
// user sees all problems at once.
func (h *handlers) inputFrom(f url.Values) (entity.Input, error) {
	in := entity.Input{
		USCC: f.Get(entity.FieldUSCC), Name: f.Get(entity.FieldName), Type: f.Get(entity.FieldType),
		LegalRepName: f.Get(entity.FieldLegalRepName), LegalRepID: f.Get(entity.FieldLegalRepID),
		Address: f.Get(entity.FieldAddress), RegionCode: f.Get(entity.FieldRegion), IndustryCode: f.Get(entity.FieldIndustry),
		SizeClass: refdata.Size(f.Get(entity.FieldSize)), FoundedOn: f.Get(entity.FieldFoundedOn),
		Status: entity.Status(f.Get(entity.FieldStatus)), Phone: f.Get(entity.FieldPhone),
	}
	if t := strings.TrimSpace(f.Get(entity.FieldTags)); t != "" {
		in.Tags = []string{t}
	}
	var v yserr.Validation
	in.Employees = parseInt(&v, f, entity.FieldEmployees, "从业人员", "employees")
	in.RevenueWan = parseFloat(&v, f, entity.FieldRevenue, "营业收入", "revenue")
	in.AssetsWan = parseFloat(&v, f, entity.FieldAssets, "资产总额", "total assets")
	if s := strings.TrimSpace(f.Get(entity.FieldDepartment)); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			v.Add(entity.FieldDepartment, "部门选择无效", "invalid department")
		}
		in.DepartmentID = n
	}
	if v.Err() == nil {
		return in, nil
	}
	// Add what the service would say about the other fields.
	c := in
	if strings.Contains(c.LegalRepID, "*") {
		c.LegalRepID = ""
	}
	if strings.Contains(c.Phone, "*") {
		c.Phone = ""
	}
	if err := h.s.App.Entities.Validate(&c); err != nil {
		for _, fe := range yserr.As(err).Fields {
			if !v.Has(fe.Field) {
				v.Add(fe.Field, fe.ZH, fe.EN)
			}
		}
	}
	return in, v.Err()
}

// number cleans a typed number: spaces and thousands separators go.
func number(f url.Values, field string) string {
	return strings.NewReplacer(",", "", "，", "", " ", "").Replace(strings.TrimSpace(f.Get(field)))
}

func parseInt(v *yserr.Validation, f url.Values, field, zh, en string) *int {
	s := number(f, field)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		v.Add(field, zh+"应为整数", en+" must be a whole number")
		return nil
	}
	return &n
}

func parseFloat(v *yserr.Validation, f url.Values, field, zh, en string) *float64 {
	s := number(f, field)
	if s == "" {
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		v.Add(field, zh+"应为数字（单位万元）", en+" must be a number (10k yuan)")
		return nil
	}
	return &n
}
