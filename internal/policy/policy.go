// Package policy is policy matching (惠企政策): policies written by a
// department's policy staff as rules with their legal basis (package
// rules compiles them), the facts they read (registry attributes through
// the entity package, yearly facts departments import, the credit
// module's grade), a preview before publishing, the enterprise's
// "policies for you" with reasons and near misses, and the public policy
// calculator.
//
// Who may do what (decided here, from auth.From(ctx)):
//   - Create, Update, Publish, Withdraw, Preview: platform_admin, and
//     dept_admin / dept_staff for policies of a department in their scope
//     (a department edits only its own policies).
//   - Read drafts: platform_admin, supervisors and the owning department.
//     Published policies: everybody, signed in or not.
//   - ImportFacts: platform_admin, dept_admin, dept_staff.
//   - ForEntity: the enterprise user bound to the entity, staff.
//   - Calculate: everybody; the entity's own figures are never shown to
//     an anonymous caller (only which conditions held).
package policy

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/appeal"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/filestore"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
	"yingshang/internal/policy/migrations"
	"yingshang/internal/policy/rules"
	"yingshang/internal/workcal"
)

// Schema is the tables policy owns (internal/policy/migrations).
var Schema = migrations.Source

// Modes of a policy.
const (
	ModeAuto    = "auto"    // 免申即享: granted without an application
	ModeInstant = "instant" // 即申即享: claimed and granted at once
	ModeReview  = "review"  // application with review
)

// Statuses of a policy.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusWithdrawn = "withdrawn"
)

// Modes, Categories and Statuses list the codes in display order.
var (
	Modes      = []string{ModeAuto, ModeInstant, ModeReview}
	Categories = []string{"innovation", "talent", "finance", "industry", "trade", "startup"}
	Statuses   = []string{StatusDraft, StatusPublished, StatusWithdrawn}
)

var labels = map[string]rules.Line{
	ModeAuto: {ZH: "免申即享", EN: "automatic (no application)"}, ModeInstant: {ZH: "即申即享", EN: "instant claim"},
	ModeReview:   {ZH: "申请审核", EN: "application with review"},
	"innovation": {ZH: "科技创新", EN: "innovation"}, "talent": {ZH: "人才就业", EN: "talent and jobs"},
	"finance": {ZH: "金融支持", EN: "finance"}, "industry": {ZH: "产业发展", EN: "industry"},
	"trade": {ZH: "商贸流通", EN: "trade"}, "startup": {ZH: "创业扶持", EN: "start-ups"},
	StatusDraft: {ZH: "草稿", EN: "draft"}, StatusPublished: {ZH: "已发布", EN: "published"}, StatusWithdrawn: {ZH: "已撤回", EN: "withdrawn"},
	GrantAccepted: {ZH: "已受理", EN: "accepted"}, GrantApproved: {ZH: "已审核", EN: "approved"}, GrantPaid: {ZH: "已到账", EN: "paid"},
	GrantExcluded: {ZH: "已排除", EN: "excluded"},
	PushSent:      {ZH: "已推送", EN: "sent"}, PushHeld: {ZH: "暂缓（本周推送已达上限）", EN: "held (weekly limit reached)"},
	CausePublish: {ZH: "政策发布", EN: "policy published"}, CauseFacts: {ZH: "企业数据更新", EN: "facts updated"},
}

// Label names a mode, category or status code in the language.
func Label(code, lang string) string {
	t, ok := labels[code]
	if !ok {
		return code
	}
	if strings.HasPrefix(lang, "en") {
		return t.EN
	}
	return t.ZH
}

// Policy is a policy with its current version's rule.
type Policy struct {
	ID             int64           `json:"id"`
	DepartmentID   int64           `json:"department_id"`
	DepartmentName string          `json:"department_name"`
	Title          string          `json:"title"`
	DocNo          string          `json:"doc_no" doc:"document number (文号)"`
	DocURL         string          `json:"doc_url"`
	LegalBasis     string          `json:"legal_basis"`
	Category       string          `json:"category" enum:"innovation,talent,finance,industry,trade,startup"`
	Mode           string          `json:"mode" enum:"auto,instant,review"`
	Summary        string          `json:"summary"`
	Guide          string          `json:"guide" doc:"service guide (办事指南): materials and steps"`
	ValidFrom      string          `json:"valid_from" doc:"YYYY-MM-DD"`
	ValidTo        string          `json:"valid_to" doc:"YYYY-MM-DD"`
	FactYear       int             `json:"fact_year" doc:"the year of the yearly facts the rule reads"`
	BudgetFen      int64           `json:"budget_fen" doc:"budget in fen; 0: no limit"`
	ReviewDays     int             `json:"review_days" doc:"time limit of the review, in working days"`
	Status         string          `json:"status" enum:"draft,published,withdrawn"`
	Version        int             `json:"version"`
	Condition      json.RawMessage `json:"condition" doc:"the eligibility rule (see docs/policy.md)"`
	Amount         json.RawMessage `json:"amount,omitempty" doc:"the amount formula, or null"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	PublishedAt    *time.Time      `json:"published_at,omitempty"`
	// TargetTags and PushScope aim the push by registry tags (pushtags.go).
	TargetTags []string `json:"target_tags" doc:"registry tags the push aims at; empty: every entity the rule matches"`
	PushScope  string   `json:"push_scope" enum:"match,notice" doc:"match: tagged entities that meet the rule; notice: every tagged entity (a heads-up to those the rule misses)"`
}

// Input is a new policy or a change to one. A change of Condition or
// Amount makes a new version; the other fields change in place.
type Input struct {
	DepartmentID int64           `json:"department_id" doc:"0: the caller's department"`
	Title        string          `json:"title"`
	DocNo        string          `json:"doc_no"`
	DocURL       string          `json:"doc_url"`
	LegalBasis   string          `json:"legal_basis"`
	Category     string          `json:"category" enum:"innovation,talent,finance,industry,trade,startup"`
	Mode         string          `json:"mode" enum:"auto,instant,review"`
	Summary      string          `json:"summary"`
	Guide        string          `json:"guide"`
	ValidFrom    string          `json:"valid_from"`
	ValidTo      string          `json:"valid_to"`
	FactYear     int             `json:"fact_year"`
	BudgetFen    int64           `json:"budget_fen"`
	ReviewDays   int             `json:"review_days"`
	Condition    json.RawMessage `json:"condition"`
	Amount       json.RawMessage `json:"amount"`
	Note         string          `json:"note" doc:"why the rule changed (kept with the version)"`
	// TargetTags and PushScope aim the push by registry tags (pushtags.go).
	TargetTags []string `json:"target_tags" doc:"registry tags the push aims at (at most 10); empty: every entity the rule matches"`
	PushScope  string   `json:"push_scope" enum:"match,notice" doc:"match (default): tagged entities that meet the rule; notice: every tagged entity, a heads-up to those the rule misses"`
}

// Filter selects policies for List.
type Filter struct {
	DepartmentID int64  `json:"department_id"`
	Category     string `json:"category"`
	Mode         string `json:"mode"`
	Status       string `json:"status"`
	Q            string `json:"q" doc:"a substring of the title or document number"`
	// Industry keeps the policies whose rule names an industry prefix that
	// covers this code (or names no industry at all).
	Industry string `json:"industry"`
}

// Service is policy matching. Credit may be nil (module credit off): the
// credit facts are then unknown and the credit check before money is
// skipped with a note.
type Service struct {
	DB       *db.DB
	Audit    *audit.Log
	Clock    clock.Clock
	Entities *entity.Service
	Accounts *account.Service
	Credit   *credit.Service
	Notify   *notify.Service
	// Calendar is the platform's working-day calendar (the dashboard's
	// working days from eligibility to money, the review clocks of
	// applications); nil: weekends only.
	Calendar *workcal.Service
	// Jobs, when set (RegisterJobs), runs the push passes; without it
	// Publish pushes at once.
	Jobs *jobs.Queue
	// RepushDays is after how many days an unread push is pushed again
	// (once); WeekCap the most push messages per entity per calendar week.
	// 0: DefaultRepushDays, DefaultWeekCap.
	RepushDays int
	WeekCap    int
	// Appeals, when set, returns the appeal module's service (nil when the
	// module is off): questions about a policy become appeals (Ask).
	Appeals func() *appeal.Service
	// BaseURL is the site's public address, printed (and encoded in the
	// QR code) on statement PDFs for verification.
	BaseURL string
	// Files keeps the materials of applications (apply_review.go).
	Files *filestore.Store

	progs sync.Map // progKey -> *rules.Program
}

type progKey struct {
	policy  int64
	version int
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

// system returns ctx acting as the platform (for calls into other
// modules' Go APIs whose checks are made here).
func system(ctx context.Context) context.Context {
	return auth.WithActor(ctx, auth.System("policy"))
}
