// Package bideval is double-blind evaluation (双盲评审, docs/bideval.md):
// bidders register for a project of the draw module and upload the
// technical and the commercial part of their bid separately before the
// deadline, each stored with its SHA-256; the technical part is checked
// for identity leaks; after the deadline the trading centre draws the
// bids' virtual codes with the draw engine (a sealed draw); the drawn
// experts score the technical parts by code against the project's
// template and lock their sheets; once every sheet is locked the codes are
// unmasked (an audited event), the price scores are added and the bids
// ranked; the ranking is published as the winning candidates for at least
// three days, open to objections (publicity.go); then the award is
// published with every member's name and scores.
//
// This file holds the service, its types and its error contract. The pure
// parts (text extraction, the leak check, aggregation, price scores) are
// in extract.go, leak.go and aggregate.go.
//
// Who does what. Trading-centre staff (dept_admin/dept_staff of the
// project's department) or a platform admin: settings, leak dispositions,
// the codes draw, unmasking, award; they see the bidders but not their
// codes until unmasking. The tenderer (enterprise user of the project's
// tenderer code): settings, and the results after unmasking. Bidders
// (enterprise users): register, upload, their own receipts. Experts (role
// expert, linked to a pool record by draw_experts.user_id, with a
// confirmed assignment on the project): codes, technical parts by code,
// their own sheet; the committee's sheets once all are locked.
// Supervisors read everything, including the sealed code mapping.
package bideval

import (
	"context"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/draw"
	"yingshang/internal/entity"
	"yingshang/internal/filestore"
	"yingshang/internal/notify"
	"yingshang/internal/secret"
	"yingshang/internal/yserr"
)

// Service runs the evaluation workflow.
type Service struct {
	DB     *db.DB
	Audit  *audit.Log
	Clock  clock.Clock
	Keys   *secret.Keyring
	Notify *notify.Service
	// Files is the shared file store (bid files, sealed).
	Files *filestore.Store
	// Accounts finds the enterprise accounts of the bidders.
	Accounts *account.Service
	// Entities is the market-entity registry (bidders and tenderers).
	Entities *entity.Service
	// Draw is the draw engine and owner of projects and experts.
	Draw *draw.Service
	// MaxFileBytes bounds one uploaded part (default 20 MiB).
	MaxFileBytes int64
	// MinBidDays raises, per procedure, the minimum of days from the tender
	// notice to the bid deadline; the legal minimum (DefaultMinBidDays)
	// always applies.
	MinBidDays map[string]int
	// PublicityDays is how long the winning candidates are published, with
	// the objection window, before the award (default and minimum 3).
	PublicityDays int
}

// DefaultMinBidDays are the legal minimum days from the tender notice (the
// first publication of the settings) to the bid deadline, per procedure:
// 招标投标法 Art.24 and 政府采购法 Art.35 (20 days), 竞争性磋商 (财库〔2014〕214号
// Art.10: 10 days).
var DefaultMinBidDays = map[string]int{ProcTender: 20, ProcGovOpen: 20, ProcGovConsultation: 10}

// Procedures.
const (
	ProcTender          = "tender"           // 招标投标法 open or invited tender
	ProcGovOpen         = "gov_open"         // 政府采购公开招标
	ProcGovConsultation = "gov_consultation" // 政府采购竞争性磋商
)

// MinValidBids is the fewest valid bids with which an evaluation may go on
// (招标投标法 Art.28: fewer than three bidders -> re-tender).
const MinValidBids = 3

func (s *Service) minBidDays(proc string) (int, bool) {
	n, ok := DefaultMinBidDays[proc]
	return max(n, s.MinBidDays[proc]), ok
}

func (s *Service) publicityDays() int {
	return max(s.PublicityDays, 3)
}

// Evaluation statuses.
const (
	StatusOpen     = "open"     // bids accepted until the deadline
	StatusClosed   = "closed"   // deadline passed (or codes draw committed)
	StatusScoring  = "scoring"  // codes drawn; experts score
	StatusUnmasked = "unmasked" // every sheet locked; codes unmasked
	// StatusPublicity: the winning candidates are published (中标候选人公示)
	// with the objection window; the award follows.
	StatusPublicity = "publicity"
	StatusAwarded   = "awarded" // award confirmed; publicity page public
	// StatusFailed: fewer than three valid bids at the deadline; the
	// evaluation stopped and the project must be tendered again.
	StatusFailed = "failed"
)

// revealed reports whether the codes are unmasked (unmasked, publicity or
// awarded).
func revealed(st *Settings) bool {
	return st.Status == StatusUnmasked || st.Status == StatusPublicity || st.Status == StatusAwarded
}

// Bid parts.
const (
	PartTechnical  = "technical"  // 技术标 (暗标)
	PartCommercial = "commercial" // 商务标, with the declared price
)

// PriceLowest is the price method: the lowest price gets the maximum
// (低价优先法, 财政部令第87号 Art.55).
const PriceLowest = "lowest_price"

// Leak dispositions.
const (
	FlagFalsePositive = "false_positive" // 误报: not an identity mark
	FlagConfirmed     = "confirmed"      // 确认: reported to the committee
)

// Sheet statuses.
const (
	SheetDraft  = "draft"
	SheetLocked = "locked"
)

// Criterion is one line of the scoring template.
type Criterion struct {
	Key      string  `json:"key" doc:"short identifier, a-z 0-9 _"`
	NameZH   string  `json:"name_zh"`
	NameEN   string  `json:"name_en"`
	Max      float64 `json:"max" doc:"maximum points"`
	Guidance string  `json:"guidance,omitempty" doc:"评分细则 / how to score"`
}

// SettingsInput sets a project's evaluation.
type SettingsInput struct {
	DeadlineAt  string      `json:"deadline_at,omitempty" doc:"bid deadline, RFC 3339 or YYYY-MM-DDTHH:MM Beijing time; default the bid opening time"`
	Procedure   string      `json:"procedure,omitempty" enum:"tender,gov_open,gov_consultation" doc:"sets the legal minimum from the notice to the deadline (tender 20 days); default tender"`
	OpeningAt   string      `json:"opening_at,omitempty" doc:"moves the bid opening (RFC 3339 or YYYY-MM-DDTHH:MM Beijing time); only later once a bid exists, and not after any draw of the project"`
	Criteria    []Criterion `json:"criteria"`
	Rule        string      `json:"rule" enum:"mean,trimmed_mean"`
	PriceMethod string      `json:"price_method,omitempty" enum:"lowest_price"`
	PriceMax    float64     `json:"price_max" doc:"points of the price score; technical maxima + price = 100"`
	// AdmittedBy names the module that admits the bidders (Go API only,
	// honoured from a system actor at the first save): a direct
	// registration is then refused; that module calls RegisterAdmitted.
	AdmittedBy string `json:"-"`
}

// Settings is a project's evaluation as stored.
type Settings struct {
	ProjectID    int64       `json:"project_id"`
	ProjectCode  string      `json:"project_code"`
	ProjectName  string      `json:"project_name"`
	Kind         string      `json:"kind"`
	OpeningAt    time.Time   `json:"opening_at"`
	DeadlineAt   time.Time   `json:"deadline_at"`
	Criteria     []Criterion `json:"criteria"`
	TechnicalMax float64     `json:"technical_max"`
	Rule         string      `json:"rule"`
	PriceMethod  string      `json:"price_method"`
	PriceMax     float64     `json:"price_max"`
	Procedure    string      `json:"procedure"`
	NoticeAt     *time.Time  `json:"notice_at,omitempty" doc:"tender notice: the first publication of these settings"`
	Status       string      `json:"status" enum:"open,closed,scoring,unmasked,publicity,awarded,failed"`
	FailedReason string      `json:"failed_reason,omitempty"`
	// Winning candidates' publicity and its objection window.
	CandidatesAt   *time.Time `json:"candidates_at,omitempty"`
	PublicityUntil *time.Time `json:"publicity_until,omitempty"`
	CodesDrawID    int64      `json:"codes_draw_id,omitempty"`
	UnmaskedAt     *time.Time `json:"unmasked_at,omitempty"`
	AwardedAt      *time.Time `json:"awarded_at,omitempty"`
	AwardBidID     int64      `json:"award_bid_id,omitempty"`
	AwardNote      string     `json:"award_note,omitempty"`
	departmentID   int64
	tenderer       string
	committee      int
	admittedBy     string
}

// File is one uploaded version of a part: the bidder's receipt.
type File struct {
	ID         int64     `json:"id"`
	BidID      int64     `json:"bid_id,omitempty"`
	Part       string    `json:"part" enum:"technical,commercial"`
	Version    int       `json:"version"`
	FileName   string    `json:"file_name"`
	MIME       string    `json:"mime"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	PriceYuan  string    `json:"price_yuan,omitempty" doc:"commercial part: the declared price; sealed until unmasking for all but the bidder"`
	TextStatus string    `json:"text_status,omitempty" enum:"read,empty,unsupported,error" doc:"technical part: whether the leak check could read its text"`
	TextChars  int       `json:"text_chars,omitempty"`
	UploadedAt time.Time `json:"uploaded_at"`
	// Warnings, at upload only: the technical part names the bidder (the
	// experts will get the text with these terms blacked out).
	Warnings []Leak `json:"warnings,omitempty"`
	priceFen *int64
}

// Flag is an identity term found in a technical part.
type Flag struct {
	ID          int64      `json:"id"`
	FileID      int64      `json:"file_id"`
	Version     int        `json:"version"`
	Kind        string     `json:"kind" enum:"name,uscc,person"`
	Term        string     `json:"term"`
	Hits        int        `json:"hits"`
	Disposition string     `json:"disposition" enum:",false_positive,confirmed"`
	Note        string     `json:"note,omitempty"`
	ReviewedAt  *time.Time `json:"reviewed_at,omitempty"`
}

// Bid is a registered bid.
type Bid struct {
	ID             int64     `json:"id"`
	ProjectID      int64     `json:"project_id"`
	USCC           string    `json:"uscc"`
	Name           string    `json:"name"`
	Pseudonym      string    `json:"pseudonym" doc:"the bid's id in the codes draw record"`
	Code           string    `json:"code,omitempty" doc:"virtual code; empty until drawn, and for staff until unmasking"`
	ProjectManager string    `json:"project_manager,omitempty"`
	RegisteredAt   time.Time `json:"registered_at"`
	Technical      *File     `json:"technical,omitempty" doc:"latest version"`
	Commercial     *File     `json:"commercial,omitempty" doc:"latest version"`
	Files          []File    `json:"files,omitempty" doc:"every version, newest first"`
	Complete       bool      `json:"complete" doc:"both parts uploaded"`
	Flags          []Flag    `json:"flags,omitempty"`
	entityID       int64
}

// RegisterInput registers the caller's entity as a bidder.
type RegisterInput struct {
	ProjectManager string `json:"project_manager,omitempty" doc:"项目负责人姓名; also checked for in the technical part"`
}

// Errors (all *yserr.Error):
//   - Invalid with field errors for bad settings, a bad file or price, a
//     score outside 0..max or a missing score or comment at locking;
//   - Forbidden when the actor may not act (not the centre's staff, not a
//     member of the project's committee, ...) — with a message saying why;
//   - NotFound for unknown projects, bids, codes or flags (and for
//     projects without evaluation settings);
//   - Conflict for the wrong state: an upload or registration after the
//     deadline (the message names the deadline), a locked sheet, unmasking
//     before every sheet is locked (the message says how many are missing),
//     a second codes draw, fewer than three valid bids (the evaluation
//     stops: status failed), unmasking or award with an undecided leak
//     finding, an award before the candidates' publicity has ended or with
//     an unanswered objection, an objection outside the publicity.
//   - Invalid also for settings against the legal minimums: a deadline too
//     soon after the tender notice, a deadline or opening moved earlier
//     once a bid exists, a change of the criteria less than 15 days before
//     the deadline.

var shanghai = time.FixedZone("CST", 8*3600)

func (s *Service) maxFile() int64 {
	if s.MaxFileBytes > 0 {
		return s.MaxFileBytes
	}
	return 20 << 20
}

// isCentre reports whether a is the trading centre for the project.
func isCentre(a *auth.Actor, st *Settings) bool {
	return a != nil && (a.IsSystem() || a.Has(auth.PlatformAdmin) || (a.Has(auth.DeptAdmin, auth.DeptStaff) && a.InScope(st.departmentID)))
}

func (s *Service) centre(ctx context.Context, st *Settings) (*auth.Actor, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if !isCentre(a, st) {
		return nil, yserr.New(yserr.Forbidden, "只有本项目所属交易中心的工作人员可以进行此操作", "only the trading centre's staff of this project may do this")
	}
	return a, nil
}

// ownUSCC is the credit code of an enterprise actor's entity ("" otherwise).
func (s *Service) ownUSCC(ctx context.Context, a *auth.Actor) string {
	if a == nil || a.EntityID == 0 || !a.Has(auth.Enterprise) {
		return ""
	}
	own, _ := s.Entities.Ref(ctx, a.EntityID, "")
	return own.USCC
}

func (s *Service) isTenderer(ctx context.Context, a *auth.Actor, st *Settings) bool {
	u := s.ownUSCC(ctx, a)
	return u != "" && u == st.tenderer
}

func fmtTime(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04") }

// effective returns the status as of now: open turns closed at the deadline.
func (s *Service) effective(st *Settings) {
	if st.Status == StatusOpen && !s.Clock.Now().Before(st.DeadlineAt) {
		st.Status = StatusClosed
	}
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func actorID(ctx context.Context) any {
	if a := auth.From(ctx); a != nil {
		return nullID(a.UserID)
	}
	return nil
}
