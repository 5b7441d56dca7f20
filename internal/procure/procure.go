// Package procure is government procurement (政府采购, docs/procure.md):
// procurement intentions, purchasing plans, pooling groups (拼单采购) from
// plans of several units, projects with the mandatory SME set-aside
// decision, supplier registration behind the credit module's check (scene
// "procurement") with commitments and the SME declaration, evaluation by
// lowest evaluated price or comprehensive scoring with the small/micro
// price deduction, one contract per unit, challenges and complaints on
// working-day clocks, and the overdue list.
//
// Who may do what (checked here, never in the handlers):
//   - a purchasing unit (department staff and admins) sees and changes its
//     own plans, pool lines, projects and contracts (its department scope);
//   - the finance bureau (the staff of the department named by the setting
//     procure-finance-dept) sees every unit's plans, makes pooling groups,
//     names lead units and decides complaints;
//   - a supplier (enterprise user) registers its own entity, sees only its
//     own bids, challenges and complains;
//   - platform admins and supervisors read everything;
//   - the public reads intentions, open projects, results after the award,
//     contracts once published, and answered challenges.
//
// Errors: yserr Invalid naming the field (and quoting the rule), Forbidden
// for a role that may never act, NotFound for a row outside the caller's
// scope (ids cannot be probed), Conflict for a wrong state or a refused
// credit check (with the record's reasons).
package procure

import (
	"context"
	"strconv"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/bideval"
	"yingshang/internal/calendar"
	"yingshang/internal/clock"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/draw"
	"yingshang/internal/entity"
	"yingshang/internal/notify"
	"yingshang/internal/procure/migrations"
	"yingshang/internal/scope"
	"yingshang/internal/workcal"
	"yingshang/internal/yserr"
)

// Schema is the tables procure owns (internal/procure/migrations).
var Schema = migrations.Source

// Service is the procurement module.
type Service struct {
	DB       *db.DB
	Audit    *audit.Log
	Clock    clock.Clock
	Accounts *account.Service
	Entities *entity.Service
	Credit   *credit.Service
	Calendar *workcal.Service
	// Draw draws the evaluation committees from the expert pool (module
	// draw; its Go API only).
	Draw *draw.Service
	// Notify tells the committee's experts that the scoring is open
	// (in-app; nil: no messages).
	Notify *notify.Service
	// Bideval runs the double-blind evaluation of blind projects (module
	// bideval; its Go API only). Nil when the module is off: the blind flag
	// is then refused.
	Bideval *bideval.Service

	// FinanceDept is the code of the finance bureau's department.
	FinanceDept string
	// IntentionDays is the least number of days between publishing an
	// intention and the start of the procurement (财库〔2020〕10号: 30).
	IntentionDays int
	// PoolWindowDays is the longest span of wanted dates in one pooling group.
	PoolWindowDays int
	// SetAside is the reservation rules in force (national plus local).
	SetAside []SetAsideRule
	// OCIDPrefix is the prefix of the OCDS ids (setting procure-ocid-prefix).
	OCIDPrefix string
	// Publisher names the publisher of the OCDS packages.
	Publisher string
}

// Plan statuses.
const (
	PlanOpen    = "open"
	PlanPooling = "pooling"
	PlanPooled  = "pooled"
	PlanProject = "project"
)

// Intention is a published procurement intention.
type Intention struct {
	ID           int64  `json:"id"`
	DepartmentID int64  `json:"department_id"`
	Department   string `json:"department"`
	Title        string `json:"title"`
	CategoryCode string `json:"category_code"`
	BudgetFen    int64  `json:"budget_fen"`
	StartOn      string `json:"start_on"`
	PublishedOn  string `json:"published_on"`
	Note         string `json:"note,omitempty"`
}

// IntentionInput is a new intention of the caller's unit.
type IntentionInput struct {
	Title        string `json:"title"`
	CategoryCode string `json:"category_code" doc:"政府采购品目分类目录 code, e.g. A02010104"`
	BudgetYuan   string `json:"budget_yuan" doc:"yuan, at most 2 decimals"`
	StartOn      string `json:"start_on" doc:"YYYY-MM-DD, at least procure-intention-days after today"`
	Note         string `json:"note,omitempty"`
}

// Plan is one line of a unit's purchasing plan.
type Plan struct {
	ID           int64  `json:"id"`
	DepartmentID int64  `json:"department_id"`
	Department   string `json:"department"`
	Year         int    `json:"year"`
	CategoryCode string `json:"category_code"`
	Spec         string `json:"spec"`
	SpecKey      string `json:"spec_key"`
	Quantity     int64  `json:"quantity"`
	Unit         string `json:"unit"`
	BudgetFen    int64  `json:"budget_fen"`
	WantedOn     string `json:"wanted_on"`
	Status       string `json:"status" enum:"open,pooling,pooled,project"`
	PoolID       int64  `json:"pool_id,omitempty"`
	ProjectID    int64  `json:"project_id,omitempty"`
	Version      int    `json:"version"`
}

// PlanInput is a new plan line of the caller's unit.
type PlanInput struct {
	CategoryCode string `json:"category_code" doc:"政府采购品目分类目录 code, e.g. A02010104"`
	Spec         string `json:"spec" doc:"specification, attributes separated by ; e.g. CPU i5; 内存 16GB"`
	Quantity     int64  `json:"quantity"`
	Unit         string `json:"unit,omitempty" doc:"台, 套, 项 ..."`
	BudgetYuan   string `json:"budget_yuan" doc:"yuan, at most 2 decimals"`
	WantedOn     string `json:"wanted_on" doc:"YYYY-MM-DD"`
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) today() calendar.Date { return calendar.FromTime(s.Clock.Now(), calendar.Shanghai) }

func (s *Service) cal(ctx context.Context) (*calendar.Calendar, error) {
	return s.Calendar.Calendar(ctx)
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

func userID(a *auth.Actor) any {
	if a == nil || a.UserID == 0 {
		return nil
	}
	return a.UserID
}

// unitActor is a purchasing unit's staff: a department role and a department.
func unitActor(ctx context.Context) (*auth.Actor, error) {
	a, err := auth.Require(ctx, auth.DeptAdmin, auth.DeptStaff, auth.PlatformAdmin)
	if err != nil {
		return nil, err
	}
	if !a.IsSystem() && !a.Has(auth.PlatformAdmin) && a.DepartmentID == 0 {
		return nil, yserr.ErrForbidden()
	}
	return a, nil
}

// financeID is the finance bureau's department id (0 when there is none).
func (s *Service) financeID(ctx context.Context) (int64, error) {
	return s.Accounts.DepartmentByCode(ctx, s.FinanceDept)
}

// IsFinance reports whether a acts for the finance bureau: the system,
// platform admins, or department staff whose scope holds the bureau.
func (s *Service) IsFinance(ctx context.Context, a *auth.Actor) (bool, error) {
	if a == nil {
		return false, nil
	}
	if a.IsSystem() || a.Has(auth.PlatformAdmin) {
		return true, nil
	}
	if !a.Has(auth.DeptAdmin, auth.DeptStaff) {
		return false, nil
	}
	id, err := s.financeID(ctx)
	if err != nil || id == 0 {
		return false, err
	}
	return a.InScope(id), nil
}

// financeActor requires the finance bureau.
func (s *Service) financeActor(ctx context.Context) (*auth.Actor, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	ok, err := s.IsFinance(ctx, a)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, yserr.New(yserr.Forbidden, "仅财政部门可进行此操作", "only the finance bureau may do this")
	}
	return a, nil
}

// deptCond is the condition on a department column for reading a unit's
// rows: everything for the finance bureau, admins and supervisors, the
// department scope for other staff, nothing for others (enterprises).
func (s *Service) deptCond(ctx context.Context, a *auth.Actor, col string, args []any) (string, []any, error) {
	fin, err := s.IsFinance(ctx, a)
	if err != nil {
		return "", nil, err
	}
	if fin || scope.All(a) {
		return "(1 = 1)", args, nil
	}
	c, args := scope.Where(a, scope.Columns{Dept: col}, args)
	return c, args, nil
}

// deptNames names departments for a page's rows (one query).
func (s *Service) deptNames(ctx context.Context, ids []int64) map[int64]string {
	out := map[int64]string{}
	seen := map[int64]bool{}
	var uniq []int64
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	refs, err := s.Accounts.DepartmentRefs(ctx, uniq)
	if err != nil {
		return out
	}
	for id, r := range refs {
		out[id] = r.Name
	}
	return out
}

func notFound(zh, en string) error { return yserr.ErrNotFound(zh, en) }

func conflict(zh, en string) error { return yserr.New(yserr.Conflict, zh, en) }

// unitOrReader is anyone who may read units' rows: department staff and
// admins (their scope; the finance bureau all), platform admins, supervisors.
func unitOrReader(ctx context.Context) (*auth.Actor, error) {
	return auth.Require(ctx, auth.DeptAdmin, auth.DeptStaff, auth.PlatformAdmin, auth.Supervisor)
}

func parseDate(s string) (calendar.Date, error) { return calendar.ParseDate(s) }
