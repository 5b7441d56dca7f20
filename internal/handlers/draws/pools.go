package draws

import (
	"net/http"
	"strconv"

	"yingshang/internal/draw"
	"yingshang/internal/yserr"
)

func (h *handlers) poolsView(r *http.Request) (map[string]any, error) {
	ctx := r.Context()
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	experts, total, err := h.svc.Experts(ctx, draw.ExpertFilter{Q: q.Get("q"), Specialty: q.Get("specialty"), Status: q.Get("status"), Page: page})
	if err != nil {
		return nil, err
	}
	staff, err := h.svc.People(ctx, "staff")
	if err != nil {
		return nil, err
	}
	witnesses, err := h.svc.People(ctx, "witness")
	if err != nil {
		return nil, err
	}
	rooms, err := h.svc.Rooms(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Experts": experts, "Total": total, "Staff": staff, "Witnesses": witnesses, "Rooms": rooms,
		"Specialties": draw.Specialties}, nil
}

// pools: GET /draws/pools.
func (h *handlers) pools(w http.ResponseWriter, r *http.Request) error {
	data, err := h.poolsView(r)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("抽取库", "Pools")
	v.Data = data
	return h.s.Render(w, r, http.StatusOK, viewPools, v)
}

func (h *handlers) poolsError(w http.ResponseWriter, r *http.Request, err error) error {
	if !yserr.Is(err, yserr.Invalid) {
		return err
	}
	data, derr := h.poolsView(r)
	if derr != nil {
		return derr
	}
	v := h.s.View(r, "")
	v.Title = v.T("抽取库", "Pools")
	v.Data = data
	return h.s.FormError(w, r, viewPools, v, err)
}

// addExpert: POST /draws/pools/experts.
func (h *handlers) addExpert(w http.ResponseWriter, r *http.Request) error {
	in := draw.ExpertInput{Name: r.FormValue("name"), Username: r.FormValue("username"), Phone: r.FormValue("phone"),
		Specialties: splitForm(r.FormValue("specialties")), EmployerUSCC: r.FormValue("employer_uscc"),
		EmployerName: r.FormValue("employer_name"), Region: r.FormValue("region_code"), Title: r.FormValue("title"),
		Relations: splitForm(r.FormValue("relations"))}
	e, err := h.svc.CreateExpert(r.Context(), in)
	if err != nil {
		return h.poolsError(w, r, err)
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/draws/pools", v.T("已加入专家库：", "Expert added: ")+e.Pseudonym)
}

// expertStatus: POST /draws/pools/experts/{id}/status.
func (h *handlers) expertStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.svc.SetExpertStatus(r.Context(), id, r.FormValue("status")); err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/draws/pools", v.T("状态已更新", "Status updated"))
}

// addPerson: POST /draws/pools/people.
func (h *handlers) addPerson(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.svc.CreatePerson(r.Context(), r.FormValue("kind"), r.FormValue("name"), r.FormValue("username")); err != nil {
		return h.poolsError(w, r, err)
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/draws/pools", v.T("已添加", "Added"))
}

// addRoom: POST /draws/pools/rooms.
func (h *handlers) addRoom(w http.ResponseWriter, r *http.Request) error {
	capacity, _ := strconv.Atoi(r.FormValue("capacity"))
	if _, err := h.svc.CreateRoom(r.Context(), r.FormValue("code"), r.FormValue("venue"), r.FormValue("room_name"), capacity); err != nil {
		return h.poolsError(w, r, err)
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/draws/pools", v.T("已添加房间", "Room added"))
}

// importExperts: POST /draws/pools/import (multipart, part "file").
func (h *handlers) importExperts(w http.ResponseWriter, r *http.Request) error {
	file, _, err := r.FormFile("file")
	if err != nil {
		return h.poolsError(w, r, yserr.Field("file", "请选择 .xlsx 文件", "choose an .xlsx file"))
	}
	defer file.Close()
	res, err := h.svc.ImportExperts(r.Context(), file)
	if err != nil {
		return h.poolsError(w, r, err)
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/draws/pools", v.T("已导入专家 ", "Experts imported: ")+strconv.Itoa(res.Created))
}
