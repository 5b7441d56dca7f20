package bideval

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"yingshang/internal/draw"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// PurposeCodes is the draw purpose of the virtual codes.
const PurposeCodes = "codes"

// ReasonIncomplete excludes a bid without both parts from the codes draw.
const ReasonIncomplete = "incomplete_bid"

// CodeLabel is the virtual code of the bid drawn in position order (1..):
// A01, A02, ... (暗标编码).
func CodeLabel(order int) string { return fmt.Sprintf("A%02d", order) }

// Hook registers the codes draw's result handler with the draw engine, so
// that executing the codes draw (from any page or the API) assigns the
// codes in the same transaction.
func (s *Service) Hook() {
	if s.Draw.Appliers == nil {
		s.Draw.Appliers = map[string]func(context.Context, *draw.Draw, *draw.Record) error{}
	}
	s.Draw.Appliers[PurposeCodes] = s.applyCodes
}

// CommitCodes freezes the list of complete bids after the deadline and
// commits the sealed codes draw: a random permutation of the bids gives
// their codes A01, A02, ... in drawn order. The record stays sealed (only
// the commitment is public; supervisors see it) until the unmasking.
func (s *Service) CommitCodes(ctx context.Context, projectID int64) (*draw.Draw, error) {
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if _, err := s.centre(ctx, st); err != nil {
		return nil, err
	}
	if st.Status == StatusOpen {
		return nil, yserr.Newf(yserr.Conflict, "投标截止时间 %s 之前不能抽取暗标编码", "the codes cannot be drawn before the bid deadline %s", fmtTime(st.DeadlineAt))
	}
	if st.Status == StatusFailed {
		return nil, yserr.New(yserr.Conflict, "有效投标不足三份，评标已终止，应当重新招标", "fewer than three valid bids: the evaluation stopped; tender again")
	}
	if st.CodesDrawID != 0 {
		return nil, yserr.New(yserr.Conflict, "本项目已有暗标编码抽取", "this project already has its codes draw")
	}
	bids, err := s.loadBids(ctx, projectID, 0)
	if err != nil {
		return nil, err
	}
	list := draw.CandidateList{Candidates: []draw.Candidate{}, Excluded: []draw.Exclusion{}}
	for _, b := range bids {
		if b.Complete {
			list.Candidates = append(list.Candidates, draw.Candidate{ID: b.Pseudonym, Groups: []string{PurposeCodes}})
		} else {
			list.Excluded = append(list.Excluded, draw.Exclusion{ID: b.Pseudonym, Reasons: []string{ReasonIncomplete}})
		}
	}
	if len(list.Candidates) < MinValidBids {
		return nil, s.fail(ctx, st, len(list.Candidates))
	}
	slices.SortFunc(list.Candidates, func(a, b draw.Candidate) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(list.Excluded, func(a, b draw.Exclusion) int { return strings.Compare(a.ID, b.ID) })
	spec := draw.Spec{Purpose: PurposeCodes, Subject: st.ProjectCode,
		Groups: []draw.Group{{Name: PurposeCodes, Count: len(list.Candidates)}},
		Rules: map[string]string{"bids": "registered bids with both parts uploaded before " + draw.FormatTime(st.DeadlineAt),
			"code": "the bid picked in position k gets code A followed by k in two digits (A01, A02, ...)", "sealed": "until the unmasking"}}
	var d *draw.Draw
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if d, err = s.Draw.CommitFor(ctx, projectID, PurposeCodes, list, spec, true); err != nil {
			return err
		}
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE bideval_projects SET codes_draw_id = $1, status = $2, updated_at = $3 WHERE project_id = $4 AND codes_draw_id IS NULL",
			d.ID, StatusClosed, s.Clock.Now(), projectID)
		if err != nil {
			return err
		}
		if n != 1 {
			return yserr.New(yserr.Conflict, "本项目已有暗标编码抽取", "this project already has its codes draw")
		}
		return s.Audit.Record(ctx, "bideval.codes.commit", "draw_project", strconv.FormatInt(projectID, 10), nil,
			map[string]any{"draw": d.ID, "bids": len(list.Candidates), "excluded": len(list.Excluded)}, st.ProjectCode)
	})
	return d, err
}

// fail stops the evaluation of a project with fewer than three valid bids
// (招标投标法 Art.28: the tenderer must tender again): status failed, with
// its audit event, committed on its own; it returns the refusal.
func (s *Service) fail(ctx context.Context, st *Settings, valid int) error {
	reason := fmt.Sprintf("valid bids at the deadline: %d (at least %d required)", valid, MinValidBids)
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE bideval_projects SET status = $1, failed_reason = $2, updated_at = $3 WHERE project_id = $4",
			StatusFailed, reason, s.Clock.Now(), st.ProjectID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "bideval.failed", "draw_project", strconv.FormatInt(st.ProjectID, 10), st.Status, StatusFailed, st.ProjectCode+": "+reason)
	})
	if err != nil {
		return err
	}
	return yserr.Newf(yserr.Conflict, "截止时有效投标（技术标和商务标齐全）只有 %d 份，不足 %d 份，评标终止，招标人应当依法重新招标（招标投标法第二十八条）",
		"only %d valid bids (both parts) at the deadline, fewer than %d: the evaluation stops and the project must be tendered again (Tendering Law Art.28)",
		valid, MinValidBids)
}

// RunCodes performs the committed codes draw with the witness's value (the
// draw engine's Execute; the codes are assigned by the hook).
func (s *Service) RunCodes(ctx context.Context, projectID int64, in draw.DrawInput) error {
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return err
	}
	if st.CodesDrawID == 0 {
		return yserr.New(yserr.Conflict, "请先冻结投标名单并公布编码抽取的承诺", "commit the codes draw first")
	}
	_, err = s.Draw.Execute(ctx, st.CodesDrawID, in)
	return err
}

// applyCodes stores the codes of a drawn codes draw (inside Execute's
// transaction) and tells the committee that scoring is open. The audit
// event counts the codes but does not name them: the mapping stays sealed.
func (s *Service) applyCodes(ctx context.Context, d *draw.Draw, rec *draw.Record) error {
	st, err := s.settings(ctx, d.ProjectID)
	if err != nil {
		return err
	}
	if st.CodesDrawID != d.ID {
		return yserr.New(yserr.Conflict, "该抽取不是本项目的暗标编码抽取", "this draw is not the project's codes draw")
	}
	for _, p := range rec.Picks {
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE bideval_bids SET code = $1 WHERE project_id = $2 AND pseudonym = $3 AND code = ''",
			CodeLabel(p.Order), d.ProjectID, p.ID)
		if err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("bideval: bid %s of project %d cannot take a code", p.ID, d.ProjectID)
		}
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE bideval_projects SET status = $1, updated_at = $2 WHERE project_id = $3",
		StatusScoring, s.Clock.Now(), d.ProjectID); err != nil {
		return err
	}
	if err := s.Audit.Record(ctx, "bideval.codes.drawn", "draw_project", strconv.FormatInt(d.ProjectID, 10), StatusClosed, StatusScoring,
		fmt.Sprintf("%d codes drawn by draw %d (sealed)", len(rec.Picks), d.ID)); err != nil {
		return err
	}
	seats, err := s.Draw.CommitteeSeats(ctx, d.ProjectID, "confirmed")
	if err != nil {
		return err
	}
	var to []notify.Recipient
	for _, seat := range seats {
		if seat.UserID != 0 {
			to = append(to, notify.Recipient{UserID: seat.UserID})
		}
	}
	if len(to) == 0 || s.Notify == nil {
		return nil
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: MsgScoringOpen, To: to, Channels: []string{"inapp"}, ObjectType: "draw_project",
		ObjectID: strconv.FormatInt(d.ProjectID, 10), Link: "/bideval/projects/" + strconv.FormatInt(d.ProjectID, 10) + "/score", Data: map[string]any{"project": st.ProjectCode, "codes": len(rec.Picks),
			"link": "/bideval/projects/" + strconv.FormatInt(d.ProjectID, 10) + "/score"}})
	return err
}

// MsgScoringOpen tells the committee that the technical parts can be scored.
const MsgScoringOpen = "bideval.scoring_open"

// MsgAwarded tells each bidder the result when the award is confirmed.
const MsgAwarded = "bideval.awarded"

// RegisterMessages registers the module's message types (once per process).
func RegisterMessages() {
	if _, ok := notify.LookupType(MsgScoringOpen); ok {
		return
	}
	registerTenderMessages()
	notify.RegisterType(notify.MessageType{Key: MsgScoringOpen, NameZH: "评标开始通知", NameEN: "Scoring open",
		Variables: []notify.Variable{
			{Name: "project", ZH: "项目编号", EN: "project code", Example: "ZB-20261201-0A1B2C3D4E"},
			{Name: "codes", ZH: "暗标数量", EN: "number of coded bids", Example: "3"},
			{Name: "link", ZH: "评分页面", EN: "scoring page", Example: "/bideval/projects/1/score"},
		},
		Defaults: map[string]map[string]notify.Template{
			"inapp": {"zh-CN": {Subject: "暗标编码已抽取，可以开始评分", Body: "项目 {{.project}} 的 {{.codes}} 份技术标已按暗标编码提供，请登录评分：{{.link}}"},
				"en": {Subject: "Codes drawn: scoring is open", Body: "The {{.codes}} technical parts of project {{.project}} are ready under their codes: {{.link}}"}},
		}})
	notify.RegisterType(notify.MessageType{Key: MsgAwarded, NameZH: "评标结果通知", NameEN: "Evaluation result",
		Variables: []notify.Variable{
			{Name: "project", ZH: "项目编号", EN: "project code", Example: "ZB-20261201-0A1B2C3D4E"},
			{Name: "name", ZH: "项目名称", EN: "project name", Example: "许昌市东城区雨污分流改造工程"},
			{Name: "code", ZH: "本投标的暗标编码", EN: "the bid's code", Example: "A01"},
			{Name: "rank", ZH: "本投标的排名", EN: "the bid's rank", Example: "1"},
			{Name: "total", ZH: "本投标的总分", EN: "the bid's total", Example: "88.87"},
			{Name: "winner", ZH: "中标人", EN: "the winner", Example: "许昌市示例建设有限公司"},
			{Name: "link", ZH: "公示页面", EN: "notice page", Example: "/public/bideval/1"},
		},
		Defaults: map[string]map[string]notify.Template{
			"inapp": {"zh-CN": {Subject: "评标结果已公示：{{.project}}", Body: "项目“{{.name}}”（{{.project}}）已定标，中标人为{{.winner}}。贵单位投标（暗标编码 {{.code}}）总分 {{.total}}，排名第 {{.rank}}。评标委员会成员及各自评分见公示：{{.link}}"},
				"en": {Subject: "Evaluation result published: {{.project}}", Body: "Project {{.name}} ({{.project}}) is awarded to {{.winner}}. Your bid (code {{.code}}) scored {{.total}}, rank {{.rank}}. The committee and each member's scores are on the notice: {{.link}}"}},
		}})
}
