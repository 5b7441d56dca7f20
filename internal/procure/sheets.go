package procure

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/big"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Experts score in the platform (comprehensive scoring with a drawn
// committee). When the committee draw is committed (registration closes)
// every bid gets a blind code drawn at random (T01, T02, ...). A drawn
// member with an expert account (role expert, linked to the pool record in
// the draw module) opens the project's scoring sheet, sees the bids by code
// only (no supplier, no price), enters points per indicator of the
// project's scoring template and locks the sheet; the lock's receipt is the
// SHA-256 of the points. The unit's evaluation takes every member's total
// per bid from the locked sheets; only members without an account still
// have their sheets typed by the unit.

// Sheet statuses.
const (
	SheetNone   = "none"   // nothing saved yet
	SheetDraft  = "draft"  // saved, can change
	SheetLocked = "locked" // submitted: never changes
)

// ScoreIndicator is one technical scoring indicator of a project (评分因素).
type ScoreIndicator struct {
	Code   string  `json:"code" doc:"a-z 0-9 _, unique in the project"`
	NameZH string  `json:"name_zh"`
	NameEN string  `json:"name_en"`
	Max    float64 `json:"max" doc:"maximum points, at most 2 decimals; the maxima add up to 100 − the price weight"`
}

// IndicatorsInput replaces a project's scoring indicators.
type IndicatorsInput struct {
	Indicators []ScoreIndicator `json:"indicators"`
}

// SheetPoint is one entry of an expert's sheet.
type SheetPoint struct {
	Code      string  `json:"code" doc:"the bid's blind code"`
	Indicator string  `json:"indicator"`
	Points    float64 `json:"points"`
	Comment   string  `json:"comment,omitempty" doc:"the expert's reason for the points (评分理由, at most 500 characters); part of the receipt when given; published with the score details after the award"`
}

// maxComment is the longest comment on a sheet entry, in characters.
const maxComment = 500

// SheetInput saves the caller's sheet: every entry so far (entries left out
// are removed from the draft); lock submits it.
type SheetInput struct {
	Points []SheetPoint `json:"points"`
	Lock   bool         `json:"lock,omitempty" doc:"submit and lock: every code × indicator needs points; a locked sheet never changes"`
}

// CodedTotal is a sheet's sum for one code.
type CodedTotal struct {
	Code   string  `json:"code"`
	Points float64 `json:"points"`
}

// ScoringSheet is what a member sees: the project, the indicators, the bids
// by code, and the member's own sheet.
type ScoringSheet struct {
	ProjectID   int64            `json:"project_id"`
	LotNo       int              `json:"lot_no,omitempty" doc:"the lot the sheet scores (0: the project, which has no lots)"`
	LotTitle    string           `json:"lot_title,omitempty"`
	ProjectCode string           `json:"project_code"`
	Title       string           `json:"title"`
	Alias       string           `json:"alias" doc:"the member's pseudonym on the project"`
	TechMax     float64          `json:"tech_max" doc:"100 − the price weight"`
	Indicators  []ScoreIndicator `json:"indicators"`
	Codes       []string         `json:"codes" doc:"the bids' blind codes; no supplier names or prices before the award"`
	Status      string           `json:"status" enum:"none,draft,locked"`
	SavedAt     *time.Time       `json:"saved_at,omitempty"`
	LockedAt    *time.Time       `json:"locked_at,omitempty"`
	SHA256      string           `json:"sha256,omitempty" doc:"receipt of the locked sheet: SHA-256 of its points as JSON sorted by code and indicator"`
	Points      []SheetPoint     `json:"points"`
	Totals      []CodedTotal     `json:"totals"`
	Open        bool             `json:"open" doc:"the sheet can still be changed"`
}

// Point returns the points of a code and indicator as text ("" when none).
func (sh *ScoringSheet) Point(code, ind string) string {
	for _, p := range sh.Points {
		if p.Code == code && p.Indicator == ind {
			return strconv.FormatFloat(p.Points, 'f', -1, 64)
		}
	}
	return ""
}

// Comment returns the comment on a code and indicator ("" when none).
func (sh *ScoringSheet) Comment(code, ind string) string {
	for _, p := range sh.Points {
		if p.Code == code && p.Indicator == ind {
			return p.Comment
		}
	}
	return ""
}

// Path is the sheet's page: the project's, or the lot's.
func (sh *ScoringSheet) Path() string {
	if sh.LotNo > 0 {
		return fmt.Sprintf("/procure/projects/%d/lots/%d/score", sh.ProjectID, sh.LotNo)
	}
	return fmt.Sprintf("/procure/projects/%d/score", sh.ProjectID)
}

// SheetState is one seat's sheet as the unit sees it before the
// evaluation: whether the member scores online, the status and the receipt,
// never the points.
type SheetState struct {
	Alias    string     `json:"alias"`
	Online   bool       `json:"online" doc:"the member has an expert account and scores in the platform"`
	Status   string     `json:"status" enum:"none,draft,locked"`
	LockedAt *time.Time `json:"locked_at,omitempty"`
	SHA256   string     `json:"sha256,omitempty"`
}

var indicatorCode = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func twoDecimals(x float64) bool { return math.Abs(x*100-math.Round(x*100)) < 1e-6 }

// DefaultIndicators is the template of a project that set none: one
// indicator for the technical and other points.
func DefaultIndicators(priceWeight int) []ScoreIndicator {
	return []ScoreIndicator{{Code: "tech", NameZH: "技术及其他", NameEN: "Technical and other", Max: float64(100 - priceWeight)}}
}

// Indicators returns a project's scoring indicators (the default when it
// set none). Public like the project: the scoring rules are in the
// procurement file.
func (s *Service) Indicators(ctx context.Context, projectID int64) ([]ScoreIndicator, error) {
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	return s.indicators(ctx, p)
}

func (s *Service) indicators(ctx context.Context, p *Project) ([]ScoreIndicator, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT code, name_zh, name_en, max_points FROM procure_scoring_indicators WHERE project_id = $1 ORDER BY no", p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ScoreIndicator
	for rows.Next() {
		var i ScoreIndicator
		if err := rows.Scan(&i.Code, &i.NameZH, &i.NameEN, &i.Max); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		out = DefaultIndicators(p.PriceWeight)
	}
	return out, nil
}

// CheckIndicators validates a scoring template against the price weight:
// 1-30 indicators, codes a-z0-9_ unique, names, maxima > 0 with at most two
// decimals adding up to 100 − the price weight. Errors name
// indicators.<n>.
func CheckIndicators(list []ScoreIndicator, priceWeight int) error {
	var v yserr.Validation
	if len(list) == 0 || len(list) > 30 {
		v.Add("indicators", "评分因素须为1至30项", "give 1 to 30 indicators")
	}
	seen := map[string]bool{}
	sum := 0.0
	for i, x := range list {
		f := fmt.Sprintf("indicators.%d", i+1)
		if !indicatorCode.MatchString(x.Code) || seen[x.Code] {
			v.Add(f, fmt.Sprintf("第%d项评分因素的代码须为唯一的小写字母、数字或下划线", i+1), fmt.Sprintf("indicator %d needs a unique code of a-z, 0-9 or _", i+1))
		}
		seen[x.Code] = true
		if strings.TrimSpace(x.NameZH) == "" || strings.TrimSpace(x.NameEN) == "" {
			v.Add(f, fmt.Sprintf("第%d项评分因素须有中英文名称", i+1), fmt.Sprintf("indicator %d needs its Chinese and English names", i+1))
		}
		if !(x.Max > 0) || !twoDecimals(x.Max) {
			v.Add(f, fmt.Sprintf("第%d项评分因素的分值须为正数（最多两位小数）", i+1), fmt.Sprintf("indicator %d needs positive maximum points (at most 2 decimals)", i+1))
		}
		sum += x.Max
	}
	if tech := float64(100 - priceWeight); len(list) > 0 && math.Abs(sum-tech) > 1e-6 {
		v.Add("indicators", fmt.Sprintf("评分因素分值之和（%g）须等于100减价格分值（%g）", round2(sum), tech),
			fmt.Sprintf("the indicators' maxima (%g) must add up to 100 − the price weight (%g)", round2(sum), tech))
	}
	return v.Err()
}

// SetIndicators replaces a project's scoring indicators (staff of the
// project's unit; comprehensive scoring; the project open; before any
// member has saved a sheet). One transaction with its audit event.
func (s *Service) SetIndicators(ctx context.Context, projectID int64, in IndicatorsInput) ([]ScoreIndicator, error) {
	_, p, err := s.projectForStaff(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if p.EvalMethod != EvalComprehensive {
		return nil, conflict("最低评标价法不设技术评分因素", "lowest evaluated price has no technical indicators")
	}
	if p.Status != ProjectOpen {
		return nil, conflict("项目已评审，评分因素不能再改", "the project is evaluated: the indicators are fixed")
	}
	if p.Blind && p.DrawProjectID != 0 {
		return nil, conflict("双盲评审的招标公告已发布，评分因素不能再改", "the double-blind tender notice is published: the indicators are fixed")
	}
	for i := range in.Indicators {
		x := &in.Indicators[i]
		x.Code, x.NameZH, x.NameEN = strings.TrimSpace(x.Code), strings.TrimSpace(x.NameZH), strings.TrimSpace(x.NameEN)
	}
	if err := CheckIndicators(in.Indicators, p.PriceWeight); err != nil {
		return nil, err
	}
	old, err := s.indicators(ctx, p)
	if err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM procure_expert_sheets WHERE project_id = $1", p.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return conflict("已有专家保存评分表，评分因素不能再改", "an expert has saved a sheet: the indicators are fixed")
		}
		if _, err := q.Exec(ctx, "DELETE FROM procure_scoring_indicators WHERE project_id = $1", p.ID); err != nil {
			return err
		}
		for i, x := range in.Indicators {
			if _, err := q.Exec(ctx, "INSERT INTO procure_scoring_indicators (project_id, no, code, name_zh, name_en, max_points) VALUES ($1, $2, $3, $4, $5, $6)",
				p.ID, i+1, x.Code, x.NameZH, x.NameEN, x.Max); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "procure.indicators.set", "procure_project", idStr(p.ID), old, in.Indicators, "")
	})
	if err != nil {
		return nil, err
	}
	return in.Indicators, nil
}

// assignCodes draws the bids' blind codes (T01, T02, ... in a random order
// from crypto/rand) when none is assigned yet; inside the caller's
// transaction.
func (s *Service) assignCodes(ctx context.Context, projectID int64) error {
	q := s.DB.Q(ctx)
	rows, err := q.Query(ctx, "SELECT id, code FROM procure_bids WHERE project_id = $1 ORDER BY id", projectID)
	if err != nil {
		return err
	}
	var ids []int64
	coded := false
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
		coded = coded || code != ""
	}
	rows.Close()
	if err := rows.Err(); err != nil || coded {
		return err
	}
	for i := len(ids) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return err
		}
		k := int(j.Int64())
		ids[i], ids[k] = ids[k], ids[i]
	}
	for i, id := range ids {
		if _, err := q.Exec(ctx, "UPDATE procure_bids SET code = $1 WHERE id = $2", fmt.Sprintf("T%02d", i+1), id); err != nil {
			return err
		}
	}
	return nil
}

// bidCodes maps a project's bids to their blind codes (bid id → code).
func (s *Service) bidCodes(ctx context.Context, projectID int64) (map[int64]string, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, code FROM procure_bids WHERE project_id = $1 AND code <> '' ORDER BY code", projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		out[id] = code
	}
	return out, rows.Err()
}

// lotCodes maps the bids on a scoring unit to their blind codes (bid id →
// code): every coded bid of the project for lot 0, the coded bids on the
// lot otherwise (a bid keeps its code on every lot it is on).
func (s *Service) lotCodes(ctx context.Context, projectID int64, lotNo int) (map[int64]string, error) {
	if lotNo == 0 {
		return s.bidCodes(ctx, projectID)
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT b.id, b.code FROM procure_bid_lots l JOIN procure_bids b ON b.id = l.bid_id
		WHERE l.project_id = $1 AND l.lot_no = $2 AND b.code <> '' ORDER BY b.code`, projectID, lotNo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		out[id] = code
	}
	return out, rows.Err()
}

// myMember finds the caller's seat on the project's committee: an expert
// account linked to a drawn (notified or confirmed) member. lotNo 0 is the
// project's sheet (refused on a project with lots: each lot has its own),
// 1.. a lot's.
func (s *Service) myMember(ctx context.Context, projectID int64, lotNo int) (*Project, CommitteeMember, error) {
	a, err := auth.Require(ctx, auth.Expert)
	if err != nil {
		return nil, CommitteeMember{}, err
	}
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, CommitteeMember{}, err
	}
	notMember := yserr.New(yserr.Forbidden, "您不是本项目评审委员会的成员", "you are not a member of this project's committee")
	if s.Draw == nil || p.DrawProjectID == 0 || a.UserID == 0 {
		return nil, CommitteeMember{}, notMember
	}
	expert, err := s.Draw.ExpertOfUser(ctx, a.UserID)
	if err != nil {
		return nil, CommitteeMember{}, err
	}
	members, err := s.members(ctx, p)
	if err != nil {
		return nil, CommitteeMember{}, err
	}
	i := slices.IndexFunc(members, func(m CommitteeMember) bool { return expert != 0 && m.ExpertID == expert })
	if i < 0 {
		return nil, CommitteeMember{}, notMember
	}
	if p.Blind {
		return nil, CommitteeMember{}, blindRefusal()
	}
	if p.EvalMethod != EvalComprehensive {
		return nil, CommitteeMember{}, conflict("本项目采用最低评标价法，专家不在平台上打技术分", "this project uses the lowest evaluated price: the experts give no technical points in the platform")
	}
	if lotNo == 0 && len(p.Lots) > 0 {
		return nil, CommitteeMember{}, conflict("本项目分包采购，请逐包打分", "this project has lots: score each lot")
	}
	if lotNo > 0 {
		if _, err := lotOf(p, lotNo); err != nil {
			return nil, CommitteeMember{}, err
		}
	}
	return p, members[i], nil
}

// sheetHead reads a member's sheet status ("none" when never saved).
func (s *Service) sheetHead(ctx context.Context, projectID int64, lotNo int, expertID int64) (status string, saved, locked *time.Time, sha string, err error) {
	var sv time.Time
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT status, saved_at, locked_at, sha256 FROM procure_expert_sheets WHERE project_id = $1 AND lot_no = $2 AND expert_id = $3",
		projectID, lotNo, expertID).Scan(&status, &sv, &locked, &sha)
	if db.IsNoRows(err) {
		return SheetNone, nil, nil, "", nil
	}
	return status, &sv, locked, sha, err
}

// sheetPoints reads the saved entries of a project's sheets on one lot (0:
// the project's): expert id → bid id → indicator → entry (without code).
func (s *Service) sheetPoints(ctx context.Context, projectID int64, lotNo int) (map[int64]map[int64]map[string]SheetPoint, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT expert_id, bid_id, indicator, points, comment FROM procure_expert_sheet_points WHERE project_id = $1 AND lot_no = $2",
		projectID, lotNo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]map[int64]map[string]SheetPoint{}
	for rows.Next() {
		var e, b int64
		var x SheetPoint
		if err := rows.Scan(&e, &b, &x.Indicator, &x.Points, &x.Comment); err != nil {
			return nil, err
		}
		if out[e] == nil {
			out[e] = map[int64]map[string]SheetPoint{}
		}
		if out[e][b] == nil {
			out[e][b] = map[string]SheetPoint{}
		}
		out[e][b][x.Indicator] = x
	}
	return out, rows.Err()
}

// SheetHash is the receipt of a sheet: the SHA-256 of its points as JSON,
// sorted by code and indicator (a comment is part of its entry; entries
// without one hash as before comments existed).
func SheetHash(points []SheetPoint) string {
	list := slices.Clone(points)
	sort.Slice(list, func(i, j int) bool {
		if list[i].Code != list[j].Code {
			return list[i].Code < list[j].Code
		}
		return list[i].Indicator < list[j].Indicator
	})
	b, _ := json.Marshal(list)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// MySheet returns the caller's scoring sheet (a drawn member with an expert
// account) of a project without lots: the bids by code only.
func (s *Service) MySheet(ctx context.Context, projectID int64) (*ScoringSheet, error) {
	return s.MyLotSheet(ctx, projectID, 0)
}

// MyLotSheet returns the caller's scoring sheet of one lot (0: the
// project's, which has no lots): the bids on the lot by code only.
func (s *Service) MyLotSheet(ctx context.Context, projectID int64, lotNo int) (*ScoringSheet, error) {
	p, m, err := s.myMember(ctx, projectID, lotNo)
	if err != nil {
		return nil, err
	}
	return s.mySheet(ctx, p, lotNo, m)
}

// sheetOpen reports whether the sheets of a lot (0: the project's) can
// still change: the project's while it is open; a lot's until the lot is
// evaluated (its bids ranked) or the project awarded.
func (s *Service) sheetOpen(ctx context.Context, p *Project, lotNo int) (bool, error) {
	if lotNo == 0 || p.Status == ProjectAwarded {
		return p.Status == ProjectOpen, nil
	}
	var n int
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM procure_bid_lots WHERE project_id = $1 AND lot_no = $2 AND rank > 0", p.ID, lotNo).Scan(&n)
	return n == 0, err
}

func (s *Service) mySheet(ctx context.Context, p *Project, lotNo int, m CommitteeMember) (*ScoringSheet, error) {
	inds, err := s.indicators(ctx, p)
	if err != nil {
		return nil, err
	}
	codes, err := s.lotCodes(ctx, p.ID, lotNo)
	if err != nil {
		return nil, err
	}
	sh := &ScoringSheet{ProjectID: p.ID, LotNo: lotNo, ProjectCode: p.Code, Title: p.Title, Alias: m.Alias, TechMax: float64(100 - p.PriceWeight), Indicators: inds,
		Codes: []string{}, Points: []SheetPoint{}, Totals: []CodedTotal{}}
	if lotNo > 0 {
		l, _ := lotOf(p, lotNo)
		sh.LotTitle = l.Title
	}
	for _, c := range codes {
		sh.Codes = append(sh.Codes, c)
	}
	slices.Sort(sh.Codes)
	if sh.Status, sh.SavedAt, sh.LockedAt, sh.SHA256, err = s.sheetHead(ctx, p.ID, lotNo, m.ExpertID); err != nil {
		return nil, err
	}
	all, err := s.sheetPoints(ctx, p.ID, lotNo)
	if err != nil {
		return nil, err
	}
	for bid, byInd := range all[m.ExpertID] {
		for _, x := range byInd {
			x.Code = codes[bid]
			sh.Points = append(sh.Points, x)
		}
	}
	sort.Slice(sh.Points, func(i, j int) bool {
		if sh.Points[i].Code != sh.Points[j].Code {
			return sh.Points[i].Code < sh.Points[j].Code
		}
		return sh.Points[i].Indicator < sh.Points[j].Indicator
	})
	sum := map[string]float64{}
	for _, x := range sh.Points {
		sum[x.Code] += x.Points
	}
	for _, c := range sh.Codes {
		if v, ok := sum[c]; ok {
			sh.Totals = append(sh.Totals, CodedTotal{Code: c, Points: round2(v)})
		}
	}
	open, err := s.sheetOpen(ctx, p, lotNo)
	if err != nil {
		return nil, err
	}
	sh.Open = sh.Status != SheetLocked && open
	return sh, nil
}

// SaveSheet saves the caller's sheet of a project without lots, or locks
// it (SaveLotSheet with lot 0).
func (s *Service) SaveSheet(ctx context.Context, projectID int64, in SheetInput) (*ScoringSheet, error) {
	return s.SaveLotSheet(ctx, projectID, 0, in)
}

// SaveLotSheet saves the caller's sheet of one lot (0: the project's), or
// locks it. Points 0..the indicator's maximum with at most two decimals,
// for the codes of the bids on the lot and the project's indicators
// (errors name points.<code>.<indicator>); a comment of at most 500
// characters per entry, only with its points; locking needs every code ×
// indicator. Refused once locked, once the lot (or the project without
// lots) is evaluated, or once the project is awarded (409). One
// transaction with its audit event (procure.sheet.save /
// procure.sheet.lock, with the lot and the receipt).
func (s *Service) SaveLotSheet(ctx context.Context, projectID int64, lotNo int, in SheetInput) (*ScoringSheet, error) {
	p, m, err := s.myMember(ctx, projectID, lotNo)
	if err != nil {
		return nil, err
	}
	if open, err := s.sheetOpen(ctx, p, lotNo); err != nil || !open {
		if err != nil {
			return nil, err
		}
		if lotNo > 0 {
			return nil, conflict(fmt.Sprintf("第%d包已评审，评分表不能再改", lotNo), fmt.Sprintf("lot %d is evaluated: its sheets are closed", lotNo))
		}
		return nil, conflict("项目已评审，评分表不能再改", "the project is evaluated: the sheets are closed")
	}
	inds, err := s.indicators(ctx, p)
	if err != nil {
		return nil, err
	}
	codes, err := s.lotCodes(ctx, p.ID, lotNo)
	if err != nil {
		return nil, err
	}
	if len(codes) == 0 {
		return nil, conflict("投标尚未编码", "the bids have no codes yet")
	}
	byCode := map[string]int64{}
	for id, c := range codes {
		byCode[c] = id
	}
	maxOf := map[string]float64{}
	for _, x := range inds {
		maxOf[x.Code] = x.Max
	}
	var v yserr.Validation
	seen := map[string]bool{}
	var clean []SheetPoint
	for _, x := range in.Points {
		x.Code, x.Indicator, x.Comment = strings.ToUpper(strings.TrimSpace(x.Code)), strings.TrimSpace(x.Indicator), strings.TrimSpace(x.Comment)
		f := "points." + x.Code + "." + x.Indicator
		mx, okInd := maxOf[x.Indicator]
		_, okCode := byCode[x.Code]
		switch {
		case !okCode:
			v.Add(f, "本包（项目）没有编码 "+x.Code, "no bid here has the code "+x.Code)
		case !okInd:
			v.Add(f, "本项目没有评分因素 "+x.Indicator, "no indicator "+x.Indicator)
		case seen[x.Code+"/"+x.Indicator]:
			v.Add(f, x.Code+" 的 "+x.Indicator+" 重复评分", x.Code+" / "+x.Indicator+" is scored twice")
		case math.IsNaN(x.Points) || x.Points < 0 || x.Points > mx || !twoDecimals(x.Points):
			v.Add(f, fmt.Sprintf("%s 的 %s 得分须在0-%g之间（最多两位小数）", x.Code, x.Indicator, mx),
				fmt.Sprintf("the points of %s for %s must be between 0 and %g (at most 2 decimals)", x.Code, x.Indicator, mx))
		case utf8.RuneCountInString(x.Comment) > maxComment:
			v.Add("comments."+x.Code+"."+x.Indicator, fmt.Sprintf("%s 的 %s 评分理由最多%d字", x.Code, x.Indicator, maxComment),
				fmt.Sprintf("the comment on %s for %s has at most %d characters", x.Code, x.Indicator, maxComment))
		}
		seen[x.Code+"/"+x.Indicator] = true
		clean = append(clean, x)
	}
	if in.Lock {
		var missing []string
		for _, c := range slices.Sorted(maps.Keys(byCode)) {
			for _, x := range inds {
				if !seen[c+"/"+x.Code] {
					missing = append(missing, c+"/"+x.Code)
				}
			}
		}
		if len(missing) > 0 {
			v.Add("points", "提交前须对每个编码的每项评分因素打分，缺少："+strings.Join(missing, "、"), "every code and indicator needs points before locking; missing: "+strings.Join(missing, ", "))
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		st, _, _, _, err := s.sheetHead(ctx, p.ID, lotNo, m.ExpertID)
		if err != nil {
			return err
		}
		if st == SheetLocked {
			return conflict("评分表已提交锁定，不能再改", "the sheet is locked: it cannot change")
		}
		var locked any
		status, sha := SheetDraft, ""
		if in.Lock {
			status, sha, locked = SheetLocked, SheetHash(clean), now
		}
		if st == SheetNone {
			_, err = q.Exec(ctx, "INSERT INTO procure_expert_sheets (project_id, lot_no, expert_id, status, saved_at, locked_at, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)",
				p.ID, lotNo, m.ExpertID, status, now, locked, sha)
			if db.IsUnique(err) {
				return conflict("评分表已被同时修改，请刷新", "the sheet changed meanwhile: reload")
			}
		} else {
			var n int64
			n, err = q.Exec(ctx, "UPDATE procure_expert_sheets SET status = $1, saved_at = $2, locked_at = $3, sha256 = $4 WHERE project_id = $5 AND lot_no = $6 AND expert_id = $7 AND status = 'draft'",
				status, now, locked, sha, p.ID, lotNo, m.ExpertID)
			if err == nil && n == 0 {
				return conflict("评分表已提交锁定，不能再改", "the sheet is locked: it cannot change")
			}
		}
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM procure_expert_sheet_points WHERE project_id = $1 AND lot_no = $2 AND expert_id = $3", p.ID, lotNo, m.ExpertID); err != nil {
			return err
		}
		for _, x := range clean {
			if _, err := q.Exec(ctx, "INSERT INTO procure_expert_sheet_points (project_id, lot_no, expert_id, bid_id, indicator, points, comment) VALUES ($1, $2, $3, $4, $5, $6, $7)",
				p.ID, lotNo, m.ExpertID, byCode[x.Code], x.Indicator, x.Points, x.Comment); err != nil {
				return err
			}
		}
		action := "procure.sheet.save"
		if in.Lock {
			action = "procure.sheet.lock"
		}
		// The audit names the seat, not the expert: the names are secret
		// until the award.
		after := map[string]any{"seat": m.Alias, "entries": len(clean), "sha256": sha}
		if lotNo > 0 {
			after["lot"] = lotNo
		}
		return s.Audit.Record(ctx, action, "procure_project", idStr(p.ID), nil, after, "")
	})
	if err != nil {
		return nil, err
	}
	return s.mySheet(ctx, p, lotNo, m)
}

// SheetStates lists the committee's sheets of a project without lots,
// without their points (LotSheetStates with lot 0).
func (s *Service) SheetStates(ctx context.Context, projectID int64) ([]SheetState, error) {
	return s.LotSheetStates(ctx, projectID, 0)
}

// LotSheetStates lists the committee's sheets of one lot (0: the
// project's) without their points: the project's unit, the finance bureau
// and supervisors (others: NotFound).
func (s *Service) LotSheetStates(ctx context.Context, projectID int64, lotNo int) ([]SheetState, error) {
	a, err := unitOrReader(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	fin, err := s.IsFinance(ctx, a)
	if err != nil {
		return nil, err
	}
	if !fin && !a.Has(auth.Supervisor) && !a.InScope(p.DepartmentID) {
		return nil, notFound("采购项目", "project")
	}
	if lotNo > 0 {
		if _, err := lotOf(p, lotNo); err != nil {
			return nil, err
		}
	}
	members, err := s.members(ctx, p)
	if err != nil {
		return nil, err
	}
	out := []SheetState{}
	for _, m := range members {
		st := SheetState{Alias: m.Alias, Online: m.Online, Status: SheetNone}
		if st.Status, _, st.LockedAt, st.SHA256, err = s.sheetHead(ctx, p.ID, lotNo, m.ExpertID); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// committeeTech applies a drawn committee's sheets to the evaluation of a
// project (lotNo 0) or one lot: the committee must be complete and, under
// comprehensive scoring, in.Tech becomes the mean of the members' sheets
// (the locked sheets of those who score online, the unit's typed sheets
// of the others) for the bids ids, never points typed by the unit. It
// returns the sheets used (expert id → bid id → total; nil without a
// drawn committee or under the lowest evaluated price).
func (s *Service) committeeTech(ctx context.Context, p *Project, lotNo int, ids []int64, in *ScoreInput, maxTech float64) (map[int64]map[int64]float64, error) {
	if p.DrawProjectID == 0 {
		return nil, nil
	}
	members, err := s.members(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(members) != p.CommitteeSize {
		return nil, conflict(fmt.Sprintf("评审委员会尚未抽足（%d/%d人）", len(members), p.CommitteeSize), fmt.Sprintf("the committee is not complete (%d of %d)", len(members), p.CommitteeSize))
	}
	if p.EvalMethod != EvalComprehensive {
		return nil, nil
	}
	online, err := s.onlineLotSheets(ctx, p, lotNo, members)
	if err != nil {
		return nil, err
	}
	mean, sheets, err := sheetTech(members, in.Sheets, online, ids, maxTech)
	if err != nil {
		return nil, err
	}
	in.Tech = nil
	for _, id := range ids {
		in.Tech = append(in.Tech, TechPoints{BidID: id, Points: mean[id]})
	}
	return sheets, nil
}

// onlineLotSheets returns the totals per bid of the members who score
// online on one lot (0: the project's) (expert id → bid id → total),
// refusing while one of them has not locked (the message names the seats).
func (s *Service) onlineLotSheets(ctx context.Context, p *Project, lotNo int, members []CommitteeMember) (map[int64]map[int64]float64, error) {
	all, err := s.sheetPoints(ctx, p.ID, lotNo)
	if err != nil {
		return nil, err
	}
	out := map[int64]map[int64]float64{}
	var waiting []string
	for _, m := range members {
		if !m.Online {
			continue
		}
		st, _, _, _, err := s.sheetHead(ctx, p.ID, lotNo, m.ExpertID)
		if err != nil {
			return nil, err
		}
		if st != SheetLocked {
			waiting = append(waiting, m.Alias)
			continue
		}
		out[m.ExpertID] = map[int64]float64{}
		for bid, byInd := range all[m.ExpertID] {
			t := 0.0
			for _, x := range byInd {
				t += x.Points
			}
			out[m.ExpertID][bid] = round2(t)
		}
	}
	if len(waiting) > 0 {
		where, whereEN := "", ""
		if lotNo > 0 {
			where, whereEN = fmt.Sprintf("第%d包", lotNo), fmt.Sprintf(" on lot %d", lotNo)
		}
		return nil, conflict(fmt.Sprintf("%s还有%d位专家未提交评分表：%s", where, len(waiting), strings.Join(waiting, "、")),
			fmt.Sprintf("%d experts have not locked their sheets%s: %s", len(waiting), whereEN, strings.Join(waiting, ", ")))
	}
	return out, nil
}

// MyCommittees lists the projects whose committee the caller sits on (an
// expert account linked to a drawn member) and that are scored in the
// platform, newest first: the caller's sheets to fill in. A project
// without lots is listed while it is open; a project with lots until it is
// awarded (each lot's sheet closes with the lot's evaluation).
func (s *Service) MyCommittees(ctx context.Context) ([]Project, error) {
	a, err := auth.Require(ctx, auth.Expert)
	if err != nil {
		return nil, err
	}
	out := []Project{}
	if s.Draw == nil || a.UserID == 0 {
		return out, nil
	}
	expert, err := s.Draw.ExpertOfUser(ctx, a.UserID)
	if err != nil || expert == 0 {
		return out, err
	}
	// Only projects in evaluation with a drawn committee and comprehensive
	// scoring take sheets: a handful (no LIMIT, so the membership filter
	// below never cuts a page). The seats are draw's, read per project
	// through its API.
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+projectCols+" FROM procure_projects WHERE draw_project_id IS NOT NULL AND eval_method = $1 AND status IN ($2, $3) ORDER BY id DESC",
		EvalComprehensive, ProjectOpen, ProjectEvaluated)
	if err != nil {
		return nil, err
	}
	var list []Project
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, *p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, p := range list {
		if (len(p.Lots) == 0 && p.Status != ProjectOpen) || p.Blind { // a blind project is scored in bideval
			continue
		}
		members, err := s.members(ctx, &p)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(members, func(m CommitteeMember) bool { return m.ExpertID == expert }) {
			out = append(out, p)
		}
	}
	names := s.deptNames(ctx, func() []int64 {
		var ids []int64
		for _, p := range out {
			ids = append(ids, p.DepartmentID)
		}
		return ids
	}())
	for i := range out {
		out[i].Department = names[out[i].DepartmentID]
	}
	return out, nil
}
