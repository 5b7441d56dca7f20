// Package inspect is the inspection module (监管执法, 双随机一公开):
// 一单两库 (check items, inspectors, and the target directory, a filter over
// the entity registry frozen when a plan is committed), plans of one
// department or joint plans of several (综合查一次), filing (备案) with the
// coordinating office, credit-weighted stratified sampling as a verifiable
// draw of the draw module (docs/draw-protocol.md §6a-6b), quiet days
// (企业宁静日), yearly frequency caps across departments, the inspector's
// phone flow (scan the enterprise's code before entry, per-item results,
// photos, the enterprise's confirmation), results feeding credit (首违不罚
// recorded as such) and publicity deadlines in working days.
//
// Errors (all *yserr.Error): Invalid with the field for bad input;
// Forbidden when the role may not act; NotFound for ids outside the
// caller's department or entity (so ids cannot be probed); Conflict for a
// plan or task in the wrong state, a quiet day, strata or teams that
// cannot be filled (with the numbers per stratum or per rule), a scan of
// another enterprise's code and a task closed before every item has a
// result.
package inspect

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/appeal"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/clock"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/draw"
	"yingshang/internal/entity"
	"yingshang/internal/filestore"
	"yingshang/internal/notify"
	"yingshang/internal/workcal"
	"yingshang/internal/yserr"

	_ "yingshang/internal/inspect/migrations" // its tables
)

// Purpose is the draw purpose of a plan's sampling draw.
const Purpose = "inspection"

// Classes are the credit classes, the strata of a plan.
var Classes = []string{"A", "B", "C", "D"}

// Outcomes of a check item.
const (
	OutcomeOK      = "ok"      // 未发现问题
	OutcomeProblem = "problem" // 发现问题
	OutcomeRectify = "rectify" // 责令限期整改
	OutcomeCase    = "case"    // 立案查处
)

// Outcomes lists the outcomes in display order.
var Outcomes = []string{OutcomeOK, OutcomeProblem, OutcomeRectify, OutcomeCase}

// Settings are the module's settings (docs/configuration.md).
type Settings struct {
	// Ratios are the default sampling ratios per credit class, per mille.
	Ratios map[string]int
	// Quiet is the monthly quiet-day window.
	Quiet Quiet
	// YearCap is the most routine tasks an enterprise gets per year across
	// departments (joint plans count once); 0 means no cap.
	YearCap int
	// PublishDays is the publicity deadline in working days after a task ends.
	PublishDays int
	// FirstOffenceDays is the 首违不罚 rectification deadline in days.
	FirstOffenceDays int
	// TeamSize is the default number of inspectors per task (at least 2).
	TeamSize int
}

// DefaultSettings are the documented defaults.
func DefaultSettings() Settings {
	q, _ := ParseQuiet("1-20")
	return Settings{Ratios: map[string]int{"A": 20, "B": 50, "C": 200, "D": 500}, Quiet: q, YearCap: 2, PublishDays: 20, FirstOffenceDays: 15, TeamSize: 2}
}

// Service is the inspection module.
type Service struct {
	DB       *db.DB
	Audit    *audit.Log
	Clock    clock.Clock
	Files    *filestore.Store
	Entities *entity.Service
	Accounts *account.Service
	Credit   *credit.Service
	Draw     *draw.Service
	Calendar *workcal.Service
	Settings Settings
	// Notify tells the enterprise of rectification deadlines and the
	// departments and supervisors of what the jobs find (nil: no messages).
	Notify *notify.Service
	// Appeals returns the appeal module's service (nil when it is off): an
	// enterprise's complaint about a visit becomes an appeal.
	Appeals func() *appeal.Service
	// BaseURL is the site's public address (named in complaint appeals).
	BaseURL string
}

// ParseRatios reads "A:20,B:50,C:200,D:500" (per mille, every class).
func ParseRatios(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, ":")
		n, err := strconv.Atoi(strings.TrimSpace(v))
		k = strings.ToUpper(strings.TrimSpace(k))
		if !ok || err != nil || !slices.Contains(Classes, k) || n < 0 || n > 1000 {
			return nil, yserr.Field("ratios", "抽查比例格式应为 A:20,B:50,C:200,D:500（千分比，0-1000）："+part,
				"ratios must look like A:20,B:50,C:200,D:500 (per mille, 0-1000): "+part)
		}
		out[k] = n
	}
	for _, c := range Classes {
		if _, ok := out[c]; !ok {
			return nil, yserr.Field("ratios", "缺少 "+c+" 类的抽查比例", "the ratio of class "+c+" is missing")
		}
	}
	return out, nil
}

// FormatRatios writes ratios in the order A-D.
func FormatRatios(r map[string]int) string {
	var parts []string
	for _, c := range Classes {
		parts = append(parts, fmt.Sprintf("%s:%d", c, r[c]))
	}
	return strings.Join(parts, ",")
}

// Quiet is the monthly quiet-day window: days of the month and weekdays.
type Quiet struct {
	Days     [32]bool
	Weekdays [7]bool
	Text     string
}

var weekdayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseQuiet reads a window: comma-separated day ranges ("1-20", "5") and
// weekday names ("mon"); empty means no quiet days.
func ParseQuiet(s string) (Quiet, error) {
	q := Quiet{Text: strings.TrimSpace(s)}
	for _, part := range strings.Split(s, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		if i := slices.Index(weekdayNames, part); i >= 0 {
			q.Weekdays[i] = true
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			hi = lo
		}
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || a < 1 || b > 31 || a > b {
			return Quiet{}, yserr.Field("quiet_days", "宁静日格式应为日期区间（如 1-20）或星期（如 mon）："+part,
				"quiet days must be day ranges (e.g. 1-20) or weekdays (e.g. mon): "+part)
		}
		for d := a; d <= b; d++ {
			q.Days[d] = true
		}
	}
	return q, nil
}

// IsQuiet reports whether the day is in the window.
func (q Quiet) IsQuiet(d calendar.Date) bool {
	return q.Days[d.Day()] || q.Weekdays[int(d.Weekday())]
}

// Exception kinds that may break the quiet days (with a reason).
var ExceptionKinds = []string{"safety", "environment", "complaint", "assigned"}

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) today() calendar.Date { return calendar.FromTime(s.Clock.Now(), calendar.Shanghai) }

// staffOf returns the actor if it is department staff or admin of dept (or
// above it), or a platform admin; NotFound otherwise.
func staffOf(ctx context.Context, dept int64, what, whatEN string) (*auth.Actor, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	if a.InScope(dept) {
		return a, nil
	}
	return nil, yserr.ErrNotFound(what, whatEN)
}

// deptAdmin returns the actor if it may keep the department's lists: its
// department admin (or a platform admin).
func deptAdmin(ctx context.Context) (*auth.Actor, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return nil, err
	}
	if !a.IsSystem() && !a.Has(auth.PlatformAdmin) && a.DepartmentID == 0 {
		return nil, yserr.ErrForbidden()
	}
	return a, nil
}

func joinList(xs []string) string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "," + strings.Join(out, ",") + ","
}

func splitList(s string) []string {
	out := []string{}
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }
