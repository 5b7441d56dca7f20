package procure

import (
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/procure"
	"yingshang/internal/yserr"
)

// IDPath names a row by its id.
type IDPath struct {
	ID int64 `path:"id" doc:"编号 / id"`
}

// Figures is the public figures page's data.
type Figures struct {
	Units []procure.UnitFigures `json:"units"`
}

// TemplateBody is an imported rating template: its code, name and CSV.
type TemplateBody struct {
	procure.TemplateInput
	CSV string `json:"csv" doc:"the template as CSV (UTF-8)"`
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, yserr.ErrNotFound("记录", "record")
	}
	return id, nil
}

// reply writes f's result as JSON with status.
func reply[T any](w http.ResponseWriter, status int, v T, err error) error {
	if err != nil {
		return err
	}
	api.WriteJSON(w, status, v)
	return nil
}

// withBody decodes the body into In and calls f.
func withBody[In, Out any](w http.ResponseWriter, r *http.Request, status int, byID bool, f func(id int64, in In) (Out, error)) error {
	var id int64
	if byID {
		var err error
		if id, err = pathID(r); err != nil {
			return err
		}
	}
	var in In
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	out, err := f(id, in)
	return reply(w, status, out, err)
}

func (h *handlers) mountAPI() {
	reg, mux, svc := h.s.API, h.s.Mux, h.svc
	tags := []string{"procure"}
	unit := "platform_admin,dept_admin,dept_staff"
	readers := "platform_admin,dept_admin,dept_staff,supervisor"
	reg.DescribeTag("procure", "政府采购 / Government procurement (docs/procure.md)")

	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/intentions", ID: "listProcureIntentions", Tags: tags, Auth: api.AuthPublic,
		Summary: "采购意向 / Published procurement intentions", Resp: []procure.Intention{}}, func(w http.ResponseWriter, r *http.Request) error {
		list, err := svc.Intentions(r.Context(), 200)
		return reply(w, http.StatusOK, list, err)
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/intentions", ID: "publishProcureIntention", Tags: tags, Auth: unit,
		Summary:     "公开采购意向 / Publish an intention of the caller's unit",
		Description: "At least procure-intention-days (default 30) before the procurement starts.",
		Body:        procure.IntentionInput{}, Resp: procure.Intention{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		return withBody(w, r, http.StatusCreated, false, func(_ int64, in procure.IntentionInput) (*procure.Intention, error) {
			return svc.PublishIntention(r.Context(), in)
		})
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/plans", ID: "listProcurePlans", Tags: tags, Auth: readers,
		Summary: "采购计划 / Purchasing plans", Description: "A unit sees its own (department scope); the finance bureau, admins and supervisors all.",
		Query: procure.PlanFilter{}, Resp: []procure.Plan{}}, func(w http.ResponseWriter, r *http.Request) error {
		var f procure.PlanFilter
		f.Status, f.Category = r.URL.Query().Get("status"), r.URL.Query().Get("category")
		f.Limit, _ = strconv.Atoi(r.URL.Query().Get("limit"))
		list, err := svc.Plans(r.Context(), f)
		return reply(w, http.StatusOK, list, err)
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/plans", ID: "submitProcurePlan", Tags: tags, Auth: unit,
		Summary: "提交采购计划 / Submit a plan line of the caller's unit", Body: procure.PlanInput{}, Resp: procure.Plan{}, Status: http.StatusCreated},
		func(w http.ResponseWriter, r *http.Request) error {
			return withBody(w, r, http.StatusCreated, false, func(_ int64, in procure.PlanInput) (*procure.Plan, error) { return svc.SubmitPlan(r.Context(), in) })
		})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/proposals", ID: "listPoolingProposals", Tags: tags, Auth: unit,
		Summary: "拼单建议 / Pooling proposals (finance bureau)", Description: "Open plans of one category and specification, wanted within procure-pool-window-days, from two or more units.",
		Resp: []procure.Proposal{}}, func(w http.ResponseWriter, r *http.Request) error {
		list, err := svc.Proposals(r.Context())
		if list == nil {
			list = []procure.Proposal{}
		}
		return reply(w, http.StatusOK, list, err)
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/pools", ID: "listProcurePools", Tags: tags, Auth: readers,
		Summary: "拼单组 / Pooling groups (a unit: those with its lines)", Resp: []procure.Pool{}}, func(w http.ResponseWriter, r *http.Request) error {
		list, err := svc.Pools(r.Context())
		return reply(w, http.StatusOK, list, err)
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/pools", ID: "createProcurePool", Tags: tags, Auth: unit,
		Summary: "组建拼单组 / Make a pooling group of plan lines (finance bureau)", Description: "Never across categories; the units then confirm their lines.",
		Body: procure.PoolInput{}, Resp: procure.Pool{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		return withBody(w, r, http.StatusCreated, false, func(_ int64, in procure.PoolInput) (*procure.Pool, error) { return svc.CreatePool(r.Context(), in) })
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/pools/{id}/confirm", ID: "confirmProcurePool", Tags: tags, Auth: unit,
		Summary: "确认拼单需求 / A unit confirms or withdraws its line", Query: IDPath{}, Body: procure.ConfirmInput{}, Resp: procure.Pool{}},
		func(w http.ResponseWriter, r *http.Request) error {
			return withBody(w, r, http.StatusOK, true, func(id int64, in procure.ConfirmInput) (*procure.Pool, error) {
				return svc.ConfirmPool(r.Context(), id, in)
			})
		})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/pools/{id}/lead", ID: "setProcurePoolLead", Tags: tags, Auth: unit,
		Summary: "指定牵头单位 / Name the lead unit and coordination group (finance bureau)", Query: IDPath{}, Body: procure.LeadInput{}, Resp: procure.Pool{}},
		func(w http.ResponseWriter, r *http.Request) error {
			return withBody(w, r, http.StatusOK, true, func(id int64, in procure.LeadInput) (*procure.Pool, error) { return svc.SetLead(r.Context(), id, in) })
		})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects", ID: "listProcureProjects", Tags: tags, Auth: api.AuthPublic,
		Summary: "采购项目公告 / Announced projects", Resp: []procure.Project{}}, func(w http.ResponseWriter, r *http.Request) error {
		list, err := svc.Projects(r.Context(), false, 200)
		return reply(w, http.StatusOK, list, err)
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/projects", ID: "createProcureProject", Tags: tags, Auth: unit,
		Summary:     "创建采购项目 / Create a project of the caller's unit (or, with pool_id, the pooled project of the lead unit)",
		Description: "The SME set-aside decision is mandatory and checked against procure-setaside (财库〔2020〕46号); price weight, deduction and committee size against the law.",
		Body:        procure.ProjectInput{}, Resp: procure.Project{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		return withBody(w, r, http.StatusCreated, false, func(_ int64, in procure.ProjectInput) (*procure.Project, error) {
			return svc.CreateProject(r.Context(), in)
		})
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}", ID: "getProcureProject", Tags: tags, Auth: api.AuthPublic,
		Summary: "采购项目 / A project as announced", Query: IDPath{}, Resp: procure.Project{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		p, err := svc.Project(r.Context(), id)
		return reply(w, http.StatusOK, p, err)
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}/results", ID: "getProcureResults", Tags: tags, Auth: api.AuthPublic,
		Summary: "成交结果及评分明细 / Ranked bids with score details, after the award", Query: IDPath{}, Resp: []procure.Bid{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			list, err := svc.PublicResults(r.Context(), id)
			return reply(w, http.StatusOK, list, err)
		})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}/bids", ID: "listProcureBids", Tags: tags, Auth: api.AuthUser,
		Summary: "投标 / A project's bids", Description: "The project's unit, the finance bureau and supervisors see all; a supplier only its own.",
		Query: IDPath{}, Resp: []procure.Bid{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		list, err := svc.Bids(r.Context(), id)
		return reply(w, http.StatusOK, list, err)
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/projects/{id}/bids", ID: "registerProcureBid", Tags: tags, Auth: "enterprise",
		Summary:     "报名并投标 / Register the caller's entity with its price and SME declaration",
		Description: "The credit check (scene procurement) runs first: a denial is 409 with the record's reasons. The declared size must match the registry.",
		Query:       IDPath{}, Body: procure.RegisterInput{}, Resp: procure.Bid{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		return withBody(w, r, http.StatusCreated, true, func(id int64, in procure.RegisterInput) (*procure.Bid, error) {
			return svc.Register(r.Context(), id, in)
		})
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/projects/{id}/evaluation", ID: "evaluateProcureBids", Tags: tags, Auth: unit,
		Summary: "评审 / Evaluate: price deduction, price score, ranks", Query: IDPath{}, Body: procure.ScoreInput{}, Resp: []procure.Bid{}},
		func(w http.ResponseWriter, r *http.Request) error {
			return withBody(w, r, http.StatusOK, true, func(id int64, in procure.ScoreInput) ([]procure.Bid, error) {
				return svc.EvaluateBids(r.Context(), id, in)
			})
		})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/projects/{id}/award", ID: "awardProcureProject", Tags: tags, Auth: unit,
		Summary: "确定成交 / Award to the first-ranked bid and make the contracts (one per unit of a pooled project)", Query: IDPath{}, Resp: procure.Project{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			p, err := svc.Award(r.Context(), id)
			return reply(w, http.StatusOK, p, err)
		})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/contracts", ID: "listProcureContracts", Tags: tags, Auth: api.AuthUser,
		Summary: "合同 / Contracts the caller may see (a supplier: its own)", Resp: []procure.Contract{}}, func(w http.ResponseWriter, r *http.Request) error {
		list, err := svc.Contracts(r.Context(), 0)
		return reply(w, http.StatusOK, list, err)
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/contracts/{id}/steps", ID: "advanceProcureContract", Tags: tags, Auth: unit,
		Summary: "合同签订、公告、验收、付款 / Record signing, publication, acceptance or payment", Query: IDPath{}, Body: procure.ContractStep{}, Resp: procure.Contract{}},
		func(w http.ResponseWriter, r *http.Request) error {
			return withBody(w, r, http.StatusOK, true, func(id int64, in procure.ContractStep) (*procure.Contract, error) {
				return svc.AdvanceContract(r.Context(), id, in)
			})
		})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/projects/{id}/challenges", ID: "fileProcureChallenge", Tags: tags, Auth: "enterprise",
		Summary: "提出质疑 / Challenge (within 7 working days of knowing)", Query: IDPath{}, Body: procure.ChallengeInput{}, Resp: procure.Challenge{}, Status: http.StatusCreated},
		func(w http.ResponseWriter, r *http.Request) error {
			return withBody(w, r, http.StatusCreated, true, func(id int64, in procure.ChallengeInput) (*procure.Challenge, error) {
				return svc.FileChallenge(r.Context(), id, in)
			})
		})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/challenges/{id}/answer", ID: "answerProcureChallenge", Tags: tags, Auth: unit,
		Summary: "答复质疑 / Answer a challenge (the project's unit)", Query: IDPath{}, Body: procure.TextInput{}, Resp: procure.Challenge{}},
		func(w http.ResponseWriter, r *http.Request) error {
			return withBody(w, r, http.StatusOK, true, func(id int64, in procure.TextInput) (*procure.Challenge, error) {
				return svc.AnswerChallenge(r.Context(), id, in)
			})
		})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/challenges/{id}/complaint", ID: "fileProcureComplaint", Tags: tags, Auth: "enterprise",
		Summary: "投诉 / Complain after the answer (within 15 working days)", Query: IDPath{}, Body: procure.TextInput{}, Resp: procure.Challenge{}},
		func(w http.ResponseWriter, r *http.Request) error {
			return withBody(w, r, http.StatusOK, true, func(id int64, in procure.TextInput) (*procure.Challenge, error) {
				return svc.Complain(r.Context(), id, in)
			})
		})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/challenges/{id}/decision", ID: "decideProcureComplaint", Tags: tags, Auth: unit,
		Summary: "处理投诉 / Decide a complaint (finance bureau)", Query: IDPath{}, Body: procure.TextInput{}, Resp: procure.Challenge{}},
		func(w http.ResponseWriter, r *http.Request) error {
			return withBody(w, r, http.StatusOK, true, func(id int64, in procure.TextInput) (*procure.Challenge, error) {
				return svc.DecideComplaint(r.Context(), id, in)
			})
		})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/rating-template", ID: "getProcureRatingTemplate", Tags: tags, Auth: api.AuthPublic,
		Summary: "四方互评模板 / The rating template in force (nodes and indicators)", Resp: procure.Template{}}, func(w http.ResponseWriter, r *http.Request) error {
		t, err := svc.ActiveTemplate(r.Context())
		return reply(w, http.StatusOK, t, err)
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/rating-templates", ID: "importProcureRatingTemplate", Tags: tags, Auth: unit,
		Summary: "导入互评模板 / Load a city's rating template from CSV (finance bureau)",
		Description: "Body: code, name and csv, the CSV with the header node_no,node_zh,node_en,code,indicator_zh,indicator_en,rater,ratee,max_points " +
			"(e.g. Xuchang's 12 nodes × 106 indicators). Errors name the row and column. The template becomes the one in force.",
		Body: TemplateBody{}, Resp: procure.Template{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		return withBody(w, r, http.StatusCreated, false, func(_ int64, in TemplateBody) (*procure.Template, error) {
			return svc.ImportTemplate(r.Context(), in.TemplateInput, strings.NewReader(in.CSV))
		})
	})
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/procure/projects/{id}/agency", ID: "setProcureAgency", Tags: tags, Auth: unit,
		Summary: "指定采购代理机构 / Name the project's procurement agency (the project's unit)", Query: IDPath{}, Body: procure.AgencyInput{}, Resp: procure.Project{}},
		func(w http.ResponseWriter, r *http.Request) error {
			return withBody(w, r, http.StatusOK, true, func(id int64, in procure.AgencyInput) (*procure.Project, error) {
				return svc.SetAgency(r.Context(), id, in)
			})
		})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}/ratings", ID: "listProcureRatings", Tags: tags, Auth: api.AuthPublic,
		Summary: "四方互评结果 / The project's mutual ratings with their points (published)", Query: IDPath{}, Resp: []procure.Rating{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			list, err := svc.Ratings(r.Context(), id)
			return reply(w, http.StatusOK, list, err)
		})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/projects/{id}/rating-tasks", ID: "listProcureRatingTasks", Tags: tags, Auth: api.AuthUser,
		Summary: "待评价事项 / The ratings the caller may still give on the project", Query: IDPath{}, Resp: []procure.RatingTask{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			list, err := svc.RatingTasks(r.Context(), id)
			return reply(w, http.StatusOK, list, err)
		})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/procure/projects/{id}/ratings", ID: "rateProcureParty", Tags: tags, Auth: "dept_admin,dept_staff,enterprise",
		Summary:     "四方互评 / Rate another party of an awarded project",
		Description: "The purchaser (the project's unit), the agency and the winning supplier rate each other once per pair on every indicator of the pair; a rating of a supplier or an agency goes to the credit module.",
		Query:       IDPath{}, Body: procure.RatingInput{}, Resp: procure.Rating{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		return withBody(w, r, http.StatusCreated, true, func(id int64, in procure.RatingInput) (*procure.Rating, error) { return svc.Rate(r.Context(), id, in) })
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/overdue", ID: "listProcureOverdue", Tags: tags, Auth: readers,
		Summary: "逾期事项 / Items past their statutory deadline in the caller's scope", Resp: []procure.Overdue{}}, func(w http.ResponseWriter, r *http.Request) error {
		list, err := svc.OverdueItems(r.Context())
		return reply(w, http.StatusOK, list, err)
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/procure/figures", ID: "getProcureFigures", Tags: tags, Auth: api.AuthPublic,
		Summary: "节约资金与中小企业份额 / Savings and SME share per unit and year", Resp: Figures{}}, func(w http.ResponseWriter, r *http.Request) error {
		list, err := svc.Figures(r.Context())
		return reply(w, http.StatusOK, Figures{Units: list}, err)
	})
}
