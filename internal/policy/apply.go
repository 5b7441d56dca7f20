package policy

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/policy/rules"
	"yingshang/internal/yserr"
)

// Instant claims (即申即享): an enterprise user claims a published instant
// policy its entity matches; the rule is evaluated now with a trace, the
// checks before money run, and the grant is recorded at once as approved
// (审核) — or intercepted with the check that stopped it — and goes to
// the payment batches like an automatic grant. One claim per policy and
// period (the policy's fact year): a second is refused with the date of
// the first.

// Claim is the outcome of an instant claim.
type Claim struct {
	Grant    Grant        `json:"grant" doc:"the grant recorded: approved, or excluded with the check that stopped it"`
	Eligible bool         `json:"eligible"`
	Steps    []rules.Step `json:"steps" doc:"the trace of the rule, evaluated at the claim"`
}

// enterprise returns the caller when it is an enterprise user bound to
// an entity.
func enterprise(ctx context.Context) (*auth.Actor, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	if a.EntityID == 0 {
		return nil, yserr.New(yserr.Forbidden, "账号尚未绑定经营主体", "the account is not bound to a market entity")
	}
	return a, nil
}

// inForce checks that p is published, of mode, and valid today (Asia/
// Shanghai).
func (s *Service) inForce(p *Policy, mode string) error {
	if p.Status != StatusPublished {
		return yserr.ErrNotFound("政策", "policy")
	}
	if p.Mode != mode {
		return yserr.New(yserr.Conflict, "该政策的兑现方式为“"+Label(p.Mode, "zh")+"”", "this policy is delivered as "+Label(p.Mode, "en"))
	}
	today := s.Clock.Now().In(calendar.Shanghai).Format(time.DateOnly)
	if today < p.ValidFrom || today > p.ValidTo {
		return yserr.Newf(yserr.Conflict, "政策不在有效期内（%s 至 %s）", "the policy is not in force (%s to %s)", p.ValidFrom, p.ValidTo)
	}
	return nil
}

// already refuses a second claim or application of a policy and period,
// naming the date of the first. A withdrawn application does not count:
// the enterprise may apply again (Apply reuses its record).
func (s *Service) already(ctx context.Context, policyID int64, period string, entityID int64) error {
	for _, q := range []string{"SELECT created_at FROM policy_grants WHERE policy_id = $1 AND period = $2 AND entity_id = $3",
		"SELECT created_at FROM policy_applications WHERE policy_id = $1 AND period = $2 AND entity_id = $3 AND state <> '" + string(AppWithdrawn) + "'"} {
		var at time.Time
		err := s.DB.Q(ctx).QueryRow(ctx, q, policyID, period, entityID).Scan(&at)
		if db.IsNoRows(err) {
			continue
		}
		if err != nil {
			return err
		}
		d := at.In(calendar.Shanghai).Format(time.DateOnly)
		return yserr.Newf(yserr.Conflict, "本期（%s）已于 %s 申领或申请过该政策，不能重复申领", "this policy was already claimed or applied for in period %s on %s",
			period, d)
	}
	return nil
}

// notEligible is the refusal of an entity the rule does not admit: it
// names the conditions that failed and by how much.
func notEligible(r *rules.Result) error {
	var zh, en []string
	for _, m := range r.Misses {
		z, e := m.Text.ZH, m.Text.EN
		if m.GapText.ZH != "" {
			z, e = z+"（"+m.GapText.ZH+"）", e+" ("+m.GapText.EN+")"
		}
		zh, en = append(zh, z), append(en, e)
	}
	return yserr.New(yserr.Conflict, "不符合政策条件："+strings.Join(zh, "；"), "not eligible: "+strings.Join(en, "; "))
}

// Claim claims an instant policy (即申即享) for the caller's entity.
// Errors: NotFound for a policy not published, Conflict for another mode,
// a policy out of force, an entity the rule does not admit (naming the
// failing conditions) or a second claim of the period (naming the first
// one's date). An entity stopped by a check before money gets its grant
// recorded as excluded with the check's reason (no error).
func (s *Service) Claim(ctx context.Context, policyID int64) (*Claim, error) {
	a, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.get(ctx, policyID)
	if err != nil {
		return nil, err
	}
	if err := s.inForce(p, ModeInstant); err != nil {
		return nil, err
	}
	period := strconv.Itoa(p.FactYear)
	if err := s.already(ctx, p.ID, period, a.EntityID); err != nil {
		return nil, err
	}
	prog, err := s.program(ctx, p.ID, p.Version)
	if err != nil {
		return nil, err
	}
	f, err := s.factsOf(ctx, a.EntityID, p.FactYear)
	if err != nil {
		return nil, err
	}
	r := prog.Explain(f, s.env())
	if !r.Eligible {
		return nil, notEligible(r)
	}
	g, err := s.grantChecked(ctx, p, p.Version, period, a.EntityID, r, "policy.grant.claim")
	if err != nil {
		return nil, err
	}
	return &Claim{Grant: *g, Eligible: true, Steps: r.Steps}, nil
}

// grantChecked runs the checks before money for entity under p (version)
// and records the grant in one transaction: approved with its notice, or
// excluded with the reason. A grant already recorded for the policy,
// period and entity is a Conflict.
func (s *Service) grantChecked(ctx context.Context, p *Policy, version int, period string, entityID int64, r *rules.Result, action string) (*Grant, error) {
	attrs, err := s.Entities.AttrsOf(ctx, []int64{entityID})
	if err != nil {
		return nil, err
	}
	at := attrs[entityID]
	if at == nil {
		return nil, yserr.ErrNotFound("经营主体", "market entity")
	}
	refs, err := s.Entities.Refs(ctx, []int64{entityID})
	if err != nil {
		return nil, err
	}
	g := &Grant{PolicyID: p.ID, Policy: p.Title, Department: p.DepartmentName, Version: version, Period: period, EntityID: entityID,
		Entity: refs[entityID].Name, AmountFen: r.AmountFen, AmountText: rules.Fen(r.AmountFen), Status: GrantApproved}
	trace, err := json.Marshal(r.Steps)
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		spent, err := s.spent(ctx, p.ID)
		if err != nil {
			return err
		}
		remaining := p.BudgetFen - spent
		reason, ok, err := s.checkBeforeMoney(ctx, at, r.AmountFen, &remaining, p.BudgetFen, p.ID)
		if err != nil {
			return err
		}
		var approved *time.Time
		if ok {
			approved = &now
		} else {
			g.Status, g.Reason = GrantExcluded, reason
		}
		reasonText := ""
		if g.Reason.ZH != "" {
			reasonText = g.Reason.ZH + "|" + g.Reason.EN
		}
		var n int64
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM policy_grants WHERE policy_id = $1 AND period = $2 AND entity_id = $3",
			p.ID, period, entityID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return yserr.New(yserr.Conflict, "本期已有该政策的兑现记录", "a grant of this policy and period exists already")
		}
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO policy_grants (policy_id, version, period, entity_id, amount_fen, status, reason, trace, created_at, approved_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, p.ID, version, period, entityID, g.AmountFen, g.Status,
			reasonText, string(trace), now, approved).Scan(&g.ID); err != nil {
			return err
		}
		g.CreatedAt, g.ApprovedAt = now, approved
		if err := s.Audit.Record(ctx, action, "policy_grant", strconv.FormatInt(g.ID, 10), nil, g, ""); err != nil {
			return err
		}
		if ok {
			return s.notice(ctx, p.Title, g)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

type rulesResult = rules.Result

func rulesFen(fen int64) string { return rules.Fen(fen) }

func ruleLine(zh, en string) rules.Line { return rules.Line{ZH: zh, EN: en} }
