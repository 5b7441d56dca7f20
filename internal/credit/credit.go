// Package credit is the public credit module (信用): credit records about
// market entities with publicity periods from a rule table (NDRC Order 58
// before 2026-04-01, Order 36 after), the credit repair notice served with
// every penalty (两书同达) as a page and a PDF, repair applications with
// review deadlines in working days, grades from a configurable rule table,
// credit checks for other processes (逢办必查), commitments, public pages,
// verifiable credit reports and the exchange export.
//
// Records are append-only: the content of a record lives in numbered
// versions and a correction adds a version with a reason; only the
// lifecycle (status, publicity dates, obligations) changes on the record.
//
// Error contract: bad input is yserr.Invalid with a Field; another
// entity's or department's object is yserr.NotFound (enterprise) or
// yserr.Forbidden (staff); a state that does not allow the step (already
// repaired, an open application) is yserr.Conflict. Every change runs in one
// transaction with its audit event and its notifications.
package credit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/filestore"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
	"yingshang/internal/workcal"
	"yingshang/internal/yserr"
)

// Service is the credit module.
type Service struct {
	DB       *db.DB
	Audit    *audit.Log
	Clock    clock.Clock
	Notify   *notify.Service
	Calendar *workcal.Service
	// Files is the shared file store (repair evidence).
	Files *filestore.Store
	// Accounts is the directory of departments and their staff, and of the
	// accounts bound to entities.
	Accounts *account.Service
	// Entities is the market-entity registry.
	Entities *entity.Service
	// BaseURL is the public address of the site, printed on notices and
	// reports for verification.
	BaseURL string
	// ReviewDays is the department's review deadline in working days
	// (default 3).
	ReviewDays int
	// MaxUpload is the largest repair attachment in bytes (default 10 MiB).
	MaxUpload int64
	// HomeRegion is the installation's own region (GB/T 2260): the public
	// credit search lists its entities first. "" takes the region of the
	// top-level department.
	HomeRegion string
	// CreditOfficeCode is the department code of the credit office (信用办),
	// which does first reviews, records external outcomes and publishes the
	// red and black lists; "" leaves that to platform admins.
	CreditOfficeCode string

	jobs *jobs.Queue // set by Register
}

// Record kinds.
const (
	KindPenalty      = "penalty"      // 行政处罚
	KindSeriousList  = "serious_list" // 严重失信主体名单
	KindAbnormal     = "abnormal"     // 经营异常名录
	KindBreach       = "breach"       // 违背信用承诺
	KindRemoval      = "removal"      // 移出名单
	KindLicence      = "licence"      // 行政许可
	KindCommendation = "commendation" // 表彰奖励
	KindTaxGrade     = "tax_grade"    // 纳税信用级别
)

// Kinds lists the kinds a department may record.
var Kinds = []string{KindPenalty, KindSeriousList, KindAbnormal, KindRemoval, KindLicence, KindCommendation, KindTaxGrade}

var kindLabels = map[string][2]string{
	KindPenalty: {"行政处罚", "administrative penalty"}, KindSeriousList: {"严重失信主体名单", "serious-dishonesty list"},
	KindAbnormal: {"经营异常名录", "abnormal-operation list"}, KindBreach: {"违背信用承诺", "breached commitment"},
	KindRemoval: {"移出名单", "removal from a list"}, KindLicence: {"行政许可", "administrative licence"},
	KindCommendation: {"表彰奖励", "commendation"}, KindTaxGrade: {"纳税信用级别", "tax credit grade"},
}

// KindLabel names a kind in the language.
func KindLabel(kind, lang string) string { return pick(kindLabels, kind, lang) }

// Record statuses.
const (
	StatusPublished   = "published"   // 公示中
	StatusUnpublished = "unpublished" // 不公示 (minor)
	StatusRepaired    = "repaired"    // 已修复
	StatusExpired     = "expired"     // 公示期满
	StatusRemoved     = "removed"     // 已移出 / 已被替代
)

var statusLabels = map[string][2]string{
	StatusPublished: {"公示中", "under publicity"}, StatusUnpublished: {"不公示", "not published"},
	StatusRepaired: {"已修复", "repaired"}, StatusExpired: {"公示期满", "publicity ended"}, StatusRemoved: {"已移出", "removed"},
}

// StatusLabel names a status in the language.
func StatusLabel(st, lang string) string { return pick(statusLabels, st, lang) }

// Penalty types (行政处罚法 Art. 9).
var penaltyTypes = map[string][2]string{
	"warning": {"警告", "warning"}, "criticism": {"通报批评", "public criticism"}, "fine": {"罚款", "fine"},
	"confiscation": {"没收违法所得、没收非法财物", "confiscation"}, "suspension": {"暂扣许可证件、降低资质等级", "licence suspended"},
	"revocation": {"吊销许可证件", "licence revoked"}, "restriction": {"限制开展生产经营活动、责令停产停业、责令关闭、限制从业", "business restricted"},
}

// moneyTypes are the penalty types that carry an amount.
var moneyTypes = map[string]bool{"fine": true, "confiscation": true}

// PenaltyTypeLabel names a penalty type in the language.
func PenaltyTypeLabel(t, lang string) string { return pick(penaltyTypes, t, lang) }

// PenaltyTypes lists the penalty type keys.
var PenaltyTypes = []string{"warning", "criticism", "fine", "confiscation", "suspension", "revocation", "restriction"}

// TaxGrades are the tax credit grades.
var TaxGrades = []string{"A", "B", "M", "C", "D"}

func pick(m map[string][2]string, k, lang string) string {
	l, ok := m[k]
	if !ok {
		return k
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

// Penalty is one penalty type of a decision, with its amount in yuan
// (fines and confiscations only).
type Penalty struct {
	Type   string  `json:"type" enum:"warning,criticism,fine,confiscation,suspension,revocation,restriction"`
	Amount float64 `json:"amount,omitempty" doc:"yuan; only for fine and confiscation"`
}

// Content is the content of one version of a record.
type Content struct {
	DecisionNo string    `json:"decision_no,omitempty" doc:"决定文书号"`
	DecidedOn  string    `json:"decided_on" doc:"YYYY-MM-DD"`
	Title      string    `json:"title,omitempty" doc:"licence or commendation name; case summary"`
	LegalBasis string    `json:"legal_basis,omitempty"`
	Facts      string    `json:"facts,omitempty"`
	Penalties  []Penalty `json:"penalties,omitempty"`
	Class      string    `json:"class,omitempty" enum:"minor,general,serious"`
	Sector     string    `json:"sector,omitempty" enum:",special_equipment,work_safety,fire"`
	TaxGrade   string    `json:"tax_grade,omitempty" enum:",A,B,M,C,D"`
	TaxYear    int       `json:"tax_year,omitempty"`
	RemovesID  int64     `json:"removes_id,omitempty" doc:"removal: the list entry it ends"`
}

// Input records a new record (or, in Correct, its new content).
type Input struct {
	EntityID     int64  `json:"entity_id,omitempty"`
	USCC         string `json:"uscc,omitempty" doc:"alternative to entity_id"`
	DepartmentID int64  `json:"department_id,omitempty" doc:"default: the caller's department"`
	Kind         string `json:"kind" enum:"penalty,serious_list,abnormal,removal,licence,commendation,tax_grade"`
	Content
	ObligationsMet bool `json:"obligations_met,omitempty" doc:"the entity has already performed its obligations (fine paid, corrected)"`
}

// Version is one stored version of a record's content.
type Version struct {
	Version   int       `json:"version"`
	Content   Content   `json:"content"`
	Reason    string    `json:"reason"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Record is a credit record with its current content.
type Record struct {
	ID              int64      `json:"id"`
	EntityID        int64      `json:"entity_id"`
	EntityName      string     `json:"entity_name"`
	USCC            string     `json:"uscc"`
	DepartmentID    int64      `json:"department_id"`
	DepartmentName  string     `json:"department_name"`
	Kind            string     `json:"kind"`
	Class           string     `json:"class,omitempty"`
	Status          string     `json:"status" enum:"published,unpublished,repaired,expired,removed"`
	Negative        bool       `json:"negative"`
	Version         int        `json:"version"`
	Content         Content    `json:"content"`
	Start           string     `json:"publicity_start,omitempty"`
	MinEnd          string     `json:"min_end,omitempty"`
	MaxEnd          string     `json:"max_end,omitempty"`
	ObligationsMet  bool       `json:"obligations_met"`
	ObligationsNote string     `json:"obligations_note,omitempty"`
	EndedAt         *time.Time `json:"ended_at,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// Active reports whether the record is in force (published or kept
// unpublished), i.e. not repaired, expired or removed.
func (r Record) Active() bool { return r.Status == StatusPublished || r.Status == StatusUnpublished }

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) today() calendar.Date { return calendar.FromTime(s.Clock.Now(), calendar.Shanghai) }

func (s *Service) reviewDays() int {
	if s.ReviewDays > 0 {
		return s.ReviewDays
	}
	return 3
}

func (s *Service) maxUpload() int64 {
	if s.MaxUpload > 0 {
		return s.MaxUpload
	}
	return 10 << 20
}

// newCode returns a random verification code such as 7KQ2-M9XD-4TBR-P3WH.
func newCode() string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// staff returns the actor if it may record or review for department dept.
func staff(ctx context.Context, dept int64) (*auth.Actor, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	if !a.InScope(dept) {
		return nil, yserr.New(yserr.Forbidden, "只能处理本部门（及下级部门）的信用信息", "you may only act on your own department's credit records")
	}
	return a, nil
}

// reader returns the actor if it may read credit records, and the entity
// an enterprise user is limited to (0 = any).
func reader(ctx context.Context) (*auth.Actor, int64, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor, auth.Enterprise)
	if err != nil {
		return nil, 0, err
	}
	if a.Has(auth.Enterprise) && !a.IsSystem() && !a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor) {
		if a.EntityID == 0 {
			return nil, 0, yserr.New(yserr.Forbidden, "账户尚未绑定企业", "your account is not bound to a business")
		}
		return a, a.EntityID, nil
	}
	return a, 0, nil
}

func actorID(a *auth.Actor) any {
	if a == nil || a.UserID == 0 {
		return nil
	}
	return a.UserID
}

func errRecordNotFound() *yserr.Error { return yserr.ErrNotFound("信用记录", "credit record") }

// entityRef is the little the module needs to know about an entity.
type entityRef struct {
	ID   int64
	USCC string
	Name string
}

func (s *Service) entity(ctx context.Context, id int64, uscc string) (entityRef, error) {
	r, err := s.Entities.Ref(ctx, id, uscc)
	return entityRef{ID: r.ID, USCC: r.USCC, Name: r.Name}, err
}

// entityUsers lists the active accounts bound to an entity.
func (s *Service) entityUsers(ctx context.Context, entityID int64) ([]notify.Recipient, error) {
	c, _ := ctx.Value(ruleCacheKey{}).(*ruleCache)
	if c != nil {
		if to, ok := c.users[entityID]; ok {
			return to, nil
		}
	}
	to, err := s.queryEntityUsers(ctx, entityID)
	if c != nil && err == nil {
		c.users[entityID] = to
	}
	return to, err
}

func (s *Service) queryEntityUsers(ctx context.Context, entityID int64) ([]notify.Recipient, error) {
	users, err := s.Accounts.EntityUsers(ctx, []int64{entityID})
	return recipients(users[entityID]), err
}

// deptUsers lists the active staff of a department.
func (s *Service) deptUsers(ctx context.Context, dept int64) ([]notify.Recipient, error) {
	ids, err := s.Accounts.DeptUsers(ctx, dept, auth.DeptAdmin, auth.DeptStaff)
	return recipients(ids), err
}

func recipients(ids []int64) []notify.Recipient {
	var out []notify.Recipient
	for _, id := range ids {
		out = append(out, notify.Recipient{UserID: id})
	}
	return out
}

func (s *Service) deptName(ctx context.Context, id int64) (string, error) {
	return s.Accounts.DepartmentName(ctx, id)
}
