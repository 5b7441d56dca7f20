package policy

import (
	"net/http"
	"strconv"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/policy"
	"yingshang/internal/policy/rules"
	"yingshang/internal/yserr"
)

// ListQuery filters the policy list.
type ListQuery struct {
	DepartmentID int64  `query:"department_id"`
	Category     string `query:"category" enum:"innovation,talent,finance,industry,trade,startup"`
	Mode         string `query:"mode" enum:"auto,instant,review"`
	Status       string `query:"status" enum:"draft,published,withdrawn"`
	Q            string `query:"q" doc:"substring of the title or document number"`
	Industry     string `query:"industry" doc:"GB/T 4754 code: policies whose rule admits it"`
}

// RunInput starts a grant run.
type RunInput struct {
	Period string `json:"period" doc:"the period granted; default the policy's fact year"`
	DryRun bool   `json:"dry_run"`
}

// PeriodInput names a period.
type PeriodInput struct {
	Period string `json:"period"`
}

// ExcludeInput excludes a grant.
type ExcludeInput struct {
	Reason string `json:"reason"`
}

// PayInput records payments.
type PayInput struct {
	GrantIDs   []int64 `json:"grant_ids"`
	PaymentRef string  `json:"payment_ref" doc:"the bank's batch or transaction reference"`
}

// Count is a number of affected rows.
type Count struct {
	N int `json:"n"`
}

// PolicyDoc is a policy with its rule described in words.
type PolicyDoc struct {
	policy.Policy
	Rule []rules.Step `json:"rule" doc:"the conditions in words, with their JSON paths and depth"`
}

func (h *handlers) mountAPI() {
	reg, mux := h.s.API, h.s.Mux
	tags := []string{"policy"}
	reg.DescribeTag("policy", "惠企政策：政策规则、预览、为企业匹配、政策计算器、免申即享兑现、红利账单 / Business policies: rules, preview, matching, the calculator, automatic grants, benefit statements")
	editors := "platform_admin,dept_admin,dept_staff"
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policies", ID: "listPolicies", Tags: tags, Auth: "public",
		Summary:     "政策清单 / List policies",
		Description: "Anonymous and enterprise callers get published policies; department users also their departments' drafts.",
		Query:       ListQuery{}, Resp: []*policy.Policy{}}, func(w http.ResponseWriter, r *http.Request) error {
		var q ListQuery
		if err := api.DecodeQuery(r, &q); err != nil {
			return err
		}
		list, err := h.svc.List(r.Context(), policy.Filter{DepartmentID: q.DepartmentID, Category: q.Category, Mode: q.Mode, Status: q.Status, Q: q.Q, Industry: q.Industry})
		if err != nil {
			return err
		}
		if list == nil {
			list = []*policy.Policy{}
		}
		api.WriteJSON(w, http.StatusOK, list)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policies/{id}", ID: "getPolicy", Tags: tags, Auth: "public",
		Summary: "政策详情（含规则） / Get a policy with its rule", Resp: PolicyDoc{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		p, err := h.svc.Get(r.Context(), id)
		if err != nil {
			return err
		}
		prog, err := rules.Compile(p.Condition, p.Amount)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, PolicyDoc{Policy: *p, Rule: prog.Describe()})
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policies/{id}/versions", ID: "listPolicyVersions", Tags: tags, Auth: "public",
		Summary: "政策规则版本 / A policy's rule versions", Resp: []policy.Version{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		vs, err := h.svc.Versions(r.Context(), id)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, vs)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policies", ID: "createPolicy", Tags: tags, Auth: editors,
		Summary:     "新建政策 / Create a policy",
		Description: "A draft for the caller's department (or department_id in scope). A rule that does not compile is a 422 whose field is the JSON path of the error (condition$.all[2].value).",
		Body:        policy.Input{}, Resp: policy.Policy{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		var in policy.Input
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		p, err := h.svc.Create(r.Context(), in)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusCreated, p)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/policies/{id}", ID: "updatePolicy", Tags: tags, Auth: editors,
		Summary:     "修改政策 / Update a policy",
		Description: "A changed condition or amount formula makes a new version; decisions already made keep theirs. A department edits only its own policies.",
		Body:        policy.Input{}, Resp: policy.Policy{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in policy.Input
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		p, err := h.svc.Update(r.Context(), id, in)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, p)
		return nil
	})
	for _, op := range []struct{ path, id, summary string }{
		{"publish", "publishPolicy", "发布政策 / Publish a policy"},
		{"withdraw", "withdrawPolicy", "撤回政策 / Withdraw a policy"},
	} {
		op := op
		reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policies/{id}/" + op.path, ID: op.id, Tags: tags, Auth: editors,
			Summary: op.summary, Resp: policy.Policy{}}, func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r)
			if err != nil {
				return err
			}
			var p *policy.Policy
			if op.path == "publish" {
				p, err = h.svc.Publish(r.Context(), id)
			} else {
				p, err = h.svc.Withdraw(r.Context(), id)
			}
			if err != nil {
				return err
			}
			api.WriteJSON(w, http.StatusOK, p)
			return nil
		})
	}
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policies/{id}/preview", ID: "previewPolicy", Tags: tags, Auth: editors + ",supervisor",
		Summary:     "政策预览 / Preview a policy",
		Description: "How many entities match the current version now, a sample with the reason for each, and the total amount. Writes nothing.",
		Resp:        policy.Preview{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		pv, err := h.svc.Preview(r.Context(), id)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, pv)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policy-calculator", ID: "calculatePolicies", Tags: tags, Auth: "public",
		Summary:     "政策计算器 / Policy calculator",
		Description: "A credit code or answers; the matching policies with reasons and estimated amounts. Rate limited. An anonymous caller asking by credit code sees which conditions held, not the entity's figures.",
		Body:        policy.CalcInput{}, Resp: policy.CalcResult{}}, func(w http.ResponseWriter, r *http.Request) error {
		var in policy.CalcInput
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		res, err := h.svc.Calculate(r.Context(), in)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, res)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policy-matches/{id}", ID: "listEntityPolicies", Tags: tags,
		Auth:    "platform_admin,dept_admin,dept_staff,supervisor,enterprise",
		Summary: "为企业匹配的政策 / Policies for an entity", Description: "Eligible policies with reasons and amounts, and near misses with the failing condition and the gap. Enterprise users: their own entity only.",
		Resp: []policy.Match{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return yserr.ErrNotFound("经营主体", "market entity")
		}
		ms, err := h.svc.ForEntity(r.Context(), id)
		if err != nil {
			return err
		}
		if ms == nil {
			ms = []policy.Match{}
		}
		api.WriteJSON(w, http.StatusOK, ms)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policies/{id}/grant-runs", ID: "runPolicyGrants", Tags: tags, Auth: editors,
		Summary:     "免申即享兑现批次 / Run an automatic grant round",
		Description: "Checks before money (active entity, credit check scene subsidy, no second grant, budget); each grant one transaction with its notice. Resumable: entities already decided are skipped.",
		Body:        RunInput{}, Resp: policy.RunResult{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in RunInput
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		res, err := h.svc.GrantRun(r.Context(), id, in.Period, in.DryRun)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, res)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policies/{id}/grants", ID: "listPolicyGrants", Tags: tags, Auth: editors + ",supervisor",
		Summary: "政策兑现记录 / A policy's grants", Resp: []policy.Grant{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		gs, err := h.svc.Grants(r.Context(), id, r.URL.Query().Get("period"))
		if err != nil {
			return err
		}
		if gs == nil {
			gs = []policy.Grant{}
		}
		api.WriteJSON(w, http.StatusOK, gs)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policies/{id}/pushes", ID: "listPolicyPushes", Tags: tags, Auth: editors + ",supervisor",
		Summary: "政策精准推送及阅读情况 / A policy's pushes and their read state", Resp: []policy.Push{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		ps, err := h.svc.Pushes(r.Context(), id)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, ps)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policies/{id}/confirm", ID: "confirmPolicyGrants", Tags: tags, Auth: editors,
		Summary: "审核确认兑现名单 / Confirm the accepted grants", Body: PeriodInput{}, Resp: Count{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in PeriodInput
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		n, err := h.svc.Confirm(r.Context(), id, in.Period)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, Count{N: n})
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policy-grants/{id}/exclude", ID: "excludePolicyGrant", Tags: tags, Auth: editors,
		Summary: "排除兑现对象 / Exclude a grant with a reason", Body: ExcludeInput{}, Status: http.StatusNoContent}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return yserr.ErrNotFound("兑现记录", "grant")
		}
		var in ExcludeInput
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		if err := h.svc.Exclude(r.Context(), id, in.Reason); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policy-grants/pay", ID: "payPolicyGrants", Tags: tags, Auth: editors,
		Summary: "记录资金到账 / Record payments", Body: PayInput{}, Resp: Count{}}, func(w http.ResponseWriter, r *http.Request) error {
		var in PayInput
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		n, err := h.svc.RecordPayment(r.Context(), in.GrantIDs, in.PaymentRef)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, Count{N: n})
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policy-statements/{id}", ID: "getPolicyStatement", Tags: tags,
		Auth:    "platform_admin,dept_admin,dept_staff,supervisor,enterprise",
		Summary: "红利账单 / Benefit statement", Description: "Grants paid to the entity in a year (query year, default this year).",
		Resp: policy.Statement{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return yserr.ErrNotFound("经营主体", "market entity")
		}
		year, _ := strconv.Atoi(r.URL.Query().Get("year"))
		if year == 0 {
			year = h.s.App.Clock.Now().Year()
		}
		st, err := h.svc.StatementOf(r.Context(), id, year)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, st)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policy-facts/import", ID: "importPolicyFacts", Tags: tags, Auth: editors,
		Summary:     "导入企业年度数据 / Import yearly facts",
		Description: "Multipart form: file (.xlsx or .csv: 统一社会信用代码, 年度, then one column per fact), mode, dry_run. Always 200 with the per-row report; committed tells whether anything was written.",
		Multipart:   true, Body: FactsForm{}, Resp: policy.FactImport{}}, h.apiFactsImport)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policy-dashboard", ID: "getPolicyDashboard", Tags: tags, Auth: "platform_admin,supervisor,dept_admin",
		Summary: "政策兑现看板 / Policy dashboard", Resp: policy.Dashboard{}}, func(w http.ResponseWriter, r *http.Request) error {
		d, err := h.svc.Dashboard(r.Context())
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, d)
		return nil
	})
	h.mountBatchAPI(tags, editors)
	_ = auth.Enterprise
}
