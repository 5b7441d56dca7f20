package procure

import (
	"context"
	"net/http"

	"yingshang/internal/api"
	"yingshang/internal/procure"
)

// Bids through bideval's double-blind flow: the tender notice form of the
// project page and the JSON API (docs/procure.md, "Double-blind bids").

func (h *handlers) mountBlind() {
	svc := h.svc
	h.s.Page("POST /procure/projects/{id}/blind-notice", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		_, err := svc.PublishBlindNotice(ctx, id, procure.BlindNoticeInput{PurchaserUSCC: r.FormValue("purchaser_uscc"), Specialties: []string{r.FormValue("specialties")},
			DeadlineAt: r.FormValue("deadline_at"), Rule: r.FormValue("rule")})
		return err
	}), unitRoles...)

	reg, mux := h.s.API, h.s.Mux
	tags := []string{"procure"}
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}/blind", ID: "getProcureBlind", Tags: tags, Auth: api.AuthPublic,
		Summary: "双盲评审状态 / A blind project's double-blind evaluation: notice, deadline, status",
		Description: "Tender-document facts only (null before the notice or for projects without the blind flag). No code, technical score or price of a supplier " +
			"is held by procure before bideval's unmasking; after procure's evaluation the bids carry their blind_code.",
		Query: IDPath{}, Resp: procure.BlindState{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		st, err := svc.Blind(r.Context(), id)
		return reply(w, http.StatusOK, st, err)
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/projects/{id}/blind-notice", ID: "publishProcureBlindNotice", Tags: tags,
		Auth:    "platform_admin,dept_admin,dept_staff",
		Summary: "发布双盲评审招标公告 / Publish a blind project's tender notice: registers the draw project and bideval's settings",
		Description: "Staff of the project's unit, once, while the project is open. Procedure gov_open (open tender: deadline at least 20 days after the notice) or " +
			"gov_consultation (competitive consultation: 10 days); the criteria are the project's indicators, the price weight the project's. Errors name deadline_at, " +
			"purchaser_uscc, specialties or rule.",
		Query: IDPath{}, Body: procure.BlindNoticeInput{}, Resp: procure.BlindState{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		return withBody(w, r, http.StatusCreated, true, func(id int64, in procure.BlindNoticeInput) (*procure.BlindState, error) {
			return svc.PublishBlindNotice(r.Context(), id, in)
		})
	})
}
