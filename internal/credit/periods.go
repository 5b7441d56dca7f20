package credit

import (
	"context"
	"fmt"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// Severity classes of adverse information (NDRC Order No. 36).
const (
	ClassMinor   = "minor"
	ClassGeneral = "general"
	ClassSerious = "serious"
)

// Classes lists the severity classes in order.
var Classes = []string{ClassMinor, ClassGeneral, ClassSerious}

// ClassLabel names a class in the language.
func ClassLabel(class, lang string) string {
	l, ok := classLabels[class]
	if !ok {
		return class
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

// Sectors with their own minimum period under Order 58.
var Sectors = map[string][2]string{
	"special_equipment": {"特种设备", "special equipment"},
	"work_safety":       {"安全生产", "work safety"},
	"fire":              {"消防安全", "fire safety"},
}

// PeriodRule is one row of the publicity period table.
type PeriodRule struct {
	ID            int64  `json:"id"`
	Regime        string `json:"regime" enum:"order58,order36"`
	EffectiveFrom string `json:"effective_from" doc:"YYYY-MM-DD, empty = always"`
	EffectiveTo   string `json:"effective_to" doc:"YYYY-MM-DD inclusive, empty = open"`
	Class         string `json:"class" doc:"minor, general, serious or * (every class)"`
	Sector        string `json:"sector,omitempty"`
	MinMonths     int    `json:"min_months"`
	MaxMonths     int    `json:"max_months"`
	Publish       bool   `json:"publish" doc:"false: records of this class are never published"`
	Note          string `json:"note"`
}

// Period is the publicity window a rule gives a decision.
type Period struct {
	Start   string     `json:"start"`
	MinEnd  string     `json:"min_end" doc:"earliest date a repair may be applied for"`
	MaxEnd  string     `json:"max_end" doc:"publicity stops automatically on this date"`
	Publish bool       `json:"publish"`
	Rule    PeriodRule `json:"rule"`
}

// AddMonths adds n months to d; a day that does not exist in the target
// month is clamped to that month's last day (2026-11-30 + 3 months is
// 2027-02-28, 2028-01-31 + 1 month is 2028-02-29).
func AddMonths(d calendar.Date, n int) calendar.Date {
	y, m, day := d.Date()
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	if day > last {
		day = last
	}
	return calendar.NewDate(first.Year(), first.Month(), day)
}

// ApplyRule computes the window for a decision on decided under r.
func ApplyRule(r PeriodRule, decided calendar.Date) Period {
	return Period{Start: decided.String(), MinEnd: AddMonths(decided, r.MinMonths).String(),
		MaxEnd: AddMonths(decided, r.MaxMonths).String(), Publish: r.Publish, Rule: r}
}

// PickRule chooses the rule for a decision: the regime in force on the
// decision date, the class (or '*'), the sector's own rule before the
// general one. ok is false when no rule applies.
func PickRule(rules []PeriodRule, decided calendar.Date, class, sector string) (PeriodRule, bool) {
	ds := decided.String()
	var best PeriodRule
	score := -1
	for _, r := range rules {
		if r.EffectiveFrom != "" && ds < r.EffectiveFrom || r.EffectiveTo != "" && ds > r.EffectiveTo {
			continue
		}
		if r.Class != "*" && r.Class != class {
			continue
		}
		if r.Sector != "" && r.Sector != sector {
			continue
		}
		s := 0
		if r.Sector != "" {
			s += 2
		}
		if r.Class != "*" {
			s++
		}
		if s > score {
			best, score = r, s
		}
	}
	return best, score >= 0
}

// PeriodRules returns the stored period table.
func (s *Service) PeriodRules(ctx context.Context) ([]PeriodRule, error) {
	if c, _ := ctx.Value(ruleCacheKey{}).(*ruleCache); c != nil && c.periods != nil {
		return c.periods, nil
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, regime, effective_from, effective_to, class, sector, min_months, max_months, publish, note
		FROM credit_period_rules ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PeriodRule
	for rows.Next() {
		var r PeriodRule
		if err := rows.Scan(&r.ID, &r.Regime, &r.EffectiveFrom, &r.EffectiveTo, &r.Class, &r.Sector, &r.MinMonths, &r.MaxMonths, &r.Publish, &r.Note); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if c, _ := ctx.Value(ruleCacheKey{}).(*ruleCache); c != nil && rows.Err() == nil {
		c.periods = out
	}
	return out, rows.Err()
}

// ruleCache keeps the period and grade tables for the length of one
// operation that applies them many times (an import).
type ruleCache struct {
	periods []PeriodRule
	grades  []GradeRule
	classes map[int64][]string           // department -> severity classes
	users   map[int64][]notify.Recipient // entity -> its accounts
}

type ruleCacheKey struct{}

func withRuleCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, ruleCacheKey{}, &ruleCache{classes: map[int64][]string{}, users: map[int64][]notify.Recipient{}})
}

// Periods computes the publicity window the stored table gives a decision
// of the class (and sector) on decided.
func (s *Service) Periods(ctx context.Context, decided calendar.Date, class, sector string) (Period, error) {
	rules, err := s.PeriodRules(ctx)
	if err != nil {
		return Period{}, err
	}
	return periodFrom(rules, decided, class, sector)
}

func periodFrom(rules []PeriodRule, decided calendar.Date, class, sector string) (Period, error) {
	r, ok := PickRule(rules, decided, class, sector)
	if !ok {
		return Period{}, yserr.Field("class", fmt.Sprintf("公示期限规则表中没有适用于 %s 的规则", decided),
			fmt.Sprintf("no publicity period rule applies to a decision on %s", decided))
	}
	return ApplyRule(r, decided), nil
}
