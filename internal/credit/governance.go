package credit

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/jobs"
	"yingshang/internal/scope"
	"yingshang/internal/yserr"
)

// The governance dashboard (issue 18 item 12): repair applications,
// first-time pass rate, enterprises helped, records repaired, the size of
// the serious-dishonesty list month by month, the high-frequency dishonest
// enterprises (高频失信: N adverse records decided within M months, both
// configurable) with their exit tracked, and the key-governance ledger
// (重点治理台账). Platform admins and supervisors see every department;
// department admins and staff see the figures of their department scope
// (the deciding department of records and repairs, the responsible
// department of ledger entries), filtered in SQL.

// TableGovernance names the governance settings in the rule history.
const TableGovernance = "governance"

// Ledger sources and statuses.
const (
	LedgerHighFrequency = "high_frequency"
	LedgerManual        = "manual"
	LedgerActive        = "active"
	LedgerExited        = "exited"
)

// LedgerSourceLabel names a ledger source in the language.
func LedgerSourceLabel(s, lang string) string {
	return pick(ledgerSourceLabels, s, lang)
}

// LedgerStatusLabel names a ledger status in the language.
func LedgerStatusLabel(s, lang string) string {
	return pick(ledgerStatusLabels, s, lang)
}

// GovernanceSettings are the high-frequency criterion.
type GovernanceSettings struct {
	HFRecords int `json:"hf_records" doc:"adverse records (penalties, serious-list entries, abnormal-list entries, breached commitments) ..."`
	HFMonths  int `json:"hf_months" doc:"... decided within this many months"`
}

// MonthCount is a figure for one month (YYYY-MM).
type MonthCount struct {
	Month string `json:"month"`
	N     int64  `json:"n"`
}

// HFEntity is a high-frequency dishonest enterprise.
type HFEntity struct {
	EntityID int64  `json:"entity_id"`
	USCC     string `json:"uscc"`
	Name     string `json:"name"`
	Records  int64  `json:"records"`
	InLedger bool   `json:"in_ledger"`
}

// LedgerEntry is a row of the key-governance ledger.
type LedgerEntry struct {
	ID           int64     `json:"id"`
	EntityID     int64     `json:"entity_id"`
	USCC         string    `json:"uscc"`
	Entity       string    `json:"entity"`
	Source       string    `json:"source" enum:"high_frequency,manual"`
	Records      int       `json:"records"`
	DepartmentID int64     `json:"department_id,omitempty"`
	Department   string    `json:"department,omitempty"`
	Measures     string    `json:"measures"`
	Note         string    `json:"note"`
	Status       string    `json:"status" enum:"active,exited"`
	EnteredOn    string    `json:"entered_on"`
	ExitedOn     string    `json:"exited_on,omitempty"`
	ExitReason   string    `json:"exit_reason,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Governance is the dashboard.
type Governance struct {
	Settings          GovernanceSettings `json:"settings"`
	Months            []string           `json:"months" doc:"the twelve months shown, oldest first"`
	Applications      int64              `json:"applications" doc:"repair applications (resubmissions included)"`
	ApplicationsMonth []MonthCount       `json:"applications_by_month"`
	FirstDecided      int64              `json:"first_decided" doc:"first applications (not resubmissions) approved or rejected"`
	FirstTimePassed   int64              `json:"first_time_passed" doc:"of those, approved without being sent back for more material"`
	FirstTimeRate     float64            `json:"first_time_pass_rate" doc:"percent, one decimal"`
	EnterprisesHelped int64              `json:"enterprises_helped" doc:"distinct enterprises with an approved repair"`
	RecordsRepaired   int64              `json:"records_repaired"`
	RepairedMonth     []MonthCount       `json:"repaired_by_month" doc:"approved repairs by decision month"`
	SeriousList       []MonthCount       `json:"serious_list_by_month" doc:"serious-list entries in force at each month's end (today for the current month)"`
	HighFrequency     []HFEntity         `json:"high_frequency"`
	LedgerActive      int64              `json:"ledger_active"`
	LedgerExited      int64              `json:"ledger_exited"`
}

func governanceReader(ctx context.Context) (*auth.Actor, error) {
	return auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
}

// GetGovernanceSettings returns the high-frequency criterion.
func (s *Service) GetGovernanceSettings(ctx context.Context) (GovernanceSettings, error) {
	var g GovernanceSettings
	if _, err := governanceReader(ctx); err != nil {
		return g, err
	}
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT hf_records, hf_months FROM credit_governance_settings WHERE id = 1").Scan(&g.HFRecords, &g.HFMonths)
	return g, err
}

// SetGovernanceSettings changes the high-frequency criterion (platform
// admin), audited in the rule history.
func (s *Service) SetGovernanceSettings(ctx context.Context, in GovernanceSettings) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	var v yserr.Validation
	if in.HFRecords < 2 || in.HFRecords > 100 {
		v.Add("hf_records", "记录条数须在2至100之间", "the number of records is between 2 and 100")
	}
	if in.HFMonths < 1 || in.HFMonths > 60 {
		v.Add("hf_months", "月数须在1至60之间", "the number of months is between 1 and 60")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		old, err := s.GetGovernanceSettings(ctx)
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_governance_settings SET hf_records = $1, hf_months = $2, updated_at = $3 WHERE id = 1", in.HFRecords, in.HFMonths, s.now()); err != nil {
			return err
		}
		return s.ruleChange(ctx, TableGovernance, "credit.governance_settings", old, in,
			fmt.Sprintf("高频失信标准：%d个月内%d条以上失信记录", in.HFMonths, in.HFRecords), fmt.Sprintf("high-frequency criterion: %d adverse records within %d months", in.HFRecords, in.HFMonths))
	})
}

// monthStart is the first instant of the month of d in Shanghai.
func monthStart(y int, m time.Month) time.Time {
	return time.Date(y, m, 1, 0, 0, 0, 0, calendar.Shanghai)
}

// GovernanceDashboard computes the dashboard for the twelve months up to
// today (Asia/Shanghai).
func (s *Service) GovernanceDashboard(ctx context.Context) (*Governance, error) {
	a, err := governanceReader(ctx)
	if err != nil {
		return nil, err
	}
	set, err := s.GetGovernanceSettings(ctx)
	if err != nil {
		return nil, err
	}
	g := &Governance{Settings: set}
	now := s.Clock.Now().In(calendar.Shanghai)
	first := monthStart(now.Year(), now.Month()).AddDate(0, -11, 0)
	starts := make([]time.Time, 13)
	for i := range starts {
		starts[i] = first.AddDate(0, i, 0)
		if i < 12 {
			g.Months = append(g.Months, starts[i].Format("2006-01"))
		}
	}
	// bucket counts timestamps per month of the window.
	bucket := func(q string, args ...any) ([]MonthCount, int64, error) {
		out := make([]MonthCount, 12)
		for i := range out {
			out[i].Month = g.Months[i]
		}
		rows, err := s.DB.Q(ctx).Query(ctx, q, args...)
		if err != nil {
			return nil, 0, err
		}
		defer rows.Close()
		var total int64
		for rows.Next() {
			var at time.Time
			if err := rows.Scan(&at); err != nil {
				return nil, 0, err
			}
			at = at.In(calendar.Shanghai)
			for i := 0; i < 12; i++ {
				if !at.Before(starts[i]) && at.Before(starts[i+1]) {
					out[i].N++
				}
			}
			total++
		}
		return out, total, rows.Err()
	}
	pcond, pargs := scope.Where(a, scope.Columns{Dept: "p.department_id"}, nil)
	rcond, rargs := scope.Where(a, scope.Columns{Dept: "r.department_id"}, nil)
	count := func(q string, args ...any) (int64, error) {
		var n int64
		err := s.DB.Q(ctx).QueryRow(ctx, q, args...).Scan(&n)
		return n, err
	}
	if g.Applications, err = count("SELECT COUNT(*) FROM credit_repairs p WHERE "+pcond, pargs...); err != nil {
		return nil, err
	}
	n := len(pargs)
	if g.ApplicationsMonth, _, err = bucket(fmt.Sprintf("SELECT p.created_at FROM credit_repairs p WHERE %s AND p.created_at >= $%d AND p.created_at < $%d", pcond, n+1, n+2),
		append(pargs, first.UTC(), starts[12].UTC())...); err != nil {
		return nil, err
	}
	if g.FirstDecided, err = count("SELECT COUNT(*) FROM credit_repairs p WHERE p.resubmission_of IS NULL AND p.status IN ('approved', 'rejected') AND "+pcond, pargs...); err != nil {
		return nil, err
	}
	if g.FirstTimePassed, err = count("SELECT COUNT(*) FROM credit_repairs p WHERE p.resubmission_of IS NULL AND p.status = 'approved' AND p.request_note = '' AND "+pcond, pargs...); err != nil {
		return nil, err
	}
	if g.FirstDecided > 0 {
		g.FirstTimeRate = math.Round(1000*float64(g.FirstTimePassed)/float64(g.FirstDecided)) / 10
	}
	if g.EnterprisesHelped, err = count("SELECT COUNT(DISTINCT p.entity_id) FROM credit_repairs p WHERE p.status = 'approved' AND "+pcond, pargs...); err != nil {
		return nil, err
	}
	if g.RecordsRepaired, err = count("SELECT COUNT(*) FROM credit_records r WHERE r.status = 'repaired' AND "+rcond, rargs...); err != nil {
		return nil, err
	}
	if g.RepairedMonth, _, err = bucket(fmt.Sprintf("SELECT p.decided_at FROM credit_repairs p WHERE %s AND p.status = 'approved' AND p.decided_at >= $%d AND p.decided_at < $%d", pcond, n+1, n+2),
		append(pargs, first.UTC(), starts[12].UTC())...); err != nil {
		return nil, err
	}
	// Serious-list entries in force at the end of each month: decided by
	// then, published (not only recorded as unpublished), and not ended
	// (removed, repaired, expired) before the month's end.
	m := len(rargs)
	for i := 0; i < 12; i++ {
		end := starts[i+1]
		if end.After(now) {
			end = now
		}
		day := calendar.FromTime(end.Add(-time.Nanosecond), calendar.Shanghai).String()
		c, err := count(fmt.Sprintf(`SELECT COUNT(*) FROM credit_records r WHERE r.kind = 'serious_list' AND r.status <> 'unpublished' AND r.decided_on <= $%d
			AND (r.ended_at IS NULL OR r.ended_at >= $%d) AND %s`, m+1, m+2, rcond), append(append([]any{}, rargs...), day, end.UTC())...)
		if err != nil {
			return nil, err
		}
		g.SeriousList = append(g.SeriousList, MonthCount{Month: g.Months[i], N: c})
	}
	if g.HighFrequency, err = s.highFrequency(ctx, a, set, 200); err != nil {
		return nil, err
	}
	lcond, largs := scope.Where(a, scope.Columns{Dept: "l.department_id"}, nil)
	if g.LedgerActive, err = count("SELECT COUNT(*) FROM credit_governance_ledger l WHERE l.status = 'active' AND "+lcond, largs...); err != nil {
		return nil, err
	}
	if g.LedgerExited, err = count("SELECT COUNT(*) FROM credit_governance_ledger l WHERE l.status = 'exited' AND "+lcond, largs...); err != nil {
		return nil, err
	}
	return g, nil
}

// hfSince is the first decision date inside the window of months.
func (s *Service) hfSince(months int) string {
	return AddMonths(s.today(), -months).AddDays(1).String()
}

// highFrequency lists the entities meeting the criterion on the records
// the actor may read, most records first.
func (s *Service) highFrequency(ctx context.Context, a *auth.Actor, set GovernanceSettings, limit int) ([]HFEntity, error) {
	cond, args := scope.Where(a, scope.Columns{Dept: "r.department_id"}, nil)
	n := len(args)
	rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf(`SELECT r.entity_id, COUNT(*) FROM credit_records r
		WHERE r.negative = TRUE AND r.status <> 'removed' AND r.decided_on >= $%d AND %s
		GROUP BY r.entity_id HAVING COUNT(*) >= $%d ORDER BY COUNT(*) DESC, r.entity_id LIMIT %d`, n+1, cond, n+2, limit),
		append(args, s.hfSince(set.HFMonths), set.HFRecords)...)
	if err != nil {
		return nil, err
	}
	var out []HFEntity
	var ids []int64
	for rows.Next() {
		var h HFEntity
		if err := rows.Scan(&h.EntityID, &h.Records); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, h)
		ids = append(ids, h.EntityID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	refs, err := s.entityRefs(ctx, ids)
	if err != nil {
		return nil, err
	}
	active, err := s.activeLedger(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].USCC, out[i].Name = refs[out[i].EntityID].USCC, refs[out[i].EntityID].Name
		_, out[i].InLedger = active[out[i].EntityID]
	}
	if out == nil {
		out = []HFEntity{}
	}
	return out, nil
}

type activeEntry struct {
	id     int64
	source string
}

// activeLedger maps entity -> its active ledger entry.
func (s *Service) activeLedger(ctx context.Context) (map[int64]activeEntry, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, entity_id, source FROM credit_governance_ledger WHERE status = 'active'")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]activeEntry{}
	for rows.Next() {
		var id, e int64
		var src string
		if err := rows.Scan(&id, &e, &src); err != nil {
			return nil, err
		}
		out[e] = activeEntry{id, src}
	}
	return out, rows.Err()
}

// ScanResult says what a ledger scan changed.
type ScanResult struct {
	Entered int `json:"entered"`
	Exited  int `json:"exited"`
	Kept    int `json:"kept" doc:"active entries still meeting the criterion"`
}

// ScanHighFrequency brings the ledger up to date with the criterion
// (platform admin or the platform's daily job): every entity that meets it
// and has no active entry enters (source high_frequency, today); an active
// high-frequency entry whose entity no longer meets it exits today with
// the reason; the others get their current count. Manual entries are only
// ever closed by hand.
func (s *Service) ScanHighFrequency(ctx context.Context) (*ScanResult, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin)
	if err != nil {
		return nil, err
	}
	res := &ScanResult{}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		set, err := s.GetGovernanceSettings(ctx)
		if err != nil {
			return err
		}
		// The system and platform admins read every record: no scope.
		hf, err := s.highFrequency(ctx, auth.System("credit.scan"), set, 100000)
		if err != nil {
			return err
		}
		active, err := s.activeLedger(ctx)
		if err != nil {
			return err
		}
		now, today := s.now(), s.today().String()
		meets := map[int64]int64{}
		for _, h := range hf {
			meets[h.EntityID] = h.Records
			if e, ok := active[h.EntityID]; ok {
				if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_governance_ledger SET records = $1, updated_at = $2 WHERE id = $3 AND records <> $1", h.Records, now, e.id); err != nil {
					return err
				}
				res.Kept++
				continue
			}
			dept, err := s.lastDept(ctx, h.EntityID)
			if err != nil {
				return err
			}
			if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO credit_governance_ledger (entity_id, source, records, department_id, status, entered_on, created_at, updated_at)
				VALUES ($1, 'high_frequency', $2, $3, 'active', $4, $5, $5)`, h.EntityID, h.Records, dept, today, now); err != nil {
				return err
			}
			res.Entered++
		}
		reason := fmt.Sprintf("%d个月内失信记录少于%d条 / fewer than %d adverse records within %d months", set.HFMonths, set.HFRecords, set.HFRecords, set.HFMonths)
		for ent, e := range active {
			if _, still := meets[ent]; still || e.source != LedgerHighFrequency {
				continue
			}
			if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_governance_ledger SET status = 'exited', exited_on = $1, exit_reason = $2, updated_at = $3 WHERE id = $4",
				today, reason, now, e.id); err != nil {
				return err
			}
			res.Exited++
		}
		return s.Audit.Record(ctx, "credit.governance_scan", "credit_governance_ledger", "", nil, res, a.Username)
	})
	return res, err
}

// lastDept is the department of the entity's latest adverse record (the
// one the ledger names as responsible), or nil.
func (s *Service) lastDept(ctx context.Context, entityID int64) (any, error) {
	var d int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT department_id FROM credit_records WHERE entity_id = $1 AND negative = TRUE ORDER BY decided_on DESC, id DESC LIMIT 1", entityID).Scan(&d)
	if db.IsNoRows(err) {
		return nil, nil
	}
	return d, err
}

// LedgerInput adds an entity to the ledger by hand or updates an entry.
type LedgerInput struct {
	USCC         string `json:"uscc,omitempty" doc:"new entries: the entity"`
	DepartmentID int64  `json:"department_id,omitempty" doc:"the department responsible for the measures"`
	Measures     string `json:"measures" doc:"governance measures (约谈, 专项检查, 信用修复指导 ...)"`
	Note         string `json:"note"`
	Exit         bool   `json:"exit,omitempty" doc:"close the entry (manual entries; high-frequency ones exit when the criterion no longer holds)"`
	ExitReason   string `json:"exit_reason,omitempty"`
}

// AddLedgerEntry puts an entity on the key-governance ledger by hand
// (platform admin); Conflict when it already has an active entry.
func (s *Service) AddLedgerEntry(ctx context.Context, in LedgerInput) (*LedgerEntry, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return nil, err
	}
	in.Measures, in.Note = strings.TrimSpace(in.Measures), strings.TrimSpace(in.Note)
	var v yserr.Validation
	if strings.TrimSpace(in.USCC) == "" {
		v.Add("uscc", "请填写统一社会信用代码", "give the unified social credit code")
	}
	if in.Measures == "" {
		v.Add("measures", "请填写治理措施", "give the governance measures")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	e, err := s.entity(ctx, 0, strings.TrimSpace(in.USCC))
	if err != nil {
		if yserr.Is(err, yserr.NotFound) || yserr.Is(err, yserr.Invalid) {
			return nil, yserr.Field("uscc", "未找到该统一社会信用代码的经营主体", "no market entity has this credit code")
		}
		return nil, err
	}
	var dept any
	if in.DepartmentID != 0 {
		dept = in.DepartmentID
	}
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		active, err := s.activeLedger(ctx)
		if err != nil {
			return err
		}
		if _, ok := active[e.ID]; ok {
			return yserr.New(yserr.Conflict, "该企业已在重点治理台账中", "the enterprise is already on the ledger")
		}
		now := s.now()
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO credit_governance_ledger (entity_id, source, department_id, measures, note, status, entered_on, created_at, updated_at)
			VALUES ($1, 'manual', $2, $3, $4, 'active', $5, $6, $6) RETURNING id`, e.ID, dept, in.Measures, in.Note, s.today().String(), now).Scan(&id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "credit.ledger_add", "credit_governance_ledger", strconv.FormatInt(id, 10), nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	return s.LedgerEntryByID(ctx, id)
}

// UpdateLedgerEntry records the measures and progress of an entry, or
// closes a manual one (platform admin, or staff of the responsible
// department).
func (s *Service) UpdateLedgerEntry(ctx context.Context, id int64, in LedgerInput) (*LedgerEntry, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	old, err := s.LedgerEntryByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.InScope(old.DepartmentID) {
		return nil, yserr.ErrForbidden()
	}
	in.Measures, in.Note, in.ExitReason = strings.TrimSpace(in.Measures), strings.TrimSpace(in.Note), strings.TrimSpace(in.ExitReason)
	var v yserr.Validation
	if in.Measures == "" {
		v.Add("measures", "请填写治理措施", "give the governance measures")
	}
	if in.Exit && in.ExitReason == "" {
		v.Add("exit_reason", "请说明退出理由", "give the reason for the exit")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if in.Exit && old.Source != LedgerManual {
		return nil, yserr.New(yserr.Conflict, "高频失信企业在不再符合标准时自动退出", "a high-frequency entry exits when the criterion no longer holds")
	}
	if old.Status != LedgerActive {
		return nil, yserr.New(yserr.Conflict, "该条目已退出", "the entry has exited")
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		now := s.now()
		status, exited := LedgerActive, ""
		if in.Exit {
			status, exited = LedgerExited, s.today().String()
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_governance_ledger SET measures = $1, note = $2, status = $3, exited_on = $4, exit_reason = $5, updated_at = $6 WHERE id = $7",
			in.Measures, in.Note, status, exited, in.ExitReason, now, id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "credit.ledger_update", "credit_governance_ledger", strconv.FormatInt(id, 10), old, in, "")
	})
	if err != nil {
		return nil, err
	}
	return s.LedgerEntryByID(ctx, id)
}

const ledgerCols = `l.id, l.entity_id, l.source, l.records, COALESCE(l.department_id, 0), l.measures, l.note, l.status, l.entered_on, l.exited_on, l.exit_reason, l.updated_at`

func scanLedger(r interface{ Scan(...any) error }) (LedgerEntry, error) {
	var e LedgerEntry
	err := r.Scan(&e.ID, &e.EntityID, &e.Source, &e.Records, &e.DepartmentID, &e.Measures, &e.Note, &e.Status, &e.EnteredOn, &e.ExitedOn, &e.ExitReason, &e.UpdatedAt)
	return e, err
}

// LedgerEntryByID returns one entry; NotFound outside the reader's scope.
func (s *Service) LedgerEntryByID(ctx context.Context, id int64) (*LedgerEntry, error) {
	a, err := governanceReader(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := scope.Where(a, scope.Columns{Dept: "l.department_id"}, []any{id})
	e, err := scanLedger(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+ledgerCols+" FROM credit_governance_ledger l WHERE l.id = $1 AND "+cond, args...))
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("台账条目", "ledger entry")
	}
	if err != nil {
		return nil, err
	}
	list := []LedgerEntry{e}
	if err := s.nameLedger(ctx, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// Ledger lists the ledger (status "" for all), active first, in the
// reader's scope.
func (s *Service) Ledger(ctx context.Context, status string, limit int) ([]LedgerEntry, error) {
	a, err := governanceReader(ctx)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	cond, args := scope.Where(a, scope.Columns{Dept: "l.department_id"}, nil)
	if status != "" {
		if status != LedgerActive && status != LedgerExited {
			return nil, yserr.Field("status", "状态须为 active 或 exited", "status must be active or exited")
		}
		args = append(args, status)
		cond += fmt.Sprintf(" AND l.status = $%d", len(args))
	}
	rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf("SELECT %s FROM credit_governance_ledger l WHERE %s ORDER BY l.status, l.entered_on DESC, l.id DESC LIMIT %d", ledgerCols, cond, limit), args...)
	if err != nil {
		return nil, err
	}
	out := []LedgerEntry{}
	for rows.Next() {
		e, err := scanLedger(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.nameLedger(ctx, out)
}

func (s *Service) nameLedger(ctx context.Context, list []LedgerEntry) error {
	var ents, depts []int64
	for _, e := range list {
		ents, depts = append(ents, e.EntityID), append(depts, e.DepartmentID)
	}
	er, err := s.entityRefs(ctx, ents)
	if err != nil {
		return err
	}
	dr, err := s.deptRefs(ctx, depts)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].USCC, list[i].Entity = er[list[i].EntityID].USCC, er[list[i].EntityID].Name
		list[i].Department = dr[list[i].DepartmentID].Name
	}
	return nil
}

// GovernanceScanArgs is the daily job that updates the key-governance
// ledger with the high-frequency criterion.
type GovernanceScanArgs struct{}

// Kind names the job.
func (GovernanceScanArgs) Kind() string { return "credit.governance_scan" }

type governanceWorker struct {
	river.WorkerDefaults[GovernanceScanArgs]
	s *Service
}

func (w *governanceWorker) Work(ctx context.Context, _ *river.Job[GovernanceScanArgs]) error {
	_, err := w.s.ScanHighFrequency(auth.WithActor(ctx, auth.System("credit.governance_scan")))
	return err
}

func (s *Service) registerGovernanceJob(q *jobs.Queue) {
	jobs.Register[GovernanceScanArgs](q, &governanceWorker{s: s})
	q.Every(24*time.Hour, func() river.JobArgs { return GovernanceScanArgs{} }, true)
}
