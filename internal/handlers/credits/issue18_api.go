package credits

import (
	"net/http"
	"strconv"

	"yingshang/internal/api"
	"yingshang/internal/credit"
	"yingshang/internal/yserr"
)

// AssistedForm documents the multipart form of an assisted application
// besides the file (one part named "authorisation": PDF, PNG or JPEG).
type AssistedForm struct {
	RecordID  int64  `json:"record_id"`
	Statement string `json:"statement"`
}

// ListEntryInput includes or leaves out a candidate of a draft list.
type ListEntryInput struct {
	EntityID int64 `json:"entity_id"`
	Included bool  `json:"included"`
}

// PublicCommitmentQuery filters the public commitment list.
type PublicCommitmentQuery struct {
	Status  string `query:"status" enum:",open,fulfilled,breached"`
	Page    int    `query:"page"`
	PerPage int    `query:"per_page"`
}

// RepairStages is an application's steps and its step bar.
type RepairStages struct {
	Steps []credit.Step    `json:"steps"`
	Bar   []credit.BarItem `json:"bar"`
}

// mountStagedAPI registers the operations of assisted repair, staged
// review, red and black lists, public commitments and the 双公示 report
// (issue 18 items 6, 8, 11).
func (h *handlers) mountStagedAPI() {
	reg, mux := h.s.API, h.s.Mux
	tags := []string{"credit"}
	op := func(method, path, id, summary, auth string, query, body, resp any, status int, fn func(w http.ResponseWriter, r *http.Request) error) {
		reg.Handle(mux, api.Op{Method: method, Path: path, ID: id, Summary: summary, Tags: tags, Auth: auth, Query: query, Body: body, Resp: resp, Status: status}, fn)
	}
	op("GET", "/api/v1/credit/service-points", "listCreditServicePoints", "帮办代办服务点 / Service points", authRead, nil, nil, []credit.ServicePoint{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			return h.json(w, http.StatusOK)(h.svc.ServicePoints(r.Context()))
		})
	op("PUT", "/api/v1/credit/service-points", "setCreditServicePoint", "登记、修改或停用帮办代办服务点（信用办） / Register, change or disable a service point (credit office)", authWrite, nil, credit.ServicePoint{}, credit.ServicePoint{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			var in credit.ServicePoint
			if err := api.Decode(r, &in); err != nil {
				return err
			}
			return h.json(w, http.StatusOK)(h.svc.SetServicePoint(r.Context(), in))
		})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/credit/assisted", ID: "applyCreditAssisted", Tags: tags, Auth: "dept_admin,dept_staff",
		Summary: "代办信用修复申请（服务点） / Apply on an enterprise's behalf (service point)", Multipart: true, Body: AssistedForm{}, Resp: credit.Assisted{}, Status: http.StatusCreated,
		Description: "Multipart form: record_id, statement and one part named authorisation (the enterprise's signed authorisation; PDF, PNG or JPEG, checked by content). " +
			"Staff of a registered service point only. The enterprise must confirm before the application goes to review."}, h.apiAssisted)
	op("GET", "/api/v1/credit/assisted", "listCreditAssisted", "代办申请 / Assisted applications", authRead, StatusQuery{}, nil, []credit.Assisted{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			return h.json(w, http.StatusOK)(h.svc.AssistedList(r.Context(), r.URL.Query().Get("status")))
		})
	op("GET", "/api/v1/credit/assisted/{id}", "getCreditAssisted", "代办申请 / An assisted application", authRead, IDPath{}, nil, credit.Assisted{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			return h.withID(w, r, func(id int64) (any, error) { return h.svc.GetAssisted(r.Context(), id) })
		})
	op("POST", "/api/v1/credit/assisted/{id}/answer", "answerCreditAssisted", "企业确认或拒绝代办申请 / The enterprise confirms or refuses", "enterprise", IDPath{}, credit.AnswerInput{}, credit.Assisted{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			var in credit.AnswerInput
			if err := api.Decode(r, &in); err != nil {
				return err
			}
			return h.withID(w, r, func(id int64) (any, error) { return h.svc.AnswerAssisted(r.Context(), id, in) })
		})
	op("GET", "/api/v1/credit/review-routes", "listCreditReviewRoutes", "审核路径（初审、外部审核） / Review routes", authRead, nil, nil, []credit.Route{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			return h.json(w, http.StatusOK)(h.svc.Routes(r.Context()))
		})
	op("PUT", "/api/v1/credit/review-routes", "setCreditReviewRoute", "设置审核路径（信用办） / Set a kind's review route (credit office)", authWrite, nil, credit.Route{}, credit.Route{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			var in credit.Route
			if err := api.Decode(r, &in); err != nil {
				return err
			}
			return h.json(w, http.StatusOK)(h.svc.SetRoute(r.Context(), in))
		})
	op("DELETE", "/api/v1/credit/review-routes/{kind}", "resetCreditReviewRoute", "停用设置的审核路径，恢复默认（信用办） / Remove a kind's route: the default applies again (credit office)", authWrite, KindPath{}, nil, nil, http.StatusNoContent,
		func(w http.ResponseWriter, r *http.Request) error {
			if err := h.svc.ResetRoute(r.Context(), r.PathValue("kind")); err != nil {
				return err
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		})
	op("GET", "/api/v1/credit/repairs/{id}/steps", "listCreditRepairSteps", "审核环节及时限 / Review steps with their clocks", authRead, IDPath{}, nil, RepairStages{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			return h.withID(w, r, func(id int64) (any, error) {
				steps, err := h.svc.Steps(r.Context(), id)
				if err != nil {
					return nil, err
				}
				bar, err := h.svc.StepBar(r.Context(), id)
				return RepairStages{Steps: steps, Bar: bar}, err
			})
		})
	op("POST", "/api/v1/credit/repairs/{id}/first-review", "firstReviewCreditRepair", "信用办初审 / First review by the credit office", authWrite, IDPath{}, credit.FirstReviewInput{}, credit.Repair{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			var in credit.FirstReviewInput
			if err := api.Decode(r, &in); err != nil {
				return err
			}
			return h.withID(w, r, func(id int64) (any, error) { return h.svc.FirstReview(r.Context(), id, in) })
		})
	op("POST", "/api/v1/credit/repairs/{id}/external", "recordCreditExternalOutcome", "登记外部审核结果 / Record the external outcome", authWrite, IDPath{}, credit.ExternalInput{}, credit.Repair{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			var in credit.ExternalInput
			if err := api.Decode(r, &in); err != nil {
				return err
			}
			return h.withID(w, r, func(id int64) (any, error) { return h.svc.RecordExternal(r.Context(), id, in) })
		})
	op("GET", "/api/v1/credit/lists", "listCreditLists", "红黑榜（含待发布） / Red and black lists, drafts included", authStaff, nil, nil, []credit.CreditList{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			return h.json(w, http.StatusOK)(h.svc.Lists(r.Context()))
		})
	op("POST", "/api/v1/credit/lists", "draftCreditList", "拟定红黑榜（自动生成候选名单） / Draft a list with its candidates", authWrite, nil, credit.ListInput{}, credit.CreditList{}, http.StatusCreated,
		func(w http.ResponseWriter, r *http.Request) error {
			var in credit.ListInput
			if err := api.Decode(r, &in); err != nil {
				return err
			}
			return h.json(w, http.StatusCreated)(h.svc.DraftList(r.Context(), in))
		})
	op("GET", "/api/v1/credit/lists/{id}", "getCreditList", "红黑榜 / A list", authStaff, IDPath{}, nil, credit.CreditList{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			return h.withID(w, r, func(id int64) (any, error) { return h.svc.GetList(r.Context(), id) })
		})
	op("POST", "/api/v1/credit/lists/{id}/entries", "setCreditListEntry", "确认候选对象 / Include or leave out a candidate", authWrite, IDPath{}, ListEntryInput{}, credit.CreditList{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			var in ListEntryInput
			if err := api.Decode(r, &in); err != nil {
				return err
			}
			return h.withID(w, r, func(id int64) (any, error) { return h.svc.SetListEntry(r.Context(), id, in.EntityID, in.Included) })
		})
	op("POST", "/api/v1/credit/lists/{id}/publish", "publishCreditList", "发布红黑榜 / Publish a list", authWrite, IDPath{}, nil, credit.CreditList{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			return h.withID(w, r, func(id int64) (any, error) { return h.svc.PublishList(r.Context(), id) })
		})
	op("GET", "/api/v1/credit/public/lists", "listPublicCreditLists", "已发布的红黑榜 / Published red and black lists", "public", nil, nil, []credit.CreditList{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			return h.json(w, http.StatusOK)(h.svc.PublicLists(r.Context()))
		})
	op("GET", "/api/v1/credit/public/lists/{id}", "getPublicCreditList", "红黑榜（公示） / A published list", "public", IDPath{}, nil, credit.CreditList{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			return h.withID(w, r, func(id int64) (any, error) { return h.svc.PublicList(r.Context(), id) })
		})
	op("GET", "/api/v1/credit/public/commitments", "listPublicCreditCommitments", "信用承诺公示 / Public commitments with their status", "public", PublicCommitmentQuery{}, nil, api.Page[credit.PublicCommitment]{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			var q PublicCommitmentQuery
			if err := api.DecodeQuery(r, &q); err != nil {
				return err
			}
			q.Page, q.PerPage = max(q.Page, 1), defaultPer(q.PerPage)
			items, total, err := h.svc.PublicCommitments(r.Context(), q.Status, q.Page, q.PerPage)
			if err != nil {
				return err
			}
			api.WriteJSON(w, http.StatusOK, api.NewPage(items, total, q.Page, q.PerPage))
			return nil
		})
	op("GET", "/api/v1/credit/reports/publicity", "getCreditPublicityReport", "双公示及时率（7个工作日） / dual publicity (licensing and penalty decisions) timeliness per department and month", authStaff, credit.PublicityQuery{}, nil, credit.PublicityReport{}, 0,
		func(w http.ResponseWriter, r *http.Request) error {
			var q credit.PublicityQuery
			if err := api.DecodeQuery(r, &q); err != nil {
				return err
			}
			return h.json(w, http.StatusOK)(h.svc.Publicity(r.Context(), q))
		})
}

func defaultPer(n int) int {
	if n <= 0 || n > 100 {
		return 50
	}
	return n
}

// json writes a service result or passes its error on.
func (h *handlers) json(w http.ResponseWriter, status int) func(v any, err error) error {
	return func(v any, err error) error {
		if err != nil {
			return err
		}
		api.WriteJSON(w, status, v)
		return nil
	}
}

func (h *handlers) apiAssisted(w http.ResponseWriter, r *http.Request) error {
	in, err := assistedInput(r, h.s.App.Cfg.UploadLimit)
	if err != nil {
		return err
	}
	return h.json(w, http.StatusCreated)(h.svc.ApplyAssisted(r.Context(), in))
}

// assistedInput reads the assisted application form.
func assistedInput(r *http.Request, limit int64) (credit.AssistedInput, error) {
	var in credit.AssistedInput
	if err := r.ParseMultipartForm(limit); err != nil && err != http.ErrNotMultipart {
		return in, yserr.New(yserr.TooLarge, "上传内容过大", "the upload is too large").Wrap(err)
	}
	in.RecordID, _ = strconv.ParseInt(r.FormValue("record_id"), 10, 64)
	in.Statement = r.FormValue("statement")
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["authorisation"]; len(fhs) > 0 && fhs[0].Size > 0 {
			b, err := readPart(fhs[0])
			if err != nil {
				return in, err
			}
			in.Authorisation = &credit.Upload{Name: fhs[0].Filename, Data: b}
		}
	}
	return in, nil
}

// KindPath names a record kind in the path.
type KindPath struct {
	Kind string `path:"kind" doc:"penalty, serious_list, abnormal or breach"`
}
