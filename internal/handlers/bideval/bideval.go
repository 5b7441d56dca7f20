// Package bideval serves double-blind evaluation: the trading centre's
// evaluation page of a project, the bidders' registration and upload page,
// the experts' scoring pages, the public award notices, and the JSON API.
// Authorisation is decided in package bideval.
package bideval

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/bideval"
	"yingshang/internal/draw"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

const (
	viewIndex     = "bideval/index"
	viewProject   = "bideval/project"
	viewBid       = "bideval/bid"
	viewScore     = "bideval/score"
	viewNotices   = "bideval/notices"
	viewPublicity = "bideval/publicity"
)

var centre = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff}

type handlers struct {
	s   *server.Server
	svc *bideval.Service
}

// Mount registers the pages and API operations.
func Mount(s *server.Server, svc *bideval.Service) {
	h := &handlers{s: s, svc: svc}
	s.UsesViews(viewIndex, viewProject, viewBid, viewScore, viewNotices, viewPublicity)
	s.SignedIn("GET /bideval", h.index)
	s.SignedIn("GET /bideval/projects/{id}", h.project)
	s.Page("POST /bideval/projects/{id}/settings", h.settings, append(centre, auth.Enterprise)...)
	s.Page("POST /bideval/projects/{id}/flags/{flag}", h.dispose, centre...)
	s.Page("POST /bideval/projects/{id}/codes", h.commitCodes, centre...)
	s.Page("POST /bideval/projects/{id}/codes/run", h.runCodes, centre...)
	s.Page("POST /bideval/projects/{id}/link", h.link, centre...)
	s.Page("POST /bideval/projects/{id}/unmask", h.unmask, centre...)
	s.Page("POST /bideval/projects/{id}/candidates", h.candidates, centre...)
	s.Page("POST /bideval/projects/{id}/objections/{objection}/answer", h.answerObjection, centre...)
	s.Page("POST /bideval/projects/{id}/award", h.award, centre...)
	s.Page("POST /bideval/projects/{id}/objections", h.object, auth.Enterprise)
	s.Page("GET /bideval/projects/{id}/bid", h.bid, auth.Enterprise)
	s.Page("POST /bideval/projects/{id}/register", h.register, auth.Enterprise)
	s.Page("POST /bideval/projects/{id}/upload", h.upload, auth.Enterprise)
	s.Page("GET /bideval/projects/{id}/score", h.score, auth.Expert)
	s.Page("POST /bideval/projects/{id}/score", h.saveScore, auth.Expert)
	s.Page("GET /bideval/projects/{id}/codes/{code}", h.download, auth.Expert)
	s.Page("GET /public/bideval", h.notices)
	s.Page("GET /public/bideval/{id}", h.publicity)
	h.mountAPI()
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, yserr.ErrNotFound("项目", "project")
	}
	return id, nil
}

func projectURL(id int64, tail string) string {
	return "/bideval/projects/" + strconv.FormatInt(id, 10) + tail
}

// labels are the module's codes in the platform's one label table
// (module.Info.Labels): evaluation statuses and expert conflict reasons.
var labels = web.Labels{
	"bideval.status": {bideval.StatusOpen: {ZH: "接受投标", EN: "Open for bids"}, bideval.StatusClosed: {ZH: "投标已截止", EN: "Bids closed"},
		bideval.StatusScoring: {ZH: "评分中", EN: "Scoring"}, bideval.StatusUnmasked: {ZH: "已揭示编码", EN: "Codes unmasked"},
		bideval.StatusPublicity: {ZH: "中标候选人公示中", EN: "Candidates published"}, bideval.StatusAwarded: {ZH: "已定标", EN: "Awarded"},
		bideval.StatusFailed: {ZH: "有效投标不足三份，评标终止（须重新招标）", EN: "Fewer than three valid bids: stopped (tender again)"}},
	"bideval.conflict": {"employer_is_bidder": {ZH: "工作单位为投标人", EN: "employer is a bidder"},
		"declared_relation": {ZH: "申报了利害关系", EN: "declared a relation"}},
}

// StatusLabel names an evaluation status.
func StatusLabel(v *web.View, st string) string { return web.Label("bideval.status", st, v.Lang) }

// statusText is an evaluation status in both languages.
func statusText(st string) web.Text {
	if t, ok := web.LabelText("bideval.status", st); ok {
		return t
	}
	return web.Text{ZH: st, EN: st}
}

// index: GET /bideval, the evaluations of the actor by role.
func (h *handlers) index(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.Projects(r.Context())
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("双盲评标", "Double-blind evaluation")
	a := auth.From(r.Context())
	if a.Has(auth.Expert) && !a.Has(centre...) {
		v.Title = v.T("我的评标", "My evaluations")
	}
	type row struct {
		bideval.Entry
		StatusLabel string
	}
	rows := make([]row, len(list))
	for i, e := range list {
		rows[i] = row{Entry: e, StatusLabel: StatusLabel(v, e.Status)}
	}
	v.Data = map[string]any{"Rows": rows, "IsCentre": a.Has(centre...), "IsEnterprise": a.Has(auth.Enterprise), "IsExpert": a.Has(auth.Expert)}
	return h.s.Render(w, r, http.StatusOK, viewIndex, v)
}

// projectPage is the data of the centre's (tenderer's, supervisor's) page.
type projectPage struct {
	Steps      []web.StepView
	P          *draw.Project
	St         *bideval.Settings
	New        bool
	Role       string
	O          *bideval.Overview
	Results    *bideval.Results
	StatusText string
	Rows       []critRow
	CanEdit    bool
	Deadline   string
	Opening    string
	Witness    bool
	Committee  int
	Objections []bideval.Objection
}

type critRow struct {
	N                                int
	Key, NameZH, NameEN, Max, Guides string
}

// project: GET /bideval/projects/{id}: the evaluation of a project.
func (h *handlers) project(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	role, err := h.svc.Role(ctx, id)
	if yserr.Is(err, yserr.NotFound) {
		// No settings yet: the centre or the tenderer may create them.
		return h.renderProject(w, r, id, nil, http.StatusOK)
	}
	if err != nil {
		return err
	}
	switch role {
	case bideval.ViewBidder:
		http.Redirect(w, r, projectURL(id, "/bid"), http.StatusSeeOther)
		return nil
	case bideval.ViewExpert:
		http.Redirect(w, r, projectURL(id, "/score"), http.StatusSeeOther)
		return nil
	}
	return h.renderProject(w, r, id, nil, http.StatusOK)
}

func (h *handlers) renderProject(w http.ResponseWriter, r *http.Request, id int64, formErr error, status int) error {
	ctx := r.Context()
	p, err := h.svc.Draw.Project(ctx, id)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("双盲评标：", "Double-blind evaluation: ") + p.Name
	pg := &projectPage{P: p, Committee: p.Committee}
	st, err := h.svc.Settings(ctx, id)
	switch {
	case yserr.Is(err, yserr.NotFound):
		pg.New, pg.CanEdit = true, true
	case err != nil:
		return err
	default:
		pg.St, pg.StatusText = st, StatusLabel(v, st.Status)
		if pg.Steps, err = h.steps(ctx, v.Lang, st); err != nil {
			return err
		}
		if pg.Role, err = h.svc.Role(ctx, id); err != nil {
			return err
		}
		pg.CanEdit = st.Status == bideval.StatusOpen && (pg.Role == bideval.ViewCentre || pg.Role == bideval.ViewTenderer)
		if pg.Role == bideval.ViewCentre || pg.Role == bideval.ViewSupervisor {
			if pg.O, err = h.svc.Overview(ctx, id); err != nil {
				return err
			}
			pg.Results = pg.O.Results
			pg.Witness = pg.O.CodesDraw != nil && pg.O.CodesDraw.Status == "committed"
			if pg.Objections, err = h.svc.Objections(ctx, id); err != nil {
				return err
			}
		} else if st.Status == bideval.StatusUnmasked || st.Status == bideval.StatusPublicity || st.Status == bideval.StatusAwarded {
			if pg.Results, err = h.svc.Results(ctx, id); err != nil {
				return err
			}
		}
	}
	crits := bideval.DefaultCriteria()
	pg.Deadline = p.OpeningAt.In(web.Shanghai).Format("2006-01-02T15:04")
	pg.Opening = pg.Deadline
	if st != nil {
		crits, pg.Deadline = st.Criteria, st.DeadlineAt.In(web.Shanghai).Format("2006-01-02T15:04")
	}
	for i := range max(len(crits)+2, 5) {
		row := critRow{N: i}
		if i < len(crits) {
			c := crits[i]
			row = critRow{N: i, Key: c.Key, NameZH: c.NameZH, NameEN: c.NameEN, Max: strconv.FormatFloat(c.Max, 'f', -1, 64), Guides: c.Guidance}
		}
		pg.Rows = append(pg.Rows, row)
	}
	v.Data = pg
	if formErr != nil {
		return h.s.FormError(w, r, viewProject, v, formErr)
	}
	return h.s.Render(w, r, status, viewProject, v)
}

// settingsInput reads the settings form (criteria as parallel lists;
// rows without key and name are ignored).
func settingsInput(r *http.Request) (bideval.SettingsInput, error) {
	in := bideval.SettingsInput{DeadlineAt: r.FormValue("deadline_at"), OpeningAt: r.FormValue("opening_at"), Procedure: r.FormValue("procedure"),
		Rule: r.FormValue("rule"), PriceMethod: bideval.PriceLowest}
	var v yserr.Validation
	pm, err := strconv.ParseFloat(strings.TrimSpace(r.FormValue("price_max")), 64)
	if err != nil {
		v.Add("price_max", "价格分须为数字", "the price weight must be a number")
	}
	in.PriceMax = pm
	keys, names, ens, maxes, guides := r.Form["key"], r.Form["name_zh"], r.Form["name_en"], r.Form["max"], r.Form["guidance"]
	at := func(xs []string, i int) string {
		if i < len(xs) {
			return strings.TrimSpace(xs[i])
		}
		return ""
	}
	for i := range keys {
		if at(keys, i) == "" && at(names, i) == "" {
			continue
		}
		m, err := strconv.ParseFloat(at(maxes, i), 64)
		if err != nil {
			v.Add(fmt.Sprintf("criteria[%d].max", len(in.Criteria)), fmt.Sprintf("第 %d 项：满分须为数字", len(in.Criteria)+1), fmt.Sprintf("criterion %d: the maximum must be a number", len(in.Criteria)+1))
		}
		in.Criteria = append(in.Criteria, bideval.Criterion{Key: at(keys, i), NameZH: at(names, i), NameEN: at(ens, i), Max: m, Guidance: at(guides, i)})
	}
	return in, v.Err()
}

// act runs one of the centre's actions on project {id}: invalid input
// re-renders the project page with the error beside its field; success
// redirects to target(id) with a flash message.
func (h *handlers) act(w http.ResponseWriter, r *http.Request, do func(ctx context.Context, id int64) error, target func(id int64) string, zh, en string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = do(r.Context(), id)
	if yserr.Is(err, yserr.Invalid) {
		return h.renderProject(w, r, id, err, 0)
	}
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, target(id), v.T(zh, en))
}

// at returns a target: the project page at anchor.
func at(anchor string) func(int64) string {
	return func(id int64) string { return projectURL(id, anchor) }
}

func (h *handlers) settings(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, func(ctx context.Context, id int64) error {
		in, err := settingsInput(r)
		if err == nil {
			_, err = h.svc.SetSettings(ctx, id, in)
		}
		return err
	}, at(""), "评标办法已保存", "Evaluation settings saved")
}

func (h *handlers) dispose(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, func(ctx context.Context, _ int64) error {
		flag, err := strconv.ParseInt(r.PathValue("flag"), 10, 64)
		if err != nil {
			return yserr.ErrNotFound("标记", "flag")
		}
		_, err = h.svc.Dispose(ctx, flag, bideval.DisposeInput{Disposition: r.FormValue("disposition"), Note: r.FormValue("note")})
		return err
	}, at("#flags"), "处理意见已记录", "Disposition recorded")
}

func (h *handlers) commitCodes(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, func(ctx context.Context, id int64) error {
		_, err := h.svc.CommitCodes(ctx, id)
		return err
	}, at("#codes"), "投标名单已冻结，编码抽取的承诺已公布；请由见证人输入随机值后抽取。",
		"The list of bids is frozen and the commitment published; let the witness enter a value and draw.")
}

func (h *handlers) runCodes(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, func(ctx context.Context, id int64) error {
		return h.svc.RunCodes(ctx, id, draw.DrawInput{WitnessName: r.FormValue("witness_name"), WitnessValue: r.FormValue("witness_value")})
	}, at("#codes"), "暗标编码已抽取并密封，评标委员会可以开始评分。", "The codes are drawn and sealed; the committee can score.")
}

func (h *handlers) link(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, func(ctx context.Context, id int64) error {
		expert, _ := strconv.ParseInt(r.FormValue("expert_id"), 10, 64)
		return h.svc.LinkMember(ctx, id, expert, r.FormValue("username"))
	}, at("#committee"), "已关联评标账号", "Account linked")
}

func (h *handlers) unmask(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, func(ctx context.Context, id int64) error {
		_, err := h.svc.Unmask(ctx, id)
		return err
	}, at("#results"), "编码已揭示，评标结果如下。", "The codes are unmasked; the results follow.")
}

func (h *handlers) candidates(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, func(ctx context.Context, id int64) error {
		_, err := h.svc.PublishCandidates(ctx, id)
		return err
	}, at("#results"), "中标候选人已公示，公示期内投标人可以提出异议。", "The winning candidates are published; bidders may object during the publicity.")
}

func (h *handlers) answerObjection(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, func(ctx context.Context, _ int64) error {
		oid, err := strconv.ParseInt(r.PathValue("objection"), 10, 64)
		if err != nil {
			return yserr.ErrNotFound("异议", "objection")
		}
		_, err = h.svc.AnswerObjection(ctx, oid, bideval.AnswerInput{Answer: r.FormValue("answer")})
		return err
	}, at("#objections"), "异议答复已记录", "Answer recorded")
}

// object: POST /bideval/projects/{id}/objections, a bidder's objection.
func (h *handlers) object(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	_, err = h.svc.Object(r.Context(), id, bideval.ObjectionInput{Body: r.FormValue("body")})
	if yserr.Is(err, yserr.Invalid) {
		return h.renderBid(w, r, id, err)
	}
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, projectURL(id, "/bid#objections"), v.T("异议已提交，交易中心将予答复。", "Objection filed; the trading centre will answer."))
}

func (h *handlers) award(w http.ResponseWriter, r *http.Request) error {
	return h.act(w, r, func(ctx context.Context, id int64) error {
		bid, _ := strconv.ParseInt(r.FormValue("bid_id"), 10, 64)
		_, err := h.svc.Award(ctx, id, bideval.AwardInput{BidID: bid, Note: r.FormValue("note")})
		return err
	}, func(id int64) string { return "/public/bideval/" + strconv.FormatInt(id, 10) }, "已确认中标，结果已公示。", "Award confirmed and published.")
}

// bid: GET /bideval/projects/{id}/bid, the bidder's page.
func (h *handlers) bid(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.renderBid(w, r, id, nil)
}

func (h *handlers) renderBid(w http.ResponseWriter, r *http.Request, id int64, formErr error) error {
	ctx := r.Context()
	st, err := h.svc.Settings(ctx, id)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("投标：", "Bid: ") + st.ProjectName
	mine, err := h.svc.MyBid(ctx, id)
	if err != nil && !yserr.Is(err, yserr.NotFound) {
		return err
	}
	var objections []bideval.Objection
	if mine != nil {
		if objections, err = h.svc.Objections(ctx, id); err != nil {
			return err
		}
	}
	v.Data = map[string]any{"St": st, "Mine": mine, "StatusText": StatusLabel(v, st.Status), "Open": st.Status == bideval.StatusOpen,
		"MaxMB": h.svc.MaxFileBytes >> 20, "Objections": objections,
		"CanObject": mine != nil && st.Status == bideval.StatusPublicity && st.PublicityUntil != nil && h.svc.Clock.Now().Before(*st.PublicityUntil)}
	if formErr != nil {
		return h.s.FormError(w, r, viewBid, v, formErr)
	}
	return h.s.Render(w, r, http.StatusOK, viewBid, v)
}

func (h *handlers) register(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	_, err = h.svc.Register(r.Context(), id, bideval.RegisterInput{ProjectManager: r.FormValue("project_manager")})
	if yserr.Is(err, yserr.Invalid) {
		return h.renderBid(w, r, id, err)
	}
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, projectURL(id, "/bid"), v.T("已登记投标，请分别上传技术标和商务标。", "Registered; upload the technical and the commercial part."))
}

// readUpload reads the "file" part of a multipart form, at most limit+1 bytes.
func readUpload(r *http.Request, limit int64) (string, []byte, error) {
	f, fh, err := r.FormFile("file")
	if err != nil {
		return "", nil, yserr.Field("file", "请选择文件", "choose a file")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return "", nil, err
	}
	return fh.Filename, data, nil
}

func (h *handlers) upload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	name, data, err := readUpload(r, h.svc.MaxFileBytes)
	var f *bideval.File
	if err == nil {
		f, err = h.svc.Upload(r.Context(), id, r.FormValue("part"), name, data, r.FormValue("price_yuan"))
	}
	if yserr.Is(err, yserr.Invalid) {
		return h.renderBid(w, r, id, err)
	}
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	part := v.T("技术标", "technical part")
	if f.Part == bideval.PartCommercial {
		part = v.T("商务标", "commercial part")
	}
	msg := fmt.Sprintf(v.T("%s第 %d 版已上传，SHA-256：%s", "%s version %d uploaded, SHA-256: %s"), part, f.Version, f.SHA256)
	if len(f.Warnings) > 0 {
		var terms []string
		for _, l := range f.Warnings {
			terms = append(terms, l.Term)
		}
		msg += v.T("。注意：技术标中出现了本单位的身份信息（", ". Warning: the technical part names your entity (") + strings.Join(terms, v.T("、", ", ")) +
			v.T("），截止前可上传修改后的版本；否则评标专家只会看到遮盖这些内容后的文字。", "); upload a corrected version before the deadline, or the experts will get only its text with these blacked out.")
	}
	return h.s.Redirect(w, r, projectURL(id, "/bid#receipts"), msg)
}

type cell struct {
	Points, Comment, Field string
	Max                    float64
}

// score: GET /bideval/projects/{id}/score, the expert's codes and sheet.
func (h *handlers) score(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.renderScore(w, r, id, nil)
}

func (h *handlers) renderScore(w http.ResponseWriter, r *http.Request, id int64, formErr error) error {
	ctx := r.Context()
	st, err := h.svc.Settings(ctx, id)
	if err != nil {
		return err
	}
	codes, err := h.svc.Codes(ctx, id)
	if err != nil {
		return err
	}
	sheet, err := h.svc.MySheet(ctx, id)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("评分：", "Scoring: ") + st.ProjectCode
	saved := map[string]bideval.Score{}
	for _, c := range sheet.Scores {
		saved[c.Code+"."+c.Criterion] = c
	}
	cells := map[string]map[string]cell{}
	for _, c := range codes {
		cells[c.Code] = map[string]cell{}
		for _, cr := range st.Criteria {
			k := c.Code + "." + cr.Key
			x := cell{Field: k, Max: cr.Max}
			if sc, ok := saved[k]; ok {
				x.Points, x.Comment = strconv.FormatFloat(sc.Points, 'f', -1, 64), sc.Comment
			}
			if formErr != nil {
				x.Points, x.Comment = r.FormValue("pts."+k), r.FormValue("cmt."+k)
			}
			cells[c.Code][cr.Key] = x
		}
	}
	var others []bideval.Sheet
	if sheet.Status == bideval.SheetLocked {
		if list, err := h.svc.CommitteeSheets(ctx, id); err == nil {
			others = list
		} else if !yserr.Is(err, yserr.Forbidden) {
			return err
		}
	}
	v.Data = map[string]any{"St": st, "Codes": codes, "Sheet": sheet, "Cells": cells, "Locked": sheet.Status == bideval.SheetLocked,
		"Scoring": st.Status == bideval.StatusScoring, "Others": others, "StatusText": StatusLabel(v, st.Status)}
	if formErr != nil {
		return h.s.FormError(w, r, viewScore, v, formErr)
	}
	return h.s.Render(w, r, http.StatusOK, viewScore, v)
}

func (h *handlers) saveScore(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	st, err := h.svc.Settings(ctx, id)
	if err != nil {
		return err
	}
	codes, err := h.svc.Codes(ctx, id)
	if err != nil {
		return err
	}
	in := bideval.SheetInput{Lock: r.FormValue("action") == "lock"}
	var v yserr.Validation
	for _, c := range codes {
		for _, cr := range st.Criteria {
			k := c.Code + "." + cr.Key
			p := strings.TrimSpace(r.FormValue("pts." + k))
			if p == "" {
				continue
			}
			pts, err := strconv.ParseFloat(p, 64)
			if err != nil {
				v.Add("scores["+k+"]", c.Code+"「"+cr.NameZH+"」得分须为数字", c.Code+" "+cr.NameEN+": points must be a number")
				continue
			}
			in.Scores = append(in.Scores, bideval.Score{Code: c.Code, Criterion: cr.Key, Points: pts, Comment: r.FormValue("cmt." + k)})
		}
	}
	err = v.Err()
	if err == nil {
		_, err = h.svc.SaveSheet(ctx, id, in)
	}
	if yserr.Is(err, yserr.Invalid) {
		return h.renderScore(w, r, id, err)
	}
	if err != nil {
		return err
	}
	vw := h.s.View(r, "")
	msg := vw.T("草稿已保存", "Draft saved")
	if in.Lock {
		msg = vw.T("评分表已提交并锁定，不能再修改。", "Your sheet is submitted and locked; it can no longer change.")
	}
	return h.s.Redirect(w, r, projectURL(id, "/score"), msg)
}

// download: GET /bideval/projects/{id}/codes/{code}: a technical part
// under its code, to a member of the committee.
func (h *handlers) download(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
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

func writeFile(w http.ResponseWriter, name, mime string, data []byte) {
	_ = server.WriteFile(w, name, mime, int64(len(data)), false, bytes.NewReader(data))
}

// notices: GET /public/bideval, the award notices.
func (h *handlers) notices(w http.ResponseWriter, r *http.Request) error {
	list, err := h.svc.Notices(r.Context())
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("评标结果公示", "Award notices")
	v.Data = list
	return h.s.Render(w, r, http.StatusOK, viewNotices, v)
}

// publicity: GET /public/bideval/{id}, the notice of one project.
func (h *handlers) publicity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := h.svc.Publicity(r.Context(), id)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("中标结果公示：", "Award notice: ") + p.ProjectName
	purposes := map[string]string{}
	for _, d := range p.Draws {
		l := map[string][2]string{"experts": {"评标专家", "Experts"}, "staff": {"受理人员", "Intake staff"}, "witnesses": {"见证人员", "Witnesses"},
			"venues": {"评标主场/副场", "Venues"}, "seats": {"评标席位", "Seats"}, "codes": {"暗标编码", "Virtual codes"}}[d.Purpose]
		purposes[d.Purpose] = v.T(l[0], l[1])
		if l[0] == "" {
			purposes[d.Purpose] = d.Purpose
		}
	}
	v.Data = map[string]any{"P": p, "Purposes": purposes}
	return h.s.Render(w, r, http.StatusOK, viewPublicity, v)
}

// evalPath is an evaluation's way as a step bar.
var evalPath = []string{bideval.StatusOpen, bideval.StatusClosed, bideval.StatusScoring, bideval.StatusUnmasked, bideval.StatusPublicity, bideval.StatusAwarded}

// steps is the evaluation's step bar: the bid deadline's clock while bids
// are open, the publicity's while candidates are published.
func (h *handlers) steps(ctx context.Context, lang string, st *bideval.Settings) ([]web.StepView, error) {
	cal, err := h.s.App.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	steps := make([]web.Text, len(evalPath))
	cur := len(evalPath)
	for i, s := range evalPath {
		steps[i] = statusText(s)
		if s == st.Status {
			cur = i
		}
	}
	off := false
	if st.Status == bideval.StatusFailed {
		// Stopped when the bids were counted, after the deadline.
		steps[1], cur, off = statusText(bideval.StatusFailed), 1, true
	}
	var due *time.Time
	switch st.Status {
	case bideval.StatusOpen:
		due = &st.DeadlineAt
	case bideval.StatusPublicity:
		due = st.PublicityUntil
	case bideval.StatusAwarded:
		cur = len(evalPath)
	}
	return web.Steps(lang, steps, cur, off, cal, h.svc.Clock.Now(), due), nil
}
