package entities

import (
	"context"
	"net/http"
	"strconv"

	"yingshang/internal/api"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/entity"
	"yingshang/internal/refdata"
	"yingshang/internal/web"
)

// detailData is what entities/detail and entities/mine render.
type detailData struct {
	E            *entity.Entity
	RegionName   string
	Industry     []refdata.IndustryInfo // section down to the entity's class
	SizeLabel    string
	SizeSource   string
	StatusLabel  string
	Department   string
	History      []historyRow
	QR           qrLinks
	CanEdit      bool
	PublicActive bool // the public page exists (not cancelled)
	Mine         bool // an enterprise user's own page
}

type historyRow struct {
	audit.Event
	Label string
}

// qrLinks are the addresses around an entity's code.
type qrLinks struct {
	Page     string // the public page the code encodes
	Image    string
	Download string
	Print    string
}

func (h *handlers) qrLinks(uscc string) qrLinks {
	p := "/e/" + uscc
	return qrLinks{Page: h.publicURL(uscc), Image: p + "/qr.png", Download: p + "/qr.png?download=1", Print: p + "/print"}
}

func (h *handlers) detail(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	e, err := h.s.App.Entities.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if a := auth.From(r.Context()); !a.Has(readRoles...) {
		return h.s.Redirect(w, r, "/my/entity", "") // an enterprise user's own entity
	}
	v := h.s.View(r, e.Name)
	d, err := h.detailData(r.Context(), v, e)
	if err != nil {
		return err
	}
	// The history is read only now that Get has shown the caller may see the entity.
	ev, err := h.s.App.Audit.ForObject(r.Context(), "entity", strconv.FormatInt(e.ID, 10))
	if err != nil {
		return err
	}
	for _, x := range ev {
		d.History = append(d.History, historyRow{Event: x, Label: actionLabel(v, x.Action)})
	}
	d.CanEdit = mayEdit(auth.From(r.Context()), e)
	v.Data = d
	writeNoStore(w)
	return h.s.Render(w, r, http.StatusOK, viewDetail, v)
}

// mine is an enterprise user's own entity.
func (h *handlers) mine(w http.ResponseWriter, r *http.Request) error {
	a := auth.From(r.Context())
	v := h.s.View(r, "")
	v.Title = v.T("我的企业", "My business")
	if a.EntityID == 0 {
		return h.s.Render(w, r, http.StatusOK, viewMine, v)
	}
	e, err := h.s.App.Entities.Get(r.Context(), a.EntityID)
	if err != nil {
		return err
	}
	d, err := h.detailData(r.Context(), v, e)
	if err != nil {
		return err
	}
	d.Mine = true
	v.Data = d
	writeNoStore(w)
	return h.s.Render(w, r, http.StatusOK, viewDetail, v)
}

func (h *handlers) detailData(ctx context.Context, v *web.View, e *entity.Entity) (*detailData, error) {
	d := &detailData{E: e, RegionName: refdata.FullName(e.RegionCode), Industry: refdata.IndustryPath(e.IndustryCode),
		SizeLabel: sizeLabel(e, v.Lang), StatusLabel: e.Status.Label(v.Lang), QR: h.qrLinks(e.USCC),
		PublicActive: e.Status != entity.StatusCancelled}
	switch e.SizeSource {
	case entity.SizeComputed:
		d.SizeSource = v.T("按划型标准计算", "computed from the size standard")
	case entity.SizeSet:
		d.SizeSource = v.T("人工认定", "set by hand")
	}
	if e.DepartmentID != 0 {
		dep, err := h.s.App.Accounts.GetDepartment(ctx, e.DepartmentID)
		if err != nil {
			return nil, err
		}
		d.Department = dep.Name
		if v.Lang == "en" && dep.NameEN != "" {
			d.Department = dep.NameEN
		}
	}
	return d, nil
}

// actionLabel names an audit action on an entity.
func actionLabel(v *web.View, action string) string {
	switch action {
	case "entity.create":
		return v.T("登记", "Registered")
	case "entity.update":
		return v.T("修改", "Changed")
	}
	return action
}
