package bideval

import (
	"net/http"

	"yingshang/internal/api"
	"yingshang/internal/bideval"
	"yingshang/internal/draw"
)

// IDPath names a project.
type IDPath struct {
	ID int64 `path:"id" doc:"项目编号 / project id (the draw module's project)"`
}

// FlagPath names a leak flag.
type FlagPath struct {
	ID int64 `path:"id" doc:"标记编号 / flag id"`
}

// CodePath names a coded bid.
type CodePath struct {
	ID   int64  `path:"id" doc:"项目编号 / project id"`
	Code string `path:"code" doc:"暗标编码 / virtual code, e.g. A01"`
}

// UploadForm documents the multipart fields of an upload besides "file".
type UploadForm struct {
	Part      string `json:"part" enum:"technical,commercial"`
	PriceYuan string `json:"price_yuan,omitempty" doc:"commercial part: the bid price in yuan, at most 2 decimals"`
}

// LinkInput links a committee member to a user account.
type LinkInput struct {
	ExpertID int64  `json:"expert_id"`
	Username string `json:"username" doc:"an account holding the expert role"`
}

func (h *handlers) mountAPI() {
	reg, mux := h.s.API, h.s.Mux
	tags := []string{"bideval"}
	staff := "platform_admin,dept_admin,dept_staff"
	reg.DescribeTag("bideval", "双盲评标 / Double-blind evaluation (docs/bideval.md)")
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bideval/projects", ID: "listEvaluations", Tags: tags, Auth: api.AuthUser,
		Summary:     "我的评标项目 / The evaluations the caller works on",
		Description: "Centre staff and supervisors: every project in scope; tenderers: theirs; enterprises: projects open for bids and their own bids; experts: their confirmed assignments.",
		Resp:        []bideval.Entry{}}, h.apiList)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bideval/projects/{id}", ID: "getEvaluation", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor",
		Summary:     "评标概况 / A project's evaluation: settings, bids, hashes, leak flags, committee, codes draw, results",
		Description: "Codes are hidden from staff until the unmasking (supervisors see them); prices are sealed until then.",
		Query:       IDPath{}, Resp: bideval.Overview{}}, h.apiOverview)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bideval/projects/{id}/settings", ID: "getEvaluationSettings", Tags: tags, Auth: api.AuthUser,
		Summary: "评标办法 / Evaluation settings (deadline, template, weights)", Query: IDPath{}, Resp: bideval.Settings{}}, h.apiSettings)
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/bideval/projects/{id}/settings", ID: "setEvaluationSettings", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,enterprise",
		Summary:     "设置评标办法 / Set the evaluation settings",
		Description: "The centre's staff or the tenderer, until the bid deadline. Technical maxima + price weight = 100; goods >= 30 and services >= 10 price points.",
		Query:       IDPath{}, Body: bideval.SettingsInput{}, Resp: bideval.Settings{}}, h.apiSetSettings)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/bideval/projects/{id}/bids", ID: "registerBid", Tags: tags, Auth: "enterprise",
		Summary: "登记投标 / Register the caller's entity as a bidder", Description: "Refused with 409 after the deadline.",
		Query: IDPath{}, Body: bideval.RegisterInput{}, Resp: bideval.Bid{}, Status: http.StatusCreated}, h.apiRegister)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bideval/projects/{id}/bids/mine", ID: "getMyBid", Tags: tags, Auth: "enterprise",
		Summary: "本单位的投标与回执 / The caller's bid with every version's SHA-256 receipt", Description: "The virtual code stays empty until the unmasking.",
		Query: IDPath{}, Resp: bideval.Bid{}}, h.apiMyBid)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/bideval/projects/{id}/bids/mine/files", ID: "uploadBidPart", Tags: tags, Auth: "enterprise",
		Summary:     "上传技术标或商务标 / Upload the technical or the commercial part",
		Description: "multipart/form-data with file (.pdf, .docx or .txt), part and, for the commercial part, price_yuan. A re-upload is a new version. Refused with 409 after the deadline.",
		Query:       IDPath{}, Multipart: true, Body: UploadForm{}, Resp: bideval.File{}, Status: http.StatusCreated, Errors: []int{413}}, h.apiUpload)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/bideval/flags/{id}", ID: "disposeLeakFlag", Tags: tags, Auth: staff,
		Summary: "处理身份泄露标记 / Record the disposition of a leak flag", Query: FlagPath{}, Body: bideval.DisposeInput{}, Resp: bideval.Flag{}}, h.apiDispose)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/bideval/projects/{id}/codes", ID: "commitCodesDraw", Tags: tags, Auth: staff,
		Summary:     "冻结投标名单并承诺暗标编码抽取 / Commit the sealed codes draw",
		Description: "After the deadline. Perform it with POST /api/v1/draws/run/{draw id} (the witness's value); the record stays sealed until the unmasking.",
		Query:       IDPath{}, Resp: draw.Draw{}, Status: http.StatusCreated}, h.apiCommitCodes)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/bideval/projects/{id}/committee/link", ID: "linkCommitteeMember", Tags: tags, Auth: staff,
		Summary: "关联评标专家账号 / Link a committee member to an expert account", Query: IDPath{}, Body: LinkInput{}, Status: http.StatusNoContent}, h.apiLink)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bideval/projects/{id}/codes", ID: "listCodedBids", Tags: tags, Auth: "expert",
		Summary: "暗标列表 / The coded bids (committee members)", Query: IDPath{}, Resp: []bideval.CodedBid{}}, h.apiCodes)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bideval/projects/{id}/codes/{code}", ID: "downloadCodedBid", Tags: tags, Auth: "expert",
		Summary: "下载暗标技术标 / Download a technical part under its code", Query: CodePath{}, RespContentType: "application/octet-stream"}, h.apiDownload)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bideval/projects/{id}/sheet", ID: "getMySheet", Tags: tags, Auth: "expert",
		Summary: "我的评分表 / The caller's score sheet", Query: IDPath{}, Resp: bideval.Sheet{}}, h.apiSheet)
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/bideval/projects/{id}/sheet", ID: "saveMySheet", Tags: tags, Auth: "expert",
		Summary:     "保存或提交锁定评分表 / Save the draft or lock the sheet",
		Description: "Points 0..max of each criterion (at most 2 decimals). With lock=true every code and criterion needs points and a comment; a locked sheet never changes (409).",
		Query:       IDPath{}, Body: bideval.SheetInput{}, Resp: bideval.Sheet{}}, h.apiSaveSheet)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bideval/projects/{id}/sheets", ID: "listCommitteeSheets", Tags: tags, Auth: api.AuthUser,
		Summary:     "评标委员会全部评分表 / Every member's sheet",
		Description: "Members only once every sheet is locked; staff after the unmasking; supervisors always.",
		Query:       IDPath{}, Resp: []bideval.Sheet{}}, h.apiSheets)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/bideval/projects/{id}/unmask", ID: "unmaskCodes", Tags: tags, Auth: staff,
		Summary:     "揭示编码 / Unmask the codes",
		Description: "Refused (409, saying how many sheets are missing) until every confirmed member has locked and every leak finding is decided; an audit event of its own; the codes draw record becomes public.",
		Query:       IDPath{}, Resp: bideval.Results{}}, h.apiUnmask)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bideval/projects/{id}/results", ID: "getEvaluationResults", Tags: tags, Auth: api.AuthUser,
		Summary: "评标结果 / Results after the unmasking", Query: IDPath{}, Resp: bideval.Results{}}, h.apiResults)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/bideval/projects/{id}/candidates", ID: "publishCandidates", Tags: tags, Auth: staff,
		Summary:     "公示中标候选人 / Publish the winning candidates",
		Description: "After the unmasking, with every leak finding decided: the ranking is published for the publicity period (at least 3 days) during which bidders may object.",
		Query:       IDPath{}, Resp: bideval.Settings{}}, h.apiCandidates)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bideval/projects/{id}/objections", ID: "listObjections", Tags: tags, Auth: api.AuthUser,
		Summary: "异议 / Objections: all for the centre and supervisors, its own for a bidder", Query: IDPath{}, Resp: []bideval.Objection{}}, h.apiObjections)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/bideval/projects/{id}/objections", ID: "fileObjection", Tags: tags, Auth: "enterprise",
		Summary: "提出异议 / Object to the candidates (a bidder, during the publicity)", Query: IDPath{}, Body: bideval.ObjectionInput{},
		Resp: bideval.Objection{}, Status: http.StatusCreated}, h.apiObject)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/bideval/objections/{id}/answer", ID: "answerObjection", Tags: tags, Auth: staff,
		Summary: "答复异议 / Answer an objection", Query: IDPath{}, Body: bideval.AnswerInput{}, Resp: bideval.Objection{}}, h.apiAnswer)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/bideval/projects/{id}/award", ID: "confirmAward", Tags: tags, Auth: staff,
		Summary:     "确认中标 / Confirm the award (the first-ranked bid)",
		Description: "Only after the candidates' publicity has ended with every objection answered.",
		Query:       IDPath{}, Body: bideval.AwardInput{}, Resp: bideval.Results{}}, h.apiAward)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bideval/notices", ID: "listAwardNotices", Tags: tags, Auth: api.AuthPublic,
		Summary: "中标结果公示列表 / Award notices, newest first", Resp: []bideval.Notice{}}, h.apiNotices)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/bideval/notices/{id}", ID: "getAwardNotice", Tags: tags, Auth: api.AuthPublic,
		Summary:     "中标结果公示 / An award notice",
		Description: "During the candidates' publicity (stage candidates): the ranking with codes, prices and scores, without the committee. After the award (stage award): also the committee members' names, each member's scores per bidder and the links to every draw's record.",
		Query:       IDPath{}, Resp: bideval.Publicity{}}, h.apiPublicity)
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.Projects(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []bideval.Entry{}
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}

// byID runs f with the path id and writes its result as JSON.
func byID[T any](w http.ResponseWriter, r *http.Request, status int, f func(id int64) (T, error)) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	out, err := f(id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, status, out)
	return nil
}

func (h *handlers) apiOverview(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Overview, error) { return h.svc.Overview(r.Context(), id) })
}

func (h *handlers) apiSettings(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Settings, error) { return h.svc.Settings(r.Context(), id) })
}

func (h *handlers) apiSetSettings(w http.ResponseWriter, r *http.Request) error {
	var in bideval.SettingsInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Settings, error) { return h.svc.SetSettings(r.Context(), id, in) })
}

func (h *handlers) apiRegister(w http.ResponseWriter, r *http.Request) error {
	var in bideval.RegisterInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	return byID(w, r, http.StatusCreated, func(id int64) (*bideval.Bid, error) { return h.svc.Register(r.Context(), id, in) })
}

func (h *handlers) apiMyBid(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Bid, error) { return h.svc.MyBid(r.Context(), id) })
}

func (h *handlers) apiUpload(w http.ResponseWriter, r *http.Request) error {
	name, data, err := readUpload(r, h.svc.MaxFileBytes)
	if err != nil {
		return err
	}
	return byID(w, r, http.StatusCreated, func(id int64) (*bideval.File, error) {
		return h.svc.Upload(r.Context(), id, r.FormValue("part"), name, data, r.FormValue("price_yuan"))
	})
}

func (h *handlers) apiDispose(w http.ResponseWriter, r *http.Request) error {
	var in bideval.DisposeInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Flag, error) { return h.svc.Dispose(r.Context(), id, in) })
}

func (h *handlers) apiCommitCodes(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, http.StatusCreated, func(id int64) (*draw.Draw, error) { return h.svc.CommitCodes(r.Context(), id) })
}

func (h *handlers) apiLink(w http.ResponseWriter, r *http.Request) error {
	var in LinkInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc.LinkMember(r.Context(), id, in.ExpertID, in.Username); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiCodes(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, http.StatusOK, func(id int64) ([]bideval.CodedBid, error) {
		list, err := h.svc.Codes(r.Context(), id)
		if list == nil {
			list = []bideval.CodedBid{}
		}
		return list, err
	})
}

func (h *handlers) apiDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	name, mime, data, err := h.svc.TechnicalByCode(r.Context(), id, r.PathValue("code"))
	if err != nil {
		return err
	}
	writeFile(w, name, mime, data)
	return nil
}

func (h *handlers) apiSheet(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Sheet, error) { return h.svc.MySheet(r.Context(), id) })
}

func (h *handlers) apiSaveSheet(w http.ResponseWriter, r *http.Request) error {
	var in bideval.SheetInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Sheet, error) { return h.svc.SaveSheet(r.Context(), id, in) })
}

func (h *handlers) apiSheets(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, http.StatusOK, func(id int64) ([]bideval.Sheet, error) { return h.svc.CommitteeSheets(r.Context(), id) })
}

func (h *handlers) apiUnmask(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Results, error) { return h.svc.Unmask(r.Context(), id) })
}

func (h *handlers) apiResults(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Results, error) { return h.svc.Results(r.Context(), id) })
}

func (h *handlers) apiAward(w http.ResponseWriter, r *http.Request) error {
	var in bideval.AwardInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Results, error) { return h.svc.Award(r.Context(), id, in) })
}

func (h *handlers) apiCandidates(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Settings, error) { return h.svc.PublishCandidates(r.Context(), id) })
}

func (h *handlers) apiObjections(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, http.StatusOK, func(id int64) ([]bideval.Objection, error) { return h.svc.Objections(r.Context(), id) })
}

func (h *handlers) apiObject(w http.ResponseWriter, r *http.Request) error {
	var in bideval.ObjectionInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	return byID(w, r, http.StatusCreated, func(id int64) (*bideval.Objection, error) { return h.svc.Object(r.Context(), id, in) })
}

func (h *handlers) apiAnswer(w http.ResponseWriter, r *http.Request) error {
	var in bideval.AnswerInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Objection, error) { return h.svc.AnswerObjection(r.Context(), id, in) })
}

func (h *handlers) apiNotices(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.Notices(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiPublicity(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, http.StatusOK, func(id int64) (*bideval.Publicity, error) { return h.svc.Publicity(r.Context(), id) })
}
