package bideval

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/draw"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// Unmask opens the codes once every confirmed member of the committee has
// locked the sheet and the committee is complete: an audited event of its
// own (bideval.unmasked); the codes draw record becomes public.
func (s *Service) Unmask(ctx context.Context, projectID int64) (*Results, error) {
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		st, err := s.settings(ctx, projectID)
		if err != nil {
			return err
		}
		a, err := s.centre(ctx, st)
		if err != nil {
			return err
		}
		if st.Status != StatusScoring {
			return yserr.Newf(yserr.Conflict, "当前状态（%s）不能揭示编码：须先抽取暗标编码并完成评分", "the codes cannot be unmasked in status %s: draw the codes and score first", st.Status)
		}
		members, err := s.committee(ctx, projectID)
		if err != nil {
			return err
		}
		if len(members) < st.committee {
			return yserr.Newf(yserr.Conflict, "评标委员会应有 %d 人，已确认 %d 人，不能揭示编码", "the committee needs %d members and %d have confirmed; the codes cannot be unmasked",
				st.committee, len(members))
		}
		var missing []string
		for _, m := range members {
			if m.Sheet != SheetLocked {
				missing = append(missing, m.Pseudonym)
			}
		}
		if len(missing) > 0 {
			return yserr.Newf(yserr.Conflict, "尚有 %d 位专家（共 %d 位）未提交锁定评分表，不能揭示编码：%s", "%d of %d members have not locked their sheets; the codes cannot be unmasked: %s",
				len(missing), len(members), strings.Join(missing, ", "))
		}
		if n, err := s.unresolvedFlags(ctx, projectID); err != nil {
			return err
		} else if n > 0 {
			return errUnresolved(n, "揭示编码", "unmask the codes")
		}
		now := s.Clock.Now()
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE bideval_projects SET status = $1, unmasked_at = $2, unmasked_by = $3, updated_at = $2 WHERE project_id = $4 AND status = $5",
			StatusUnmasked, now, nullID(a.UserID), projectID, StatusScoring)
		if err != nil {
			return err
		}
		if n != 1 {
			return yserr.New(yserr.Conflict, "编码已经揭示", "the codes are already unmasked")
		}
		if err := s.Draw.Unseal(ctx, st.CodesDrawID); err != nil {
			return err
		}
		res, err := s.compute(ctx, projectID)
		if err != nil {
			return err
		}
		mapping := map[string]string{}
		for _, r := range res.Rows {
			mapping[r.Code] = r.Bidder + " " + r.USCC
		}
		return s.Audit.Record(ctx, "bideval.unmasked", "draw_project", strconv.FormatInt(projectID, 10), nil,
			map[string]any{"codes": mapping, "ranking": res.Rows}, fmt.Sprintf("%s: %d sheets locked, %d bids", st.ProjectCode, len(members), len(res.Rows)))
	})
	if err != nil {
		return nil, err
	}
	return s.Results(ctx, projectID)
}

// Row is one bid's result.
type Row struct {
	Code          string    `json:"code"`
	Pseudonym     string    `json:"pseudonym" doc:"the bid's id in the codes draw record"`
	BidID         int64     `json:"bid_id"`
	Bidder        string    `json:"bidder"`
	USCC          string    `json:"uscc"`
	ExpertTotals  []float64 `json:"expert_totals" doc:"each member's technical total, in committee order"`
	Technical     float64   `json:"technical" doc:"aggregated technical score"`
	TechnicalRank int       `json:"technical_rank"`
	PriceYuan     string    `json:"price_yuan"`
	PriceScore    float64   `json:"price_score"`
	Total         float64   `json:"total"`
	Rank          int       `json:"rank" doc:"1 = first; tied bids share a rank"`
	Tied          bool      `json:"tied"`
	priceFen      int64
}

// Results is the outcome of the evaluation.
type Results struct {
	ProjectID  int64      `json:"project_id"`
	Rule       string     `json:"rule"`
	PriceMax   float64    `json:"price_max"`
	Committee  []Member   `json:"committee"`
	Rows       []Row      `json:"rows" doc:"by rank"`
	Ties       [][]string `json:"ties" doc:"groups of codes sharing a final rank"`
	UnmaskedAt *time.Time `json:"unmasked_at,omitempty"`
	AwardBidID int64      `json:"award_bid_id,omitempty"`
	AwardNote  string     `json:"award_note,omitempty"`
}

// compute aggregates the locked sheets: technical score per code by the
// project's rule, the price score from the commercial parts, the total and
// the ranking with ties.
func (s *Service) compute(ctx context.Context, projectID int64) (*Results, error) {
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return nil, err
	}
	members, err := s.committee(ctx, projectID)
	if err != nil {
		return nil, err
	}
	bids, err := s.loadBids(ctx, projectID, 0)
	if err != nil {
		return nil, err
	}
	res := &Results{ProjectID: projectID, Rule: st.Rule, PriceMax: st.PriceMax, Committee: members, Ties: [][]string{},
		UnmaskedAt: st.UnmaskedAt, AwardBidID: st.AwardBidID, AwardNote: st.AwardNote}
	byCode := map[string]*Bid{}
	totals := map[string][]float64{}
	prices := map[string]float64{}
	perExpert := map[string][]float64{}
	for i := range bids {
		b := &bids[i]
		if b.Code == "" {
			continue
		}
		byCode[b.Code] = b
		if b.Commercial == nil || b.Commercial.priceFen == nil {
			return nil, fmt.Errorf("bideval: coded bid %s has no price", b.Code)
		}
		prices[b.Code] = float64(*b.Commercial.priceFen) / 100
	}
	for _, m := range members {
		sh, err := s.sheet(ctx, projectID, m.ExpertID)
		if err != nil {
			return nil, err
		}
		sum := map[string]float64{}
		for _, t := range sh.Totals {
			sum[t.Code] = t.Points
		}
		for code := range byCode {
			totals[code] = append(totals[code], sum[code])
			perExpert[code] = append(perExpert[code], sum[code])
		}
	}
	if len(byCode) == 0 || len(members) == 0 {
		return res, nil
	}
	tech, err := Aggregate(st.Rule, totals)
	if err != nil {
		return nil, err
	}
	ps, err := PriceScores(prices, st.PriceMax)
	if err != nil {
		return nil, err
	}
	techRank := map[string]Result{}
	for _, r := range tech {
		techRank[r.Code] = r
	}
	final := Rank(tech, ps)
	for _, r := range final {
		b := byCode[r.Code]
		res.Rows = append(res.Rows, Row{Code: r.Code, Pseudonym: b.Pseudonym, BidID: b.ID, Bidder: b.Name, USCC: b.USCC, ExpertTotals: perExpert[r.Code],
			Technical: techRank[r.Code].Score, TechnicalRank: techRank[r.Code].Rank, PriceYuan: fmtYuan(*b.Commercial.priceFen),
			PriceScore: ps[r.Code], Total: r.Score, Rank: r.Rank, Tied: r.Tied, priceFen: *b.Commercial.priceFen})
	}
	for i := 0; i < len(final); {
		j := i + 1
		for j < len(final) && final[j].Rank == final[i].Rank {
			j++
		}
		if j-i > 1 {
			var g []string
			for _, r := range final[i:j] {
				g = append(g, r.Code)
			}
			res.Ties = append(res.Ties, g)
		}
		i = j
	}
	return res, nil
}

// Results returns the outcome after the unmasking to the centre's staff,
// supervisors, the tenderer and the members of the committee; after the
// award to everyone (see Publicity).
func (s *Service) Results(ctx context.Context, projectID int64) (*Results, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if !revealed(st) {
		return nil, yserr.New(yserr.Conflict, "编码揭示前没有评标结果", "there are no results before the codes are unmasked")
	}
	ok := isCentre(a, st) || a.Has(auth.Supervisor) || s.isTenderer(ctx, a, st) || st.Status == StatusAwarded
	if !ok && a.Has(auth.Expert) {
		_, _, _, err := s.member(ctx, projectID)
		ok = err == nil
	}
	if !ok {
		return nil, yserr.ErrForbidden()
	}
	res, err := s.compute(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if !isCentre(a, st) && !a.Has(auth.Supervisor) && st.Status != StatusAwarded {
		for i := range res.Committee {
			res.Committee[i].Name = "" // the committee is secret until the award (Art.37)
		}
	}
	return res, nil
}

// AwardInput confirms the award.
type AwardInput struct {
	BidID int64  `json:"bid_id" doc:"the first-ranked bid (one of them when tied)"`
	Note  string `json:"note,omitempty" doc:"required when several bids share the first rank"`
}

// Award confirms the award to the first-ranked bid (the centre's staff)
// once the candidates' publicity is over, every objection is answered and
// no leak finding is open; with a tie for first place the staff choose one
// and give the reason. The committee's names become public with the notice.
func (s *Service) Award(ctx context.Context, projectID int64, in AwardInput) (*Results, error) {
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 500 {
		return nil, yserr.Field("note", "说明最多 500 字", "the note has at most 500 characters")
	}
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		st, err := s.settings(ctx, projectID)
		if err != nil {
			return err
		}
		a, err := s.centre(ctx, st)
		if err != nil {
			return err
		}
		if st.Status == StatusAwarded {
			return yserr.New(yserr.Conflict, "已经定标", "the award is already confirmed")
		}
		if err := s.awardReady(ctx, st); err != nil {
			return err
		}
		res, err := s.compute(ctx, projectID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(res.Rows, func(r Row) bool { return r.BidID == in.BidID })
		if i < 0 {
			return yserr.Field("bid_id", "请选择一个已评审的投标", "choose an evaluated bid")
		}
		if res.Rows[i].Rank != 1 {
			return yserr.Field("bid_id", fmt.Sprintf("%s 排名第 %d，只能确认排名第一的投标人中标", res.Rows[i].Code, res.Rows[i].Rank),
				fmt.Sprintf("%s is ranked %d; only the first-ranked bid can be awarded", res.Rows[i].Code, res.Rows[i].Rank))
		}
		if res.Rows[i].Tied && in.Note == "" {
			return yserr.Field("note", "多个投标并列第一，请说明确定中标人的理由", "several bids share the first rank: give the reason for the choice")
		}
		now := s.Clock.Now()
		if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE bideval_projects SET status = $1, awarded_at = $2, awarded_by = $3, award_bid_id = $4, award_note = $5,
			updated_at = $2 WHERE project_id = $6 AND status = $7`, StatusAwarded, now, nullID(a.UserID), in.BidID, in.Note, projectID, StatusPublicity); err != nil {
			return err
		}
		if err := s.Draw.MarkAwarded(ctx, projectID); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "bideval.award", "draw_project", strconv.FormatInt(projectID, 10), nil, in,
			fmt.Sprintf("%s awarded to %s (%s)", st.ProjectCode, res.Rows[i].Bidder, res.Rows[i].Code)); err != nil {
			return err
		}
		return s.tellBidders(ctx, st, res, res.Rows[i].Bidder)
	})
	if err != nil {
		return nil, err
	}
	return s.Results(ctx, projectID)
}

// DrawLink is one draw of the project, for the publicity page.
type DrawLink struct {
	ID      int64      `json:"id"`
	Purpose string     `json:"purpose"`
	Status  string     `json:"status"`
	DrawnAt *time.Time `json:"drawn_at,omitempty"`
}

// MemberScores is one member's scores on the publicity page.
type MemberScores struct {
	Name   string    `json:"name"`
	Group  string    `json:"group"`
	Totals []float64 `json:"totals" doc:"per bid, in the order of the result rows"`
	Scores []Score   `json:"scores"`
}

// Publicity is the public notice: of the winning candidates during their
// publicity (stage candidates: ranking, no committee, no winner), then of
// the award (中标结果公示).
type Publicity struct {
	Stage          string         `json:"stage" enum:"candidates,award"`
	PublicityUntil *time.Time     `json:"publicity_until,omitempty" doc:"end of the candidates' publicity and of the objection window"`
	ProjectID      int64          `json:"project_id"`
	ProjectCode    string         `json:"project_code"`
	ProjectName    string         `json:"project_name"`
	Tenderer       string         `json:"tenderer"`
	OpeningAt      time.Time      `json:"opening_at"`
	Criteria       []Criterion    `json:"criteria"`
	PriceMax       float64        `json:"price_max"`
	Rule           string         `json:"rule"`
	Results        []Row          `json:"results"`
	Ties           [][]string     `json:"ties"`
	Members        []MemberScores `json:"members"`
	Winner         string         `json:"winner"`
	WinnerCode     string         `json:"winner_code"`
	WinnerPrice    string         `json:"winner_price_yuan"`
	AwardNote      string         `json:"award_note,omitempty"`
	AwardedAt      time.Time      `json:"awarded_at"`
	UnmaskedAt     time.Time      `json:"unmasked_at"`
	Draws          []DrawLink     `json:"draws"`
}

// Publicity returns the public notice of a project whose candidates are
// published or which is awarded (anyone). The committee's names and scores
// are published with the award only (招标投标法 Art.37).
func (s *Service) Publicity(ctx context.Context, projectID int64) (*Publicity, error) {
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if st.Status != StatusAwarded && st.Status != StatusPublicity {
		return nil, yserr.ErrNotFound("中标结果公示", "award notice")
	}
	sys := auth.WithActor(ctx, auth.System("bideval.publicity"))
	res, err := s.compute(sys, projectID)
	if err != nil {
		return nil, err
	}
	p := &Publicity{Stage: "award", PublicityUntil: st.PublicityUntil, ProjectID: projectID, ProjectCode: st.ProjectCode, ProjectName: st.ProjectName,
		OpeningAt: st.OpeningAt, Criteria: st.Criteria, PriceMax: st.PriceMax, Rule: st.Rule, Results: res.Rows, Ties: res.Ties, AwardNote: st.AwardNote,
		Members: []MemberScores{}, Draws: []DrawLink{}}
	if st.AwardedAt != nil {
		p.AwardedAt = *st.AwardedAt
	}
	if st.UnmaskedAt != nil {
		p.UnmaskedAt = *st.UnmaskedAt
	}
	tenderer, err := s.Entities.RefsByUSCC(ctx, []string{st.tenderer})
	if err != nil {
		return nil, err
	}
	p.Tenderer = st.tenderer
	if t, ok := tenderer[st.tenderer]; ok {
		p.Tenderer = t.Name
	}
	if st.Status == StatusPublicity {
		p.Stage = "candidates"
		for i := range p.Results {
			p.Results[i].ExpertTotals = nil
		}
		return p, nil
	}
	for _, r := range res.Rows {
		if r.BidID == st.AwardBidID {
			p.Winner, p.WinnerCode, p.WinnerPrice = r.Bidder, r.Code, r.PriceYuan
		}
	}
	for i, m := range res.Committee {
		sh, err := s.sheet(ctx, projectID, m.ExpertID)
		if err != nil {
			return nil, err
		}
		ms := MemberScores{Name: m.Name, Group: m.Group, Scores: sh.Scores}
		for _, r := range res.Rows {
			ms.Totals = append(ms.Totals, r.ExpertTotals[i])
		}
		p.Members = append(p.Members, ms)
	}
	draws, err := s.Draw.ProjectDraws(ctx, projectID)
	if err != nil {
		return nil, err
	}
	for _, d := range draws {
		p.Draws = append(p.Draws, DrawLink{ID: d.ID, Purpose: d.Purpose, Status: d.Status, DrawnAt: d.DrawnAt})
	}
	return p, nil
}

// Notice is a project in the public list: candidates published or awarded.
type Notice struct {
	Stage       string    `json:"stage" enum:"candidates,award"`
	ProjectID   int64     `json:"project_id"`
	ProjectCode string    `json:"project_code"`
	ProjectName string    `json:"project_name"`
	Winner      string    `json:"winner"`
	AwardedAt   time.Time `json:"awarded_at"`
}

// Notices lists the projects whose candidates are published or which are
// awarded, newest first (public). During the candidates' publicity the
// winner is empty and AwardedAt is the publication time.
func (s *Service) Notices(ctx context.Context) ([]Notice, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT CASE WHEN s.status = 'awarded' THEN 'award' ELSE 'candidates' END, s.project_id,
		COALESCE(b.name, ''), s.awarded_at, s.candidates_at FROM bideval_projects s LEFT JOIN bideval_bids b ON b.id = s.award_bid_id
		WHERE s.status IN ('awarded','publicity') ORDER BY COALESCE(s.awarded_at, s.candidates_at) DESC, s.project_id DESC LIMIT 200`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notice{}
	var ids []int64
	for rows.Next() {
		var n Notice
		var awarded, published *time.Time
		if err := rows.Scan(&n.Stage, &n.ProjectID, &n.Winner, &awarded, &published); err != nil {
			return nil, err
		}
		if awarded == nil {
			awarded = published
		}
		if awarded != nil {
			n.AwardedAt = *awarded
		}
		out = append(out, n)
		ids = append(ids, n.ProjectID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ps, err := s.Draw.ProjectsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if p := ps[out[i].ProjectID]; p != nil {
			out[i].ProjectCode, out[i].ProjectName = p.Code, p.Name
		}
	}
	return out, nil
}

// Overview is the centre's view of a project's evaluation.
type Overview struct {
	Settings  *Settings   `json:"settings"`
	Bids      []Bid       `json:"bids"`
	Committee []Member    `json:"committee"`
	Conflicts []Conflict  `json:"conflicts"`
	CodesDraw *draw.Draw  `json:"codes_draw,omitempty"`
	Results   *Results    `json:"results,omitempty"`
	Sealed    bool        `json:"sealed" doc:"codes are hidden from the caller"`
	Locked    int         `json:"locked" doc:"sheets locked"`
	Criteria  []Criterion `json:"-"`
}

// Overview gathers the centre's (and supervisors') view of a project.
func (s *Service) Overview(ctx context.Context, projectID int64) (*Overview, error) {
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return nil, err
	}
	bids, err := s.Bids(ctx, projectID)
	if err != nil {
		return nil, err
	}
	o := &Overview{Settings: st, Bids: bids, Criteria: st.Criteria}
	if o.Committee, err = s.Progress(ctx, projectID); err != nil {
		return nil, err
	}
	for _, m := range o.Committee {
		if m.Sheet == SheetLocked {
			o.Locked++
		}
	}
	if o.Conflicts, err = s.Conflicts(ctx, projectID); err != nil {
		return nil, err
	}
	if st.CodesDrawID != 0 {
		if o.CodesDraw, err = s.Draw.Draw(ctx, st.CodesDrawID); err != nil {
			return nil, err
		}
	}
	a := auth.From(ctx)
	o.Sealed = !revealed(st) && !a.Has(auth.Supervisor)
	if !o.Sealed && revealed(st) {
		if o.Results, err = s.compute(ctx, projectID); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// Viewer roles of a project's evaluation, as Role reports them.
const (
	ViewCentre     = "centre"
	ViewSupervisor = "supervisor"
	ViewTenderer   = "tenderer"
	ViewBidder     = "bidder"
	ViewExpert     = "expert"
)

// Role tells which view of the project's evaluation the actor gets (the
// pages dispatch on it; every operation still checks on its own):
// centre, supervisor, tenderer, expert (a confirmed member), bidder (any
// other enterprise user), or Forbidden.
func (s *Service) Role(ctx context.Context, projectID int64) (string, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return "", err
	}
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return "", err
	}
	switch {
	case isCentre(a, st):
		return ViewCentre, nil
	case a.Has(auth.Supervisor):
		return ViewSupervisor, nil
	case s.isTenderer(ctx, a, st):
		return ViewTenderer, nil
	case a.Has(auth.Enterprise) && a.EntityID != 0:
		return ViewBidder, nil
	case a.Has(auth.Expert):
		if id := s.linkedExpert(ctx, a); id != 0 {
			if _, err := s.assignment(ctx, projectID, id); err == nil {
				return ViewExpert, nil
			}
		}
	}
	return "", yserr.ErrForbidden()
}

// LinkMember links a confirmed member of the project's committee to a user
// account with the expert role, so that he or she can sign in and score
// (the centre's staff of the project).
func (s *Service) LinkMember(ctx context.Context, projectID, expertID int64, username string) error {
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return err
	}
	if _, err := s.centre(ctx, st); err != nil {
		return err
	}
	members, err := s.committee(ctx, projectID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(members, func(m Member) bool { return m.ExpertID == expertID }) {
		return yserr.ErrNotFound("本项目评标委员会成员", "member of this project's committee")
	}
	_, err = s.Draw.LinkExpertUser(ctx, expertID, strings.TrimSpace(username))
	return err
}

// tellBidders sends each bidder's enterprise accounts its own result, in
// the award's transaction (the outbox delivers it). One query finds the
// accounts of every bid of the project.
func (s *Service) tellBidders(ctx context.Context, st *Settings, res *Results, winner string) error {
	accounts, err := s.bidderAccounts(ctx, st.ProjectID)
	if err != nil {
		return err
	}
	for _, r := range res.Rows {
		to := accounts[r.BidID]
		if len(to) == 0 {
			continue
		}
		if _, err := s.Notify.Send(ctx, notify.Message{Type: MsgAwarded, Channels: []string{notify.ChannelInApp}, To: to,
			ObjectType: "draw_project", ObjectID: strconv.FormatInt(st.ProjectID, 10), Link: "/bideval/projects/" + strconv.FormatInt(st.ProjectID, 10),
			Data: map[string]any{"project": st.ProjectCode, "name": st.ProjectName, "code": r.Code, "rank": strconv.Itoa(r.Rank),
				"total": strconv.FormatFloat(r.Total, 'f', 2, 64), "winner": winner, "link": "/public/bideval/" + strconv.FormatInt(st.ProjectID, 10)}}); err != nil {
			return err
		}
	}
	return nil
}
