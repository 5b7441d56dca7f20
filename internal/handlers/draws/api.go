package draws

import (
	"net/http"

	"yingshang/internal/api"
	"yingshang/internal/draw"
	"yingshang/internal/yserr"
)

// IDPath names a draw or project.
type IDPath struct {
	ID int64 `path:"id" doc:"编号 / id"`
}

// TokenPath names an invitation.
type TokenPath struct {
	Token string `path:"token" doc:"通知中的答复令牌 / the answer token from the message"`
}

// ListQuery pages the public list.
type ListQuery struct {
	Page    int `query:"page"`
	PerPage int `query:"per_page"`
}

// VerifyResult is the outcome of recomputing a record.
type VerifyResult struct {
	DrawID      int64    `json:"draw_id"`
	OK          bool     `json:"ok"`
	Differences []string `json:"differences" doc:"每一处不一致 / every difference found"`
}

// CommitInput commits a draw for a project.
type CommitInput struct {
	Purpose   string `json:"purpose" enum:"staff,witnesses,venues,experts"`
	Secondary int    `json:"secondary,omitempty" doc:"venues: number of secondary rooms"`
	Reserves  int    `json:"reserves,omitempty" doc:"experts: technical reserves (default 3)"`
	Beacon    bool   `json:"beacon,omitempty" doc:"experts: name a drand quicknet round about a minute ahead"`
}

// AnswerInput answers an invitation.
type AnswerInput struct {
	Accept bool `json:"accept"`
}

func (h *handlers) mountAPI() {
	reg, mux := h.s.API, h.s.Mux
	tags := []string{"draw"}
	reg.DescribeTag("draw", "可验证随机抽取与六随机 / Verifiable random draws and the six randoms (docs/draw-protocol.md)")
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/draws", ID: "listDraws", Tags: tags, Auth: api.AuthPublic,
		Summary: "公开的抽取记录，最新在前 / Public draws, newest first", Query: ListQuery{}, Resp: api.Page[draw.Draw]{}}, h.apiList)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/draws/{id}/record", ID: "getDrawRecord", Tags: tags, Auth: api.AuthPublic,
		Summary:     "抽取记录（专家以化名表示） / A draw's record (experts pseudonymised)",
		Description: "The self-verifying record of docs/draw-protocol.md; `yingshang draw verify` recomputes it. Before the draw only the commitment, spec and candidate list are present.",
		Query:       IDPath{}, Resp: draw.Record{}}, h.apiRecord)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/draws/{id}/verify", ID: "verifyDraw", Tags: tags, Auth: api.AuthPublic,
		Summary: "重新计算并验证抽取 / Recompute and verify a draw", Query: IDPath{}, Resp: VerifyResult{}}, h.apiVerify)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/draws/run/{id}", ID: "executeDraw", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff",
		Summary: "进行已承诺的抽取 / Perform a committed draw", Query: IDPath{}, Body: draw.DrawInput{}, Resp: draw.Record{}}, h.apiExecute)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/draw-projects", ID: "createDrawProject", Tags: tags, Auth: "enterprise,platform_admin,dept_admin,dept_staff",
		Summary: "登记项目 / Register a project", Body: draw.ProjectInput{}, Resp: draw.Project{}, Status: http.StatusCreated}, h.apiCreateProject)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/draw-projects/{id}", ID: "getDrawProject", Tags: tags, Auth: api.AuthUser,
		Summary: "项目 / A project", Query: IDPath{}, Resp: draw.Project{}}, h.apiProject)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/draw-projects/{id}/experts", ID: "listDrawnExperts", Tags: tags, Auth: api.AuthUser,
		Summary:     "项目抽中的专家 / A project's drawn experts",
		Description: "Names are sealed (empty) for the tenderer and bidders until the bid opening.",
		Query:       IDPath{}, Resp: []draw.Assignment{}}, h.apiAssignments)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/draw-projects/{id}/draws", ID: "commitDraw", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff",
		Summary:     "冻结候选名单并公布承诺 / Freeze the candidates and publish the commitment",
		Description: "Refused with 409 and a per-rule explanation when the rules leave too few candidates.",
		Query:       IDPath{}, Body: CommitInput{}, Resp: draw.Draw{}, Status: http.StatusCreated}, h.apiCommit)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/draw-answers/{token}", ID: "answerDraw", Tags: tags, Auth: api.AuthPublic,
		Summary: "专家确认或谢绝 / An expert confirms or declines", Query: TokenPath{}, Body: AnswerInput{}, Status: http.StatusNoContent}, h.apiAnswer)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/draw-experts", ID: "listDrawExperts", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor",
		Summary: "专家库 / The expert pool", Query: draw.ExpertFilter{}, Resp: api.Page[draw.Expert]{}}, h.apiExperts)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/draw-experts", ID: "createDrawExpert", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff",
		Summary: "加入专家 / Add an expert", Body: draw.ExpertInput{}, Resp: draw.Expert{}, Status: http.StatusCreated}, h.apiCreateExpert)
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	page, per, err := api.Paging(r)
	if err != nil {
		return err
	}
	list, total, err := h.svc.Draws(r.Context(), 0, page, per)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, api.Page[draw.Draw]{Items: list, Total: total, Page: page, PerPage: per})
	return nil
}

func (h *handlers) apiRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	rec, err := h.svc.PublicRecord(r.Context(), id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, rec)
	return nil
}

func (h *handlers) apiVerify(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	diffs, err := h.svc.VerifyDraw(r.Context(), id)
	if err != nil {
		return err
	}
	if diffs == nil {
		diffs = []string{}
	}
	api.WriteJSON(w, http.StatusOK, VerifyResult{DrawID: id, OK: len(diffs) == 0, Differences: diffs})
	return nil
}

func (h *handlers) apiExecute(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in draw.DrawInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	rec, err := h.svc.Execute(r.Context(), id, in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, rec)
	return nil
}

func (h *handlers) apiCreateProject(w http.ResponseWriter, r *http.Request) error {
	var in draw.ProjectInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	p, err := h.svc.CreateProject(r.Context(), in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, p)
	return nil
}

func (h *handlers) apiProject(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	p, err := h.svc.Project(r.Context(), id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *handlers) apiAssignments(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	list, err := h.svc.Assignments(r.Context(), id)
	if err != nil {
		return err
	}
	if list == nil {
		list = []draw.Assignment{}
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiCommit(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in CommitInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	var d *draw.Draw
	switch in.Purpose {
	case "staff":
		d, err = h.svc.CommitPeople(ctx, id, "staff", 1)
	case "witnesses":
		d, err = h.svc.CommitPeople(ctx, id, "witness", 2)
	case "venues":
		d, err = h.svc.CommitVenues(ctx, id, in.Secondary)
	case "experts":
		d, err = h.svc.CommitExperts(ctx, id, draw.ExpertDrawInput{Reserves: in.Reserves, Beacon: in.Beacon})
	default:
		return yserr.Field("purpose", "抽取类型须为 staff、witnesses、venues 或 experts", "purpose must be staff, witnesses, venues or experts")
	}
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, d)
	return nil
}

func (h *handlers) apiAnswer(w http.ResponseWriter, r *http.Request) error {
	var in AnswerInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.svc.Answer(r.Context(), r.PathValue("token"), in.Accept); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiExperts(w http.ResponseWriter, r *http.Request) error {
	var f draw.ExpertFilter
	if err := api.DecodeQuery(r, &f); err != nil {
		return err
	}
	list, total, err := h.svc.Experts(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []draw.Expert{}
	}
	api.WriteJSON(w, http.StatusOK, api.Page[draw.Expert]{Items: list, Total: total, Page: max(f.Page, 1), PerPage: len(list)})
	return nil
}

func (h *handlers) apiCreateExpert(w http.ResponseWriter, r *http.Request) error {
	var in draw.ExpertInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	e, err := h.svc.CreateExpert(r.Context(), in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, e)
	return nil
}
