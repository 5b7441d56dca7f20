package procure

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/draw"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

// The evaluation committee (评审委员会) of a project is drawn from the
// expert pool by module draw, through its Go API only: procure registers
// the project with the draw module (the purchasing unit as the tenderer,
// the registered suppliers as the bidders, the specialties as the pool
// filter, the committee size of the project), commits the draw and runs it
// at the table with a witness. Draw's rules avoid experts employed by the
// purchasing unit or a supplier or related to them, and draw's secrecy
// keeps the members' names from everyone but the trading centre and
// supervisors until the award; procure shows the unit only the seats'
// per-project pseudonyms. At the award procure marks the draw project
// awarded, and the public result page shows each expert's name with the
// points the expert gave every bid (as Xuchang publishes).

// CommitteeInput registers the committee draw of a project.
type CommitteeInput struct {
	PurchaserUSCC string   `json:"purchaser_uscc" doc:"the purchasing unit's unified social credit code: experts employed by it or related to it are avoided"`
	Specialties   []string `json:"specialties" doc:"technical specialty codes of the expert pool (the project's category)"`
	EvaluationAt  string   `json:"evaluation_at" doc:"YYYY-MM-DDTHH:MM (Asia/Shanghai) or RFC 3339: the experts must be available that day"`
	Region        string   `json:"region_code,omitempty" doc:"the project's region (administrative division code)"`
}

// CommitteeMember is one seat of a project's committee. Name is empty
// until the award (draw's secrecy) except for supervisors.
type CommitteeMember struct {
	Seat     int           `json:"seat"`
	Alias    string        `json:"alias" doc:"the expert's pseudonym on this project"`
	Name     string        `json:"name,omitempty" doc:"published after the award"`
	Group    string        `json:"group" enum:"technical,economic"`
	Status   string        `json:"status" enum:"notified,confirmed"`
	Online   bool          `json:"online" doc:"the member has an expert account and scores in the platform (the unit types the sheets of the others)"`
	ExpertID int64         `json:"-"`
	userID   int64         // the expert's account (0: none)
	Scores   []ExpertScore `json:"scores,omitempty" doc:"after the award: the points the expert gave each bid"`
	SHA256   string        `json:"sheet_sha256,omitempty" doc:"after the award: the receipt of the sheet the expert locked in the platform"`
	// LotReceipts: on a project with lots, the receipt of each lot's sheet.
	LotReceipts []LotReceipt `json:"lot_sheet_sha256,omitempty" doc:"after the award, on a project with lots: the receipt of each lot's sheet the expert locked in the platform"`
}

// LotReceipt is the receipt of an expert's locked sheet of one lot.
type LotReceipt struct {
	LotNo  int    `json:"lot_no"`
	SHA256 string `json:"sha256"`
}

// GroupText names the member's group in a language.
func (m CommitteeMember) GroupText(lang string) string { return draw.GroupLabel(m.Group, lang) }

// ExpertScore is the technical points one expert gave one bid.
type ExpertScore struct {
	LotNo  int     `json:"lot_no,omitempty" doc:"the lot the points are for (0: the project, which has no lots)"`
	BidID  int64   `json:"bid_id"`
	Entity string  `json:"entity"`
	Points float64 `json:"points"`
	// Code and Indicators: a sheet the expert entered in the platform,
	// published after the award so that anyone can recompute its receipt.
	Code       string       `json:"code,omitempty" doc:"the bid's blind code on the expert's sheet"`
	Indicators []SheetPoint `json:"indicators,omitempty" doc:"the points per indicator (sheets entered in the platform)"`
}

// Committee is a project's committee draw and its members.
type Committee struct {
	ProjectID     int64              `json:"project_id"`
	DrawProjectID int64              `json:"draw_project_id"`
	Size          int                `json:"size"`
	Draws         []draw.ProjectDraw `json:"draws"`
	Members       []CommitteeMember  `json:"members"`
	NamesShown    bool               `json:"names_shown" doc:"true after the award (or for supervisors)"`
}

func (s *Service) sysCtx(ctx context.Context) context.Context {
	return auth.WithActor(ctx, auth.System("procure"))
}

// parseEvalTime reads an evaluation time in Asia/Shanghai.
func parseEvalTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02T15:04", v, time.FixedZone("CST", 8*3600))
}

// CommitCommittee registers the project with the draw module and commits
// the expert draw of its committee (staff of the project's unit; the
// project open, with at least one registered supplier). Registration
// closes with it: the suppliers the draw avoids are the registered ones.
// One transaction with the draw module's commitment.
func (s *Service) CommitCommittee(ctx context.Context, projectID int64, in CommitteeInput) (*Committee, error) {
	_, p, err := s.projectForStaff(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if s.Draw == nil {
		return nil, conflict("未启用随机抽取模块", "the draw module is not enabled")
	}
	if p.Status != ProjectOpen {
		return nil, conflict("项目已评审，不能再抽取专家", "the project is evaluated: no committee draw")
	}
	if p.Blind {
		return s.commitBlindCommittee(ctx, p)
	}
	var v yserr.Validation
	in.PurchaserUSCC = ident.NormalizeUSCC(in.PurchaserUSCC)
	if ident.ValidateUSCC(in.PurchaserUSCC) != nil {
		v.Add("purchaser_uscc", "采购人统一社会信用代码无效", "the purchasing unit's credit code is invalid")
	}
	var specs []string
	for _, c := range in.Specialties {
		for _, x := range strings.FieldsFunc(c, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == ';' }) {
			if x = strings.ToUpper(strings.TrimSpace(x)); x != "" && !slices.Contains(specs, x) {
				specs = append(specs, x)
			}
		}
	}
	if len(specs) == 0 {
		v.Add("specialties", "请填写评审专家的专业代码", "enter the experts' specialty codes")
	}
	at, err := parseEvalTime(strings.TrimSpace(in.EvaluationAt))
	if err != nil {
		v.Add("evaluation_at", "评审时间格式应为 YYYY-MM-DDTHH:MM", "the evaluation time must be YYYY-MM-DDTHH:MM")
	} else if !at.After(s.Clock.Now()) {
		v.Add("evaluation_at", "评审时间须晚于现在", "the evaluation time must be in the future")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	bids, err := s.bids(ctx, "project_id = $1", p.ID)
	if err != nil {
		return nil, err
	}
	if len(bids) == 0 {
		return nil, conflict("没有报名的供应商，不能抽取评审专家", "no supplier registered: no committee draw")
	}
	var bidders []string
	for _, b := range bids {
		bidders = append(bidders, b.USCC)
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		sc := s.sysCtx(ctx)
		dp := p.DrawProjectID
		if dp == 0 {
			d, err := s.Draw.CreateProject(sc, draw.ProjectInput{Name: p.Code + " " + p.Title, Kind: p.Kind, BudgetYuan: max(1, p.BudgetFen/100), Specialties: specs,
				TendererUSCC: in.PurchaserUSCC, BidderUSCCs: bidders, Region: strings.TrimSpace(in.Region), OpeningAt: at.Format(time.RFC3339), Committee: p.CommitteeSize})
			if err != nil {
				return err
			}
			dp = d.ID
			n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE procure_projects SET draw_project_id = $1, version = version + 1 WHERE id = $2 AND version = $3 AND draw_project_id IS NULL",
				dp, p.ID, p.Version)
			if err != nil {
				return err
			}
			if n == 0 {
				return conflict("项目已被修改，请刷新", "the project changed meanwhile: reload")
			}
		} else {
			for _, u := range bidders {
				if err := s.Draw.AddBidder(sc, dp, u); err != nil {
					return err
				}
			}
		}
		d, err := s.Draw.CommitExperts(sc, dp, draw.ExpertDrawInput{Reserves: 2})
		if err != nil {
			return err
		}
		// Registration closes: the bids get their blind codes for the
		// experts' sheets.
		if err := s.assignCodes(ctx, p.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "procure.committee.commit", "procure_project", idStr(p.ID), nil,
			map[string]any{"draw_project": dp, "draw": d.ID, "committee": p.CommitteeSize, "specialties": specs, "bidders": len(bidders)}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Committee(ctx, p.ID)
}

// RunCommittee runs the committed expert draw at the table: the witness
// types a value (staff of the project's unit). The drawn members are
// notified by the draw module and confirm there; on a comprehensive-scoring
// project procure also tells each member with an account, once, that the
// scoring is open (notifyScoringOpen).
func (s *Service) RunCommittee(ctx context.Context, projectID int64, in draw.DrawInput) (*Committee, error) {
	_, p, err := s.projectForStaff(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if p.DrawProjectID == 0 || s.Draw == nil {
		return nil, conflict("尚未登记专家抽取", "no committee draw is committed")
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		sc := s.sysCtx(ctx)
		draws, err := s.Draw.ProjectDraws(sc, p.DrawProjectID)
		if err != nil {
			return err
		}
		var id int64
		for _, d := range draws {
			if d.Purpose == "experts" && d.Status == "committed" {
				id = d.ID
			}
		}
		if id == 0 {
			return conflict("没有待进行的专家抽取", "no expert draw is waiting")
		}
		rec, err := s.Draw.Execute(sc, id, in)
		if err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "procure.committee.draw", "procure_project", idStr(p.ID), nil, map[string]any{"draw": id, "seed": rec.Seed, "witness": in.WitnessName}, ""); err != nil {
			return err
		}
		// The sheets open with the drawn committee: its members are told.
		return s.notifyScoringOpen(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return s.Committee(ctx, p.ID)
}

// seesCommitteeNames: after the award everyone; before, supervisors and the
// platform itself (draw's rule for the trading centre is not procure's:
// the purchasing unit must not know its evaluators).
func seesCommitteeNames(a *auth.Actor, p *Project) bool {
	return p.Status == ProjectAwarded || (a != nil && (a.IsSystem() || a.Has(auth.Supervisor)))
}

// members reads a project's committee: the called seats (notified or
// confirmed) in committee order.
func (s *Service) members(ctx context.Context, p *Project) ([]CommitteeMember, error) {
	out := []CommitteeMember{}
	if p.DrawProjectID == 0 || s.Draw == nil {
		return out, nil
	}
	seats, err := s.Draw.CommitteeSeats(ctx, p.DrawProjectID, draw.AsgNotified, draw.AsgConfirmed)
	if err != nil {
		return nil, err
	}
	for i, st := range seats {
		out = append(out, CommitteeMember{Seat: i + 1, Alias: st.Pseudonym, Name: st.Name, Group: st.Group, Status: st.Status, Online: st.UserID != 0, ExpertID: st.ExpertID, userID: st.UserID})
	}
	return out, nil
}

// Committee returns a project's committee. The project's unit, the finance
// bureau and supervisors see the seats before the award (pseudonyms only,
// names for supervisors); after the award everyone sees the names and each
// expert's points per bid. Others see nothing before the award.
func (s *Service) Committee(ctx context.Context, projectID int64) (*Committee, error) {
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	a := auth.From(ctx)
	c := &Committee{ProjectID: p.ID, DrawProjectID: p.DrawProjectID, Size: p.CommitteeSize, Draws: []draw.ProjectDraw{}, Members: []CommitteeMember{},
		NamesShown: seesCommitteeNames(a, p)}
	if p.Status != ProjectAwarded {
		insider := false
		if a != nil {
			fin, err := s.IsFinance(ctx, a)
			if err != nil {
				return nil, err
			}
			insider = fin || a.Has(auth.Supervisor) || (a.Has(auth.DeptAdmin, auth.DeptStaff) && a.InScope(p.DepartmentID))
		}
		if !insider {
			return c, nil
		}
	}
	if p.DrawProjectID != 0 && s.Draw != nil {
		if c.Draws, err = s.Draw.ProjectDraws(ctx, p.DrawProjectID); err != nil {
			return nil, err
		}
		if c.Draws == nil {
			c.Draws = []draw.ProjectDraw{}
		}
	}
	if c.Members, err = s.members(ctx, p); err != nil {
		return nil, err
	}
	if !c.NamesShown {
		for i := range c.Members {
			c.Members[i].Name = ""
		}
		return c, nil
	}
	if p.Status == ProjectAwarded {
		scores, err := s.expertScores(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		for i := range c.Members {
			m := &c.Members[i]
			m.Scores = scores[m.ExpertID]
			if !m.Online {
				continue
			}
			if len(p.Lots) == 0 {
				if _, _, _, m.SHA256, err = s.sheetHead(ctx, p.ID, 0, m.ExpertID); err != nil {
					return nil, err
				}
				continue
			}
			for _, l := range p.Lots {
				_, _, _, sha, err := s.sheetHead(ctx, p.ID, l.No, m.ExpertID)
				if err != nil {
					return nil, err
				}
				if sha != "" {
					m.LotReceipts = append(m.LotReceipts, LotReceipt{LotNo: l.No, SHA256: sha})
				}
			}
		}
	}
	return c, nil
}

// expertScores reads the stored sheets of a project by expert, the
// project's own (lot 0) first, then lot by lot.
func (s *Service) expertScores(ctx context.Context, projectID int64) (map[int64][]ExpertScore, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT lot_no, expert_id, bid_id, points FROM procure_expert_scores WHERE project_id = $1 ORDER BY expert_id, lot_no, bid_id`, projectID)
	if err != nil {
		return nil, err
	}
	out := map[int64][]ExpertScore{}
	var lots []int
	for rows.Next() {
		var e int64
		var x ExpertScore
		if err := rows.Scan(&x.LotNo, &e, &x.BidID, &x.Points); err != nil {
			rows.Close()
			return nil, err
		}
		out[e] = append(out[e], x)
		if !slices.Contains(lots, x.LotNo) {
			lots = append(lots, x.LotNo)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	bids, err := s.bids(ctx, "project_id = $1", projectID)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, b := range bids {
		names[b.ID] = b.Entity
	}
	codes, err := s.bidCodes(ctx, projectID)
	if err != nil {
		return nil, err
	}
	points := map[int]map[int64]map[int64]map[string]SheetPoint{}
	for _, l := range lots {
		if points[l], err = s.sheetPoints(ctx, projectID, l); err != nil {
			return nil, err
		}
	}
	for e := range out {
		for i := range out[e] {
			x := &out[e][i]
			x.Entity = names[x.BidID]
			if byInd := points[x.LotNo][e][x.BidID]; len(byInd) > 0 {
				x.Code = codes[x.BidID]
				for _, ind := range slices.Sorted(maps.Keys(byInd)) {
					pt := byInd[ind]
					pt.Code = x.Code
					x.Indicators = append(x.Indicators, pt)
				}
			}
		}
	}
	return out, nil
}

// ExpertSheet is one committee member's technical points per bid.
type ExpertSheet struct {
	Expert string       `json:"expert" doc:"the member's pseudonym on the project (alias)"`
	Tech   []TechPoints `json:"tech"`
}

// sheetTech checks the committee's sheets (one per member, every bid,
// each within 0..maxTech) and returns the mean per bid, rounded to 2
// decimals, and the rows to store (expert id → bid id → points). online
// holds the totals of the members who scored in the platform (their locked
// sheets); the unit's typed sheets are taken for the other members only.
func sheetTech(members []CommitteeMember, sheets []ExpertSheet, online map[int64]map[int64]float64, bidIDs []int64, maxTech float64) (map[int64]float64, map[int64]map[int64]float64, error) {
	byAlias := map[string]int64{}
	for _, m := range members {
		byAlias[m.Alias] = m.ExpertID
	}
	got := map[int64]map[int64]float64{}
	for id, sheet := range online {
		got[id] = sheet
	}
	for _, sh := range sheets {
		id, ok := byAlias[strings.TrimSpace(sh.Expert)]
		if !ok {
			return nil, nil, yserr.Field("sheets", "评分表的专家 "+sh.Expert+" 不是本项目评审委员会成员", "expert "+sh.Expert+" is not a member of this committee")
		}
		if online[id] != nil {
			return nil, nil, yserr.Field("sheets", "专家 "+sh.Expert+" 已在平台上提交评分表，不能代录", "expert "+sh.Expert+" scored in the platform: the unit cannot type the sheet")
		}
		if got[id] != nil {
			return nil, nil, yserr.Field("sheets", "专家 "+sh.Expert+" 有两份评分表", "expert "+sh.Expert+" has two sheets")
		}
		got[id] = map[int64]float64{}
		for _, t := range sh.Tech {
			if !slices.Contains(bidIDs, t.BidID) {
				return nil, nil, yserr.Field("sheets", fmt.Sprintf("专家 %s 评分表中的投标 %d 不属于本项目", sh.Expert, t.BidID), fmt.Sprintf("bid %d on the sheet of %s is not on this project", t.BidID, sh.Expert))
			}
			if t.Points < 0 || t.Points > maxTech || math.IsNaN(t.Points) {
				return nil, nil, yserr.Field("sheets", fmt.Sprintf("专家 %s 对投标 %d 的技术及其他得分须在0-%g之间", sh.Expert, t.BidID, maxTech),
					fmt.Sprintf("the points of %s for bid %d must be between 0 and %g", sh.Expert, t.BidID, maxTech))
			}
			got[id][t.BidID] = t.Points
		}
	}
	mean := map[int64]float64{}
	for _, m := range members {
		sheet := got[m.ExpertID]
		if sheet == nil {
			return nil, nil, yserr.Field("sheets", "缺少专家 "+m.Alias+" 的评分表", "the sheet of expert "+m.Alias+" is missing")
		}
		for _, b := range bidIDs {
			pts, ok := sheet[b]
			if !ok {
				return nil, nil, yserr.Field("sheets", fmt.Sprintf("专家 %s 未对投标 %d 评分", m.Alias, b), fmt.Sprintf("expert %s did not score bid %d", m.Alias, b))
			}
			mean[b] += pts
		}
	}
	for b := range mean {
		mean[b] = math.Round(mean[b]*100/float64(len(members))) / 100
	}
	return mean, got, nil
}
