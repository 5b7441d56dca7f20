package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/policy/rules"
	"yingshang/internal/yserr"
)

const policyCols = `p.id, p.department_id, p.title, p.doc_no, p.doc_url, p.legal_basis, p.category, p.mode, p.summary, p.guide,
	p.valid_from, p.valid_to, p.fact_year, p.budget_fen, p.review_days, p.status, p.version, v.condition, v.amount,
	p.created_at, p.updated_at, p.published_at`

const policyFrom = ` FROM policy_policies p JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.version`

func scanPolicy(r db.Row, p *Policy) error {
	var cond, amount string
	if err := r.Scan(&p.ID, &p.DepartmentID, &p.Title, &p.DocNo, &p.DocURL, &p.LegalBasis, &p.Category, &p.Mode, &p.Summary, &p.Guide,
		&p.ValidFrom, &p.ValidTo, &p.FactYear, &p.BudgetFen, &p.ReviewDays, &p.Status, &p.Version, &cond, &amount,
		&p.CreatedAt, &p.UpdatedAt, &p.PublishedAt); err != nil {
		return err
	}
	p.Condition = json.RawMessage(cond)
	if amount != "" {
		p.Amount = json.RawMessage(amount)
	}
	return nil
}

// validate checks and normalises in; it returns the compiled rule.
func (s *Service) validate(in *Input) (*rules.Program, error) {
	var v yserr.Validation
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 200 {
		v.Add("title", "请填写政策名称（不超过 200 字）", "enter the policy's title (at most 200 characters)")
	}
	if !slices.Contains(Categories, in.Category) {
		v.Add("category", "请选择政策类别", "choose a category")
	}
	if !slices.Contains(Modes, in.Mode) {
		v.Add("mode", "请选择兑现方式", "choose how the policy is delivered")
	}
	from, err1 := time.Parse("2006-01-02", in.ValidFrom)
	to, err2 := time.Parse("2006-01-02", in.ValidTo)
	if err1 != nil {
		v.Add("valid_from", "生效日期格式应为 YYYY-MM-DD", "the start date must be YYYY-MM-DD")
	}
	if err2 != nil {
		v.Add("valid_to", "截止日期格式应为 YYYY-MM-DD", "the end date must be YYYY-MM-DD")
	} else if err1 == nil && to.Before(from) {
		v.Add("valid_to", "截止日期不能早于生效日期", "the end date cannot be before the start date")
	}
	if in.FactYear < 2000 || in.FactYear > 2100 {
		v.Add("fact_year", "请填写依据数据的年度（如 2025）", "give the year of the facts the rule reads (e.g. 2025)")
	}
	if in.BudgetFen < 0 {
		v.Add("budget_fen", "预算不能为负", "the budget cannot be negative")
	}
	if in.ReviewDays < 0 || in.ReviewDays > 365 {
		v.Add("review_days", "办理时限应为 0 到 365 个工作日", "the time limit is 0 to 365 working days")
	}
	if in.DocURL != "" && !strings.HasPrefix(in.DocURL, "https://") && !strings.HasPrefix(in.DocURL, "http://") {
		v.Add("doc_url", "原文链接应以 http:// 或 https:// 开头", "the link must start with http:// or https://")
	}
	var prog *rules.Program
	if len(in.Condition) == 0 {
		v.Add("condition", "请填写享受条件", "give the eligibility conditions")
	} else {
		p, err := rules.Compile(in.Condition, in.Amount)
		if err != nil {
			e := yserr.As(err)
			// The JSON path of the problem is the field: condition$.all[2].value.
			v.Add(e.Field, e.ZH, e.EN)
		}
		prog = p
	}
	checkTargets(in, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	in.Condition = compact(in.Condition)
	in.Amount = compact(in.Amount)
	return prog, nil
}

func compact(b json.RawMessage) json.RawMessage {
	t := strings.TrimSpace(string(b))
	if t == "" || t == "null" {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return json.RawMessage(buf.String())
}

// editor returns the actor when it may edit the policies of department
// dept: the platform admin, or department users whose scope holds dept.
func editor(ctx context.Context, dept int64) (*auth.Actor, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	if a.IsSystem() || a.Has(auth.PlatformAdmin) || a.InScope(dept) {
		return a, nil
	}
	return nil, yserr.New(yserr.Forbidden, "只能编辑本部门的政策", "a department edits only its own policies")
}

// Create adds a draft policy (version 1) for in.DepartmentID, or the
// caller's department when 0. A rule that does not compile is an Invalid
// error whose field is the JSON path of the problem.
func (s *Service) Create(ctx context.Context, in Input) (*Policy, error) {
	a := auth.From(ctx)
	if in.DepartmentID == 0 && a != nil {
		in.DepartmentID = a.DepartmentID
	}
	if in.DepartmentID == 0 {
		if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff); err != nil {
			return nil, err
		}
		return nil, yserr.Field("department_id", "请选择发文部门", "choose the issuing department")
	}
	a, err := editor(ctx, in.DepartmentID)
	if err != nil {
		return nil, err
	}
	if _, err := s.validate(&in); err != nil {
		return nil, err
	}
	now := s.now()
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO policy_policies (department_id, title, doc_no, doc_url, legal_basis, category, mode,
			summary, guide, valid_from, valid_to, fact_year, budget_fen, review_days, status, version, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'draft', 1, $15, $16, $16) RETURNING id`,
			in.DepartmentID, in.Title, in.DocNo, in.DocURL, in.LegalBasis, in.Category, in.Mode, in.Summary, in.Guide,
			in.ValidFrom, in.ValidTo, in.FactYear, in.BudgetFen, in.ReviewDays, userID(a), now).Scan(&id); err != nil {
			return err
		}
		if err := s.addVersion(ctx, id, 1, in, a, now); err != nil {
			return err
		}
		if err := s.saveTargets(ctx, id, in); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "policy.create", "policy", strconv.FormatInt(id, 10), nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	return s.get(ctx, id)
}

func (s *Service) addVersion(ctx context.Context, id int64, version int, in Input, a *auth.Actor, now time.Time) error {
	_, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO policy_versions (policy_id, version, condition, amount, note, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, version, string(in.Condition), string(in.Amount), in.Note, userID(a), now)
	return err
}

func userID(a *auth.Actor) any {
	if a == nil || a.UserID == 0 {
		return nil
	}
	return a.UserID
}

// Update changes a policy. A changed condition or amount formula adds a
// version (decisions already made keep theirs); the policy's department
// cannot change.
func (s *Service) Update(ctx context.Context, id int64, in Input) (*Policy, error) {
	old, err := s.get(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := editor(ctx, old.DepartmentID)
	if err != nil {
		return nil, err
	}
	in.DepartmentID = old.DepartmentID
	if _, err := s.validate(&in); err != nil {
		return nil, err
	}
	version := old.Version
	if string(in.Condition) != string(old.Condition) || string(in.Amount) != string(old.Amount) {
		version++
	}
	now := s.now()
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.DB.Q(ctx).Exec(ctx, `UPDATE policy_policies SET title = $1, doc_no = $2, doc_url = $3, legal_basis = $4, category = $5,
			mode = $6, summary = $7, guide = $8, valid_from = $9, valid_to = $10, fact_year = $11, budget_fen = $12, review_days = $13,
			version = $14, updated_at = $15 WHERE id = $16 AND version = $17`,
			in.Title, in.DocNo, in.DocURL, in.LegalBasis, in.Category, in.Mode, in.Summary, in.Guide, in.ValidFrom, in.ValidTo,
			in.FactYear, in.BudgetFen, in.ReviewDays, version, now, id, old.Version)
		if err != nil {
			return err
		}
		if n != 1 {
			return yserr.New(yserr.Conflict, "政策已被他人修改，请刷新后重试", "the policy was changed by someone else; reload and try again")
		}
		if version != old.Version {
			if err := s.addVersion(ctx, id, version, in, a, now); err != nil {
				return err
			}
		}
		if err := s.saveTargets(ctx, id, in); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "policy.update", "policy", strconv.FormatInt(id, 10), old, in, "version "+strconv.Itoa(version))
	})
	if err != nil {
		return nil, err
	}
	return s.get(ctx, id)
}

// Publish makes a draft (or withdrawn) policy public and pushes it to
// the entities that match it (see push.go): through the push job queued
// with the change, or at once when the service has no job queue.
func (s *Service) Publish(ctx context.Context, id int64) (*Policy, error) {
	p, err := s.setStatus(ctx, id, StatusPublished, "policy.publish")
	if err != nil || s.Jobs != nil {
		return p, err
	}
	if _, err := s.RunPushes(ctx, id); err != nil {
		return nil, err
	}
	return p, nil
}

// Withdraw takes a published policy off the public list.
func (s *Service) Withdraw(ctx context.Context, id int64) (*Policy, error) {
	return s.setStatus(ctx, id, StatusWithdrawn, "policy.withdraw")
}

func (s *Service) setStatus(ctx context.Context, id int64, status, action string) (*Policy, error) {
	p, err := s.get(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := editor(ctx, p.DepartmentID); err != nil {
		return nil, err
	}
	if p.Status == status {
		return p, nil
	}
	now := s.now()
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := "UPDATE policy_policies SET status = $1, updated_at = $2 WHERE id = $3"
		if status == StatusPublished {
			q = "UPDATE policy_policies SET status = $1, updated_at = $2, published_at = $2 WHERE id = $3"
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, q, status, now, id); err != nil {
			return err
		}
		if status == StatusPublished {
			if _, err := s.queuePush(ctx, id); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, action, "policy", strconv.FormatInt(id, 10), map[string]any{"status": p.Status},
			map[string]any{"status": status, "version": p.Version}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.get(ctx, id)
}

// get reads a policy without access checks.
func (s *Service) get(ctx context.Context, id int64) (*Policy, error) {
	p := &Policy{}
	err := scanPolicy(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+policyCols+policyFrom+" WHERE p.id = $1", id), p)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("政策", "policy")
	}
	if err != nil {
		return nil, err
	}
	if err := s.loadTargets(ctx, p); err != nil {
		return nil, err
	}
	return p, s.names(ctx, []*Policy{p})
}

func (s *Service) names(ctx context.Context, list []*Policy) error {
	if s.Accounts == nil || len(list) == 0 {
		return nil
	}
	var ids []int64
	for _, p := range list {
		if !slices.Contains(ids, p.DepartmentID) {
			ids = append(ids, p.DepartmentID)
		}
	}
	refs, err := s.Accounts.DepartmentRefs(ctx, ids)
	if err != nil {
		return err
	}
	for _, p := range list {
		p.DepartmentName = refs[p.DepartmentID].Name
	}
	return nil
}

// mayRead reports whether the actor may see p: published policies are
// public; drafts belong to their department, the platform admin and
// supervisors.
func mayRead(a *auth.Actor, p *Policy) bool {
	if p.Status == StatusPublished {
		return true
	}
	if a == nil {
		return false
	}
	return a.IsSystem() || a.Has(auth.PlatformAdmin, auth.Supervisor) || a.Has(auth.DeptAdmin, auth.DeptStaff) && a.InScope(p.DepartmentID)
}

// Get returns a policy the caller may see (NotFound otherwise, so drafts
// cannot be probed).
func (s *Service) Get(ctx context.Context, id int64) (*Policy, error) {
	p, err := s.get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !mayRead(auth.From(ctx), p) {
		return nil, yserr.ErrNotFound("政策", "policy")
	}
	return p, nil
}

// Version is one version of a policy's rule.
type Version struct {
	Version   int             `json:"version"`
	Condition json.RawMessage `json:"condition"`
	Amount    json.RawMessage `json:"amount,omitempty"`
	Note      string          `json:"note"`
	CreatedAt time.Time       `json:"created_at"`
}

// Versions lists a policy's versions, newest first.
func (s *Service) Versions(ctx context.Context, id int64) ([]Version, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT version, condition, amount, note, created_at FROM policy_versions WHERE policy_id = $1 ORDER BY version DESC", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var c, am string
		if err := rows.Scan(&v.Version, &c, &am, &v.Note, &v.CreatedAt); err != nil {
			return nil, err
		}
		v.Condition = json.RawMessage(c)
		if am != "" {
			v.Amount = json.RawMessage(am)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// List returns the policies the caller may see that match f, newest
// first (at most 500). Anonymous and enterprise callers see published
// policies only; department users see published ones and their own
// departments' drafts.
func (s *Service) List(ctx context.Context, f Filter) ([]*Policy, error) {
	a := auth.From(ctx)
	var conds []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	switch {
	case a != nil && (a.IsSystem() || a.Has(auth.PlatformAdmin, auth.Supervisor)):
	case a != nil && a.Has(auth.DeptAdmin, auth.DeptStaff) && len(a.DeptScope) > 0:
		ph := make([]string, len(a.DeptScope))
		for i, d := range a.DeptScope {
			ph[i] = arg(d)
		}
		conds = append(conds, "(p.status = 'published' OR p.department_id IN ("+strings.Join(ph, ", ")+"))")
	default:
		conds = append(conds, "p.status = 'published'")
	}
	if f.DepartmentID != 0 {
		conds = append(conds, "p.department_id = "+arg(f.DepartmentID))
	}
	if f.Category != "" {
		conds = append(conds, "p.category = "+arg(f.Category))
	}
	if f.Mode != "" {
		conds = append(conds, "p.mode = "+arg(f.Mode))
	}
	if f.Status != "" {
		conds = append(conds, "p.status = "+arg(f.Status))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
		p := arg(like)
		conds = append(conds, "(p.title LIKE "+p+` ESCAPE '\' OR p.doc_no LIKE `+p+` ESCAPE '\')`)
	}
	q := "SELECT " + policyCols + policyFrom
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	q += " ORDER BY p.id DESC LIMIT 500"
	rows, err := s.DB.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []*Policy
	for rows.Next() {
		p := &Policy{}
		if err := scanPolicy(rows, p); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if f.Industry != "" {
		out = slices.DeleteFunc(out, func(p *Policy) bool { return !industryCovers(p.Condition, f.Industry) })
	}
	return out, s.names(ctx, out)
}

// industryCovers reports whether a rule's industry conditions admit an
// industry code (a rule with none admits every industry).
func industryCovers(cond json.RawMessage, code string) bool {
	var found, covers bool
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["fact"] == "industry" && (x["op"] == "prefix" || x["op"] == "in" || x["op"] == "=") {
				found = true
				var vals []string
				switch y := x["value"].(type) {
				case string:
					vals = []string{y}
				case []any:
					for _, s := range y {
						if s, ok := s.(string); ok {
							vals = append(vals, s)
						}
					}
				}
				for _, p := range vals {
					p = strings.ToUpper(p)
					c := strings.ToUpper(code)
					if strings.HasPrefix(c, p) || len(p) > 1 && p[0] >= 'A' && p[0] <= 'T' && strings.HasPrefix(strings.TrimLeft(c, "ABCDEFGHIJKLMNOPQRST"), p[1:]) {
						covers = true
					}
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	var v any
	if json.Unmarshal(cond, &v) != nil {
		return true
	}
	walk(v)
	return !found || covers
}

// program returns the compiled rule of a policy version (compiled once
// per version and kept).
func (s *Service) program(ctx context.Context, id int64, version int) (*rules.Program, error) {
	key := progKey{id, version}
	if p, ok := s.progs.Load(key); ok {
		return p.(*rules.Program), nil
	}
	var cond, amount string
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT condition, amount FROM policy_versions WHERE policy_id = $1 AND version = $2", id, version).Scan(&cond, &amount)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("政策版本", "policy version")
	}
	if err != nil {
		return nil, err
	}
	p, err := rules.Compile([]byte(cond), []byte(amount))
	if err != nil {
		return nil, err
	}
	s.progs.Store(key, p)
	return p, nil
}
