package policy

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/entity"
	"yingshang/internal/notify"
	"yingshang/internal/policy/rules"
	"yingshang/internal/yserr"
)

// Grant statuses: the three moments an enterprise is told about.
const (
	GrantAccepted = "accepted" // 受理: found eligible, checks passed
	GrantApproved = "approved" // 审核: the department confirmed
	GrantPaid     = "paid"     // 到账: the money arrived
	GrantExcluded = "excluded" // stopped by a check or by a reviewer, with the reason
)

// Message types.
const (
	MsgGrant = "policy.grant" // a grant accepted, approved or paid
)

var registerOnce sync.Once

// RegisterMessages registers the module's message types (once per process).
func RegisterMessages() {
	registerOnce.Do(func() {
		registerPush()
		registerApplicationMessages()
		vars := []notify.Variable{
			{Name: "policy", ZH: "政策名称", EN: "policy", Example: "研发费用后补助"},
			{Name: "stage_zh", ZH: "环节（中文）", EN: "stage (Chinese)", Example: "已受理"},
			{Name: "stage_en", ZH: "环节（英文）", EN: "stage (English)", Example: "accepted"},
			{Name: "amount", ZH: "金额", EN: "amount", Example: "¥120,000.00"},
		}
		notify.RegisterType(notify.MessageType{Key: MsgGrant, NameZH: "惠企政策兑现进度", NameEN: "Policy grant progress", Variables: vars,
			Defaults: map[string]map[string]notify.Template{
				notify.ChannelSMS: {
					notify.LangZH: {Body: "【惠企政策】您的“{{.policy}}”资金{{.stage_zh}}，金额{{.amount}}。"},
					notify.LangEN: {Body: "Policy grant \"{{.policy}}\": {{.stage_en}}, {{.amount}}."},
				},
				notify.ChannelInApp: {
					notify.LangZH: {Subject: "惠企政策“{{.policy}}”{{.stage_zh}}", Body: "您的“{{.policy}}”资金{{.stage_zh}}，金额{{.amount}}。"},
					notify.LangEN: {Subject: "Policy grant {{.stage_en}}: {{.policy}}", Body: "Your grant under \"{{.policy}}\" is {{.stage_en}}: {{.amount}}."},
				},
			}})
	})
}

// Grant is one decision to pay an entity under a policy for a period.
type Grant struct {
	ID         int64      `json:"id"`
	PolicyID   int64      `json:"policy_id"`
	Policy     string     `json:"policy"`
	Department string     `json:"department"`
	Version    int        `json:"version" doc:"the policy version the grant was decided under"`
	Period     string     `json:"period"`
	EntityID   int64      `json:"entity_id"`
	Entity     string     `json:"entity"`
	AmountFen  int64      `json:"amount_fen"`
	AmountText string     `json:"amount_text"`
	Status     string     `json:"status" enum:"accepted,approved,paid,excluded"`
	Reason     rules.Line `json:"reason,omitempty" doc:"why the grant was excluded: the check or the reviewer's reason"`
	CreatedAt  time.Time  `json:"created_at"`
	ApprovedAt *time.Time `json:"approved_at,omitempty"`
	PaidAt     *time.Time `json:"paid_at,omitempty"`
	PaymentRef string     `json:"payment_ref,omitempty"`
	BatchID    *int64     `json:"batch_id,omitempty" doc:"the payment batch the grant was sent to the bank in"`
}

// RunResult is the outcome of a grant run.
type RunResult struct {
	PolicyID  int64  `json:"policy_id"`
	Version   int    `json:"version"`
	Period    string `json:"period"`
	DryRun    bool   `json:"dry_run"`
	Eligible  int    `json:"eligible"`
	Granted   int    `json:"granted"`
	Excluded  int    `json:"excluded" doc:"intercepted by a check before money"`
	Already   int    `json:"already" doc:"decided by an earlier (possibly interrupted) run: skipped"`
	TotalFen  int64  `json:"total_fen"`
	Total     string `json:"total"`
	Remaining string `json:"remaining_budget,omitempty"`
	// Intercepted lists the first exclusions with the rule that stopped them.
	Intercepted []Grant `json:"intercepted"`
}

// check is one check before money: it returns the reason it stops a
// grant, or ok.
func (s *Service) checkBeforeMoney(ctx context.Context, a *entity.Attrs, amount int64, remaining *int64, budget int64, policyID int64) (rules.Line, bool, error) {
	if a.Status != entity.StatusActive && a.Status != entity.StatusOperating {
		return rules.Line{ZH: "经营主体已" + a.Status.Label("zh") + "，不再存续", EN: "the entity is " + a.Status.Label("en") + ", no longer active"}, false, nil
	}
	if s.Credit != nil {
		res, err := s.Credit.Check(system(ctx), credit.CheckInput{EntityID: a.ID, Scene: "subsidy", Purpose: "惠企政策兑现 policy " + strconv.FormatInt(policyID, 10)})
		if err != nil {
			return rules.Line{}, false, err
		}
		if res.Result == credit.ResultDeny {
			var zh, en []string
			for _, r := range res.Reasons {
				zh, en = append(zh, r.ZH), append(en, r.EN)
			}
			return rules.Line{ZH: "信用核查（财政补贴）不通过：" + strings.Join(zh, "；"), EN: "credit check (subsidies) denied: " + strings.Join(en, "; ")}, false, nil
		}
	}
	if amount <= 0 {
		return rules.Line{ZH: "按公式计算金额为 0", EN: "the formula gives 0"}, false, nil
	}
	if budget > 0 && amount > *remaining {
		return rules.Line{ZH: "超出政策剩余预算（剩余 " + rules.Fen(*remaining) + "）", EN: "over the policy's remaining budget (" + rules.Fen(*remaining) + " left)"}, false, nil
	}
	return rules.Line{}, true, nil
}

// GrantRun runs a 免申即享 round of a published policy for a period: every
// entity eligible under the current version is checked before money
// (active, not serious-dishonest at grant time through the credit check
// in scene "subsidy", no second grant of the policy and period, within
// the remaining budget; the formula's cap applies in the amount) and is
// either granted (受理, with its notice queued) or excluded with the rule
// that stopped it. Each entity's decision is one transaction, so a run
// killed half-way leaves each grant fully recorded or not at all, and
// running it again skips the entities already decided: nobody is granted
// twice. A dry run decides and counts without writing.
func (s *Service) GrantRun(ctx context.Context, policyID int64, period string, dryRun bool) (*RunResult, error) {
	p, err := s.get(ctx, policyID)
	if err != nil {
		return nil, err
	}
	a, err := editor(ctx, p.DepartmentID)
	if err != nil {
		return nil, err
	}
	_ = a
	if p.Status != StatusPublished {
		return nil, yserr.New(yserr.Conflict, "政策尚未发布", "the policy is not published")
	}
	period = strings.TrimSpace(period)
	if period == "" {
		period = strconv.Itoa(p.FactYear)
	}
	prog, err := s.program(ctx, p.ID, p.Version)
	if err != nil {
		return nil, err
	}
	spent, err := s.spent(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	remaining := p.BudgetFen - spent
	decided, err := s.decided(ctx, p.ID, period)
	if err != nil {
		return nil, err
	}
	res := &RunResult{PolicyID: p.ID, Version: p.Version, Period: period, DryRun: dryRun, Intercepted: []Grant{}}
	env := s.env()
	var eligible []*rules.Facts
	err = s.EachFacts(ctx, p.FactYear, needsCredit(prog), func(f *rules.Facts) error {
		if prog.Match(f, env) {
			c := *f
			eligible = append(eligible, &c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Eligible = len(eligible)
	var ids []int64
	for _, f := range eligible {
		ids = append(ids, f.EntityID)
	}
	attrs, err := s.Entities.AttrsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	refs, err := s.Entities.Refs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, f := range eligible {
		if decided[f.EntityID] {
			res.Already++
			continue
		}
		r := prog.Explain(f, env)
		reason, ok, err := s.checkBeforeMoney(ctx, attrs[f.EntityID], r.AmountFen, &remaining, p.BudgetFen, p.ID)
		if err != nil {
			return nil, err
		}
		g := Grant{PolicyID: p.ID, Policy: p.Title, Version: p.Version, Period: period, EntityID: f.EntityID, Entity: refs[f.EntityID].Name,
			AmountFen: r.AmountFen, AmountText: rules.Fen(r.AmountFen), Status: GrantAccepted}
		if !ok {
			g.Status, g.Reason = GrantExcluded, reason
			res.Excluded++
			if len(res.Intercepted) < 50 {
				res.Intercepted = append(res.Intercepted, g)
			}
		} else {
			res.Granted++
			res.TotalFen += r.AmountFen
			remaining -= r.AmountFen
		}
		if dryRun {
			continue
		}
		trace, err := json.Marshal(r.Steps)
		if err != nil {
			return nil, err
		}
		if err := s.recordGrant(ctx, p, &g, string(trace)); err != nil {
			return nil, err
		}
	}
	res.Total = rules.Fen(res.TotalFen)
	if p.BudgetFen > 0 {
		res.Remaining = rules.Fen(remaining)
	}
	return res, nil
}

// recordGrant writes one grant, its audit event and (when accepted) its
// notice in one transaction. A grant already recorded for the policy,
// period and entity (a concurrent run) is left alone.
func (s *Service) recordGrant(ctx context.Context, p *Policy, g *Grant, trace string) error {
	now := s.now()
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		var n int64
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM policy_grants WHERE policy_id = $1 AND period = $2 AND entity_id = $3",
			g.PolicyID, g.Period, g.EntityID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		reason := ""
		if g.Reason.ZH != "" {
			reason = g.Reason.ZH + "|" + g.Reason.EN
		}
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO policy_grants (policy_id, version, period, entity_id, amount_fen, status, reason, trace, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, g.PolicyID, g.Version, g.Period, g.EntityID, g.AmountFen, g.Status,
			reason, trace, now).Scan(&g.ID); err != nil {
			return err
		}
		g.CreatedAt = now
		if err := s.Audit.Record(ctx, "policy.grant."+g.Status, "policy_grant", strconv.FormatInt(g.ID, 10), nil, g, ""); err != nil {
			return err
		}
		if g.Status == GrantAccepted {
			return s.notice(ctx, p.Title, g)
		}
		return nil
	})
}

// notice queues the message of a grant's stage to the entity's users (in
// the caller's transaction).
func (s *Service) notice(ctx context.Context, title string, g *Grant) error {
	if s.Notify == nil || s.Accounts == nil {
		return nil
	}
	users, err := s.Accounts.EntityUsers(ctx, []int64{g.EntityID}, auth.Enterprise)
	if err != nil {
		return err
	}
	var to []notify.Recipient
	for _, u := range users[g.EntityID] {
		to = append(to, notify.Recipient{UserID: u})
	}
	if len(to) == 0 {
		return nil
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: MsgGrant, To: to, Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
		Data:       map[string]any{"policy": title, "stage_zh": Label(g.Status, "zh"), "stage_en": Label(g.Status, "en"), "amount": rules.Fen(g.AmountFen)},
		ObjectType: "policy_grant", ObjectID: strconv.FormatInt(g.ID, 10), Link: "/my/policies/statement"})
	return err
}

func (s *Service) spent(ctx context.Context, policyID int64) (int64, error) {
	var n int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COALESCE(SUM(amount_fen), 0) FROM policy_grants WHERE policy_id = $1 AND status <> 'excluded'", policyID).Scan(&n)
	return n, err
}

func (s *Service) decided(ctx context.Context, policyID int64, period string) (map[int64]bool, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT entity_id FROM policy_grants WHERE policy_id = $1 AND period = $2", policyID, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

const grantCols = `g.id, g.policy_id, p.title, p.department_id, g.version, g.period, g.entity_id, g.amount_fen, g.status, g.reason,
	g.created_at, g.approved_at, g.paid_at, g.payment_ref, g.batch_id`

// grants reads every matching grant, 5,000 at a time (the name look-ups
// take one placeholder per row), so a round of 30,000 grants is confirmed,
// exported and paid whole.
func (s *Service) grants(ctx context.Context, where string, args ...any) ([]Grant, error) {
	const chunk = 5000
	var out []Grant
	for off := 0; ; off += chunk {
		gs, err := s.grantsPage(ctx, where, chunk, off, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, gs...)
		if len(gs) < chunk {
			return out, nil
		}
	}
}

// grantsPage reads one page of grants in id order (limit and offset are
// the caller's integers, never user text).
func (s *Service) grantsPage(ctx context.Context, where string, limit, offset int, args ...any) ([]Grant, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+grantCols+" FROM policy_grants g JOIN policy_policies p ON p.id = g.policy_id WHERE "+where+
		" ORDER BY g.id LIMIT "+strconv.Itoa(limit)+" OFFSET "+strconv.Itoa(offset), args...)
	if err != nil {
		return nil, err
	}
	var out []Grant
	var depts []int64
	for rows.Next() {
		var g Grant
		var dept int64
		var reason string
		if err := rows.Scan(&g.ID, &g.PolicyID, &g.Policy, &dept, &g.Version, &g.Period, &g.EntityID, &g.AmountFen, &g.Status, &reason,
			&g.CreatedAt, &g.ApprovedAt, &g.PaidAt, &g.PaymentRef, &g.BatchID); err != nil {
			rows.Close()
			return nil, err
		}
		if zh, en, ok := strings.Cut(reason, "|"); ok {
			g.Reason = rules.Line{ZH: zh, EN: en}
		}
		g.AmountText = rules.Fen(g.AmountFen)
		out = append(out, g)
		depts = append(depts, dept)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var ids []int64
	for _, g := range out {
		ids = append(ids, g.EntityID)
	}
	refs, err := s.Entities.Refs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var dn map[int64]string
	if s.Accounts != nil {
		dr, err := s.Accounts.DepartmentRefs(ctx, depts)
		if err != nil {
			return nil, err
		}
		dn = map[int64]string{}
		for id, r := range dr {
			dn[id] = r.Name
		}
	}
	for i := range out {
		out[i].Entity = refs[out[i].EntityID].Name
		out[i].Department = dn[depts[i]]
	}
	return out, nil
}

// Grants lists a policy's grants for a period (its department's staff,
// the platform admin and supervisors).
func (s *Service) Grants(ctx context.Context, policyID int64, period string) ([]Grant, error) {
	p, err := s.get(ctx, policyID)
	if err != nil {
		return nil, err
	}
	if _, err := editor(ctx, p.DepartmentID); err != nil && !auth.From(ctx).Has(auth.Supervisor) {
		return nil, err
	}
	if period == "" {
		return s.grants(ctx, "g.policy_id = $1", policyID)
	}
	return s.grants(ctx, "g.policy_id = $1 AND g.period = $2", policyID, period)
}

// GrantCount is how many grants a policy has (every period), for paging
// its detail page; the same access as Grants.
func (s *Service) GrantCount(ctx context.Context, policyID int64) (int, error) {
	p, err := s.get(ctx, policyID)
	if err != nil {
		return 0, err
	}
	if _, err := editor(ctx, p.DepartmentID); err != nil && !auth.From(ctx).Has(auth.Supervisor) {
		return 0, err
	}
	var n int
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM policy_grants WHERE policy_id = $1", policyID).Scan(&n)
	return n, err
}

// GrantsPage is one page of a policy's grants (every period) in id order,
// read with LIMIT and OFFSET in SQL; the same access as Grants.
func (s *Service) GrantsPage(ctx context.Context, policyID int64, limit, offset int) ([]Grant, error) {
	p, err := s.get(ctx, policyID)
	if err != nil {
		return nil, err
	}
	if _, err := editor(ctx, p.DepartmentID); err != nil && !auth.From(ctx).Has(auth.Supervisor) {
		return nil, err
	}
	return s.grantsPage(ctx, "g.policy_id = $1", max(limit, 0), max(offset, 0), policyID)
}

// Exclude takes an accepted grant off the list with the reviewer's reason.
func (s *Service) Exclude(ctx context.Context, grantID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return yserr.Field("reason", "请填写排除原因", "give the reason for the exclusion")
	}
	return s.moveGrant(ctx, []int64{grantID}, GrantAccepted, GrantExcluded,
		"UPDATE policy_grants SET status = 'excluded', reason = $1 WHERE id = $2 AND status = 'accepted'", reason+"|"+reason)
}

// Confirm approves the accepted grants of a policy and period (审核); each
// enterprise is told. It returns how many were approved.
func (s *Service) Confirm(ctx context.Context, policyID int64, period string) (int, error) {
	gs, err := s.Grants(ctx, policyID, period)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for _, g := range gs {
		if g.Status == GrantAccepted {
			ids = append(ids, g.ID)
		}
	}
	return len(ids), s.moveGrant(ctx, ids, GrantAccepted, GrantApproved,
		"UPDATE policy_grants SET status = 'approved', approved_at = $1 WHERE id = $2 AND status = 'accepted'", nil)
}

// RecordPayment marks approved grants paid (到账) with the bank's
// reference; each enterprise is told.
func (s *Service) RecordPayment(ctx context.Context, grantIDs []int64, ref string) (int, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return 0, yserr.Field("payment_ref", "请填写支付流水号", "give the payment reference")
	}
	return len(grantIDs), s.moveGrant(ctx, grantIDs, GrantApproved, GrantPaid,
		"UPDATE policy_grants SET status = 'paid', paid_at = $1, payment_ref = $3 WHERE id = $2 AND status = 'approved'", nil, ref)
}

// moveGrant moves each grant from one status to the next in its own
// transaction, with its audit event and notice.
func (s *Service) moveGrant(ctx context.Context, ids []int64, from, to string, stmt string, first any, extra ...any) error {
	for _, id := range ids {
		gs, err := s.grants(ctx, "g.id = $1", id)
		if err != nil {
			return err
		}
		if len(gs) == 0 {
			return yserr.ErrNotFound("兑现记录", "grant")
		}
		g := gs[0]
		p, err := s.get(ctx, g.PolicyID)
		if err != nil {
			return err
		}
		if _, err := editor(ctx, p.DepartmentID); err != nil {
			return err
		}
		if g.Status != from {
			return yserr.Newf(yserr.Conflict, "兑现记录 %d 状态为“%s”，不能改为“%s”", "grant %d is %s and cannot become %s", g.ID, Label(g.Status, "zh"), Label(to, "zh"))
		}
		arg := first
		if arg == nil {
			arg = s.now()
		}
		err = s.DB.WithTx(ctx, func(ctx context.Context) error {
			n, err := s.DB.Q(ctx).Exec(ctx, stmt, append([]any{arg, g.ID}, extra...)...)
			if err != nil {
				return err
			}
			if n != 1 {
				return yserr.New(yserr.Conflict, "兑现记录已被他人处理", "the grant was handled by someone else")
			}
			if err := s.Audit.Record(ctx, "policy.grant."+to, "policy_grant", strconv.FormatInt(g.ID, 10), map[string]string{"status": from}, map[string]string{"status": to}, ""); err != nil {
				return err
			}
			if to == GrantExcluded {
				return nil
			}
			g.Status = to
			return s.notice(ctx, p.Title, &g)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Statement is an enterprise's benefit statement (红利账单) for a year.
type Statement struct {
	EntityID int64   `json:"entity_id"`
	Entity   string  `json:"entity"`
	USCC     string  `json:"uscc"`
	Year     int     `json:"year"`
	Grants   []Grant `json:"grants"`
	TotalFen int64   `json:"total_fen"`
	Total    string  `json:"total"`
}

// StatementOf returns the grants paid to an entity in a year (Asia/
// Shanghai). The entity's own users and staff may ask.
func (s *Service) StatementOf(ctx context.Context, entityID int64, year int) (*Statement, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	if !a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor) && a.EntityID != entityID {
		return nil, yserr.ErrNotFound("经营主体", "market entity")
	}
	ref, err := s.Entities.Ref(ctx, entityID, "")
	if err != nil {
		return nil, err
	}
	// The year is chosen in SQL (Asia/Shanghai), before the list's limit.
	from := time.Date(year, 1, 1, 0, 0, 0, 0, calendar.Shanghai).UTC()
	gs, err := s.grants(ctx, "g.entity_id = $1 AND g.status = 'paid' AND g.paid_at >= $2 AND g.paid_at < $3", entityID, from, from.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	st := &Statement{EntityID: entityID, Entity: ref.Name, USCC: ref.USCC, Year: year, Grants: []Grant{}}
	for _, g := range gs {
		st.Grants = append(st.Grants, g)
		st.TotalFen += g.AmountFen
	}
	st.Total = rules.Fen(st.TotalFen)
	return st, nil
}
