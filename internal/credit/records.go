package credit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// negativeKinds are the kinds of adverse information.
var negativeKinds = map[string]bool{KindPenalty: true, KindSeriousList: true, KindAbnormal: true, KindBreach: true}

// DeptClasses returns the severity classes department dept uses (its
// table, or all three when it has none).
func (s *Service) DeptClasses(ctx context.Context, dept int64) ([]string, error) {
	c, _ := ctx.Value(ruleCacheKey{}).(*ruleCache)
	if c != nil && c.classes[dept] != nil {
		return c.classes[dept], nil
	}
	out, err := s.deptClasses(ctx, dept)
	if c != nil && err == nil {
		c.classes[dept] = out
	}
	return out, err
}

func (s *Service) deptClasses(ctx context.Context, dept int64) ([]string, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT class FROM credit_dept_classes WHERE department_id = $1", dept)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return slices.Clone(Classes), nil
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(Classes, a) - slices.Index(Classes, b) })
	return out, nil
}

// validate checks the content of a record of kind for department dept.
func (s *Service) validate(ctx context.Context, kind string, c *Content, dept int64) error {
	var v yserr.Validation
	c.DecisionNo, c.Title, c.LegalBasis, c.Facts = strings.TrimSpace(c.DecisionNo), strings.TrimSpace(c.Title), strings.TrimSpace(c.LegalBasis), strings.TrimSpace(c.Facts)
	if !slices.Contains(Kinds, kind) && kind != KindBreach {
		v.Add("kind", "未知的信用信息类别", "unknown kind of credit record")
		return v.Err()
	}
	d, err := calendar.ParseDate(c.DecidedOn)
	switch {
	case c.DecidedOn == "":
		v.Add("decided_on", "请填写决定日期", "the decision date is required")
	case err != nil:
		v.Add("decided_on", "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD")
	case d.After(s.today()):
		v.Add("decided_on", "决定日期不能晚于今天", "the decision date cannot be in the future")
	}
	needsNo := kind == KindPenalty || kind == KindSeriousList || kind == KindLicence
	if needsNo && c.DecisionNo == "" {
		v.Add("decision_no", "请填写决定文书号", "the decision number is required")
	}
	if (kind == KindLicence || kind == KindCommendation) && c.Title == "" {
		v.Add("title", "请填写许可或表彰名称", "the licence or commendation name is required")
	}
	if c.Sector != "" {
		if _, ok := Sectors[c.Sector]; !ok {
			v.Add("sector", "未知的行业领域", "unknown sector")
		}
	}
	switch kind {
	case KindPenalty:
		s.validatePenalties(&v, c)
		if err := s.validateClass(ctx, &v, c.Class, dept); err != nil {
			return err
		}
	case KindSeriousList:
		c.Class = ClassSerious
	case KindAbnormal, KindBreach:
		c.Class = ClassGeneral
	case KindTaxGrade:
		if !slices.Contains(TaxGrades, c.TaxGrade) {
			v.Add("tax_grade", "纳税信用级别须为 A、B、M、C 或 D", "tax credit grade must be A, B, M, C or D")
		}
	case KindRemoval:
		if c.RemovesID == 0 {
			v.Add("removes_id", "请选择要移出的名单记录", "choose the list entry to end")
		}
	}
	if kind != KindPenalty && kind != KindSeriousList && kind != KindAbnormal && kind != KindBreach {
		c.Class = ""
	}
	return v.Err()
}

func (s *Service) validatePenalties(v *yserr.Validation, c *Content) {
	if c.LegalBasis == "" {
		v.Add("legal_basis", "请填写处罚依据", "the legal basis is required")
	}
	if len(c.Penalties) == 0 {
		v.Add("penalties", "请至少选择一种处罚种类", "choose at least one penalty type")
	}
	seen := map[string]bool{}
	for i, p := range c.Penalties {
		field := fmt.Sprintf("penalties[%d]", i)
		switch {
		case penaltyTypes[p.Type][0] == "":
			v.Add(field, "未知的处罚种类 "+p.Type, "unknown penalty type "+p.Type)
		case seen[p.Type]:
			v.Add(field, "处罚种类重复", "penalty type given twice")
		case p.Amount < 0:
			v.Add(field, "金额不能为负数", "the amount cannot be negative")
		case p.Amount > 0 && !moneyTypes[p.Type]:
			v.Add(field, PenaltyTypeLabel(p.Type, "zh")+"不应填写金额", "a "+PenaltyTypeLabel(p.Type, "en")+" carries no amount")
		case p.Amount == 0 && moneyTypes[p.Type]:
			v.Add(field, "请填写"+PenaltyTypeLabel(p.Type, "zh")+"金额", "the amount of the "+PenaltyTypeLabel(p.Type, "en")+" is required")
		}
		seen[p.Type] = true
	}
}

func (s *Service) validateClass(ctx context.Context, v *yserr.Validation, class string, dept int64) error {
	if class == "" {
		v.Add("class", "请选择失信程度（轻微、一般、严重）", "choose the severity class")
		return nil
	}
	allowed, err := s.DeptClasses(ctx, dept)
	if err != nil {
		return err
	}
	if !slices.Contains(allowed, class) {
		v.Add("class", "失信程度不在本部门的分类标准中："+class, "the severity class is not in the department's table: "+class)
	}
	return nil
}

// lifecycle computes status and publicity dates for new content.
func (s *Service) lifecycle(ctx context.Context, kind string, c *Content) (status, minEnd, maxEnd string, err error) {
	if !negativeKinds[kind] {
		return StatusPublished, "", "", nil
	}
	if kind == KindAbnormal {
		// On the list until removed.
		return StatusPublished, c.DecidedOn, "", nil
	}
	d, _ := calendar.ParseDate(c.DecidedOn)
	p, err := s.Periods(ctx, d, c.Class, c.Sector)
	if err != nil {
		return "", "", "", err
	}
	status = StatusPublished
	if !p.Publish {
		status = StatusUnpublished
	}
	if p.MaxEnd <= s.today().String() {
		status = StatusExpired
	}
	return status, p.MinEnd, p.MaxEnd, nil
}

// Create records a credit record. For a penalty it also issues the credit
// repair notice and delivers it to the entity (两书同达) in the same
// transaction; the grade is recomputed.
func (s *Service) Create(ctx context.Context, in Input) (*Record, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	if in.DepartmentID == 0 {
		in.DepartmentID = a.DepartmentID
	}
	if in.DepartmentID == 0 {
		return nil, yserr.Field("department_id", "请选择作出决定的部门", "choose the deciding department")
	}
	if _, err := staff(ctx, in.DepartmentID); err != nil {
		return nil, err
	}
	e, err := s.entity(ctx, in.EntityID, in.USCC)
	if err != nil {
		return nil, err
	}
	if err := s.validate(ctx, in.Kind, &in.Content, in.DepartmentID); err != nil {
		return nil, err
	}
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.checkDuplicate(ctx, e.ID, in.Kind, in.DecisionNo); err != nil {
			return err
		}
		id, err = s.insert(ctx, a, e, in, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// insert writes a validated record with its version, its side effects,
// audit event, webhook event and repair notice. With regrade the entity's
// grade is recomputed too (an import recomputes once per entity at the
// end instead).
func (s *Service) insert(ctx context.Context, a *auth.Actor, e entityRef, in Input, regrade bool) (int64, error) {
	status, minEnd, maxEnd, err := s.lifecycle(ctx, in.Kind, &in.Content)
	if err != nil {
		return 0, err
	}
	now := s.now()
	var id int64
	err = s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO credit_records (entity_id, department_id, kind, class, current_version, status, negative,
		decided_on, min_end, max_end, obligations_met, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
		e.ID, in.DepartmentID, in.Kind, in.Class, status, negativeKinds[in.Kind], in.DecidedOn, minEnd, maxEnd, in.ObligationsMet, actorID(a), now).Scan(&id)
	if err != nil {
		return 0, err
	}
	if err := s.addVersion(ctx, a, id, 1, in.Content, ""); err != nil {
		return 0, err
	}
	if err := s.sideEffects(ctx, e, id, in); err != nil {
		return 0, err
	}
	if err := s.Audit.Record(ctx, "credit.record_create", "credit_record", strconv.FormatInt(id, 10), nil, in, ""); err != nil {
		return 0, err
	}
	if status == StatusPublished {
		if err := s.event(ctx, TypeRecordPublished, id); err != nil {
			return 0, err
		}
	}
	if in.Kind == KindPenalty || in.Kind == KindSeriousList || in.Kind == KindBreach {
		if err := s.issueNotice(ctx, id); err != nil {
			return 0, err
		}
	}
	if !regrade {
		return id, nil
	}
	_, err = s.recompute(ctx, e.ID, "record "+strconv.FormatInt(id, 10))
	return id, err
}

// decisionKinds are the kinds whose decision number identifies a
// decision: the same number twice for one entity and kind is a duplicate.
var decisionKinds = map[string]bool{KindPenalty: true, KindSeriousList: true, KindLicence: true}

// checkDuplicate refuses a decision number the entity already has a
// record of the same kind for. Only the entity's records are compared: one
// decision may name several entities (joint offenders).
func (s *Service) checkDuplicate(ctx context.Context, entityID int64, kind, decisionNo string) error {
	if !decisionKinds[kind] || decisionNo == "" {
		return nil
	}
	id, err := s.recordedDecision(ctx, entityID, kind, decisionNo)
	if err != nil || id == 0 {
		return err
	}
	return errDuplicateDecision(id)
}

func errDuplicateDecision(id int64) *yserr.Error {
	return yserr.Field("decision_no", fmt.Sprintf("该企业已有此决定文书号的记录（记录 #%d）", id),
		fmt.Sprintf("the entity already has a record with this decision number (record #%d)", id))
}

// recordedDecision returns the id of the entity's record of kind with the
// decision number in its current version, or 0.
func (s *Service) recordedDecision(ctx context.Context, entityID int64, kind, decisionNo string) (int64, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT r.id, v.content FROM credit_records r
		JOIN credit_record_versions v ON v.record_id = r.id AND v.version = r.current_version
		WHERE r.entity_id = $1 AND r.kind = $2`, entityID, kind)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var content string
		if err := rows.Scan(&id, &content); err != nil {
			return 0, err
		}
		c, err := parseContent(content)
		if err != nil {
			return 0, err
		}
		if c.DecisionNo == decisionNo {
			return id, nil
		}
	}
	return 0, rows.Err()
}

// sideEffects ends what a new record replaces: a removal ends its list
// entry, a new tax grade replaces the previous one.
func (s *Service) sideEffects(ctx context.Context, e entityRef, id int64, in Input) error {
	now := s.now()
	switch in.Kind {
	case KindRemoval:
		n, err := s.DB.Q(ctx).Exec(ctx, `UPDATE credit_records SET status = 'removed', ended_at = $1, updated_at = $1
			WHERE id = $2 AND entity_id = $3 AND kind IN ('serious_list', 'abnormal') AND status IN ('published', 'unpublished')`, now, in.RemovesID, e.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return yserr.Field("removes_id", "该企业没有这条在列的名单记录", "the entity has no such list entry in force")
		}
		return s.event(ctx, TypeRecordExpired, in.RemovesID)
	case KindTaxGrade:
		rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id FROM credit_records
			WHERE entity_id = $1 AND kind = 'tax_grade' AND status = 'published' AND id <> $2`, e.ID, id)
		if err != nil {
			return err
		}
		var old []int64
		for rows.Next() {
			var o int64
			if err := rows.Scan(&o); err != nil {
				rows.Close()
				return err
			}
			old = append(old, o)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
		for _, o := range old {
			if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE credit_records SET status = 'removed', ended_at = $1, updated_at = $1 WHERE id = $2`, now, o); err != nil {
				return err
			}
			if err := s.Audit.Record(ctx, "credit.record_removed", "credit_record", strconv.FormatInt(o, 10), nil, nil,
				fmt.Sprintf("replaced by tax grade record %d", id)); err != nil {
				return err
			}
		}
		return nil
	}
	return nil
}

func (s *Service) addVersion(ctx context.Context, a *auth.Actor, id int64, v int, c Content, reason string) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = s.DB.Q(ctx).Exec(ctx, `INSERT INTO credit_record_versions (record_id, version, content, reason, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, v, string(b), reason, actorID(a), s.now())
	return err
}

// Correct adds a new version of a record's content with the reason for
// the correction; the publicity window is recomputed from the new content
// and a penalty gets a new repair notice. Repaired, expired and removed
// records cannot be corrected.
func (s *Service) Correct(ctx context.Context, id int64, c Content, reason string) (*Record, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := staff(ctx, r.DepartmentID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, yserr.Field("reason", "请填写更正理由", "give the reason for the correction")
	}
	if !r.Active() {
		return nil, yserr.New(yserr.Conflict, "记录已"+StatusLabel(r.Status, "zh")+"，不能更正", "the record is "+StatusLabel(r.Status, "en")+" and cannot be corrected")
	}
	if err := s.validate(ctx, r.Kind, &c, r.DepartmentID); err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		status, minEnd, maxEnd, err := s.lifecycle(ctx, r.Kind, &c)
		if err != nil {
			return err
		}
		n, err := s.DB.Q(ctx).Exec(ctx, `UPDATE credit_records SET current_version = $1, status = $2, class = $3, decided_on = $4, min_end = $5, max_end = $6, updated_at = $7
			WHERE id = $8 AND current_version = $9`, r.Version+1, status, c.Class, c.DecidedOn, minEnd, maxEnd, s.now(), id, r.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return yserr.New(yserr.Conflict, "记录已被他人更正，请刷新", "the record was corrected by someone else: reload")
		}
		if err := s.addVersion(ctx, a, id, r.Version+1, c, strings.TrimSpace(reason)); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "credit.record_correct", "credit_record", strconv.FormatInt(id, 10), r.Content, c, reason); err != nil {
			return err
		}
		if r.Kind == KindPenalty || r.Kind == KindSeriousList {
			if err := s.issueNotice(ctx, id); err != nil {
				return err
			}
		}
		_, err = s.recompute(ctx, r.EntityID, "correction of record "+strconv.FormatInt(id, 10))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// SetObligations records that the entity has (or has not) performed the
// obligations of a decision: a repair condition.
func (s *Service) SetObligations(ctx context.Context, id int64, met bool, note string) error {
	r, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if _, err := staff(ctx, r.DepartmentID); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_records SET obligations_met = $1, obligations_note = $2, updated_at = $3 WHERE id = $4",
			met, strings.TrimSpace(note), s.now(), id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "credit.obligations", "credit_record", strconv.FormatInt(id, 10), r.ObligationsMet, met, note)
	})
}

const recordCols = `r.id, r.entity_id, r.department_id, r.kind, r.class, r.status, r.negative, r.current_version,
	v.content, r.decided_on, r.min_end, r.max_end, r.obligations_met, r.obligations_note, r.ended_at, r.created_at, r.updated_at`

// recordFrom reads credit's own tables only; the names of the entity and
// the department come from their owners (nameRecords).
const recordFrom = ` FROM credit_records r
	JOIN credit_record_versions v ON v.record_id = r.id AND v.version = r.current_version`

func scanRecord(row db.Row) (*Record, error) {
	var r Record
	var content string
	if err := row.Scan(&r.ID, &r.EntityID, &r.DepartmentID, &r.Kind, &r.Class, &r.Status, &r.Negative,
		&r.Version, &content, &r.Start, &r.MinEnd, &r.MaxEnd, &r.ObligationsMet, &r.ObligationsNote, &r.EndedAt, &r.CreatedAt, &r.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(content), &r.Content); err != nil {
		return nil, err
	}
	return &r, nil
}

// Get returns a record. Enterprise users see their own entity's records
// only (others are not found).
func (s *Service) Get(ctx context.Context, id int64) (*Record, error) {
	_, only, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.recordByID(ctx, id)
	if db.IsNoRows(err) || err == nil && only != 0 && r.EntityID != only {
		return nil, errRecordNotFound()
	}
	return r, err
}

// Versions lists every version of a record, oldest first.
func (s *Service) Versions(ctx context.Context, id int64) ([]Version, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT version, content, reason, COALESCE(created_by, 0), created_at FROM credit_record_versions WHERE record_id = $1 ORDER BY version", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var c string
		if err := rows.Scan(&v.Version, &c, &v.Reason, &v.CreatedBy, &v.CreatedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(c), &v.Content); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Filter selects records.
type Filter struct {
	EntityID     int64  `query:"entity_id"`
	DepartmentID int64  `query:"department_id"`
	Kind         string `query:"kind"`
	Status       string `query:"status"`
	Page         int    `query:"page"`
	PerPage      int    `query:"per_page"`
}

// List returns records, newest first, and the total. Staff and
// supervisors see every record (credit information is shared); enterprise
// users their own entity's.
func (s *Service) List(ctx context.Context, f Filter) ([]Record, int64, error) {
	_, only, err := reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	if only != 0 {
		f.EntityID = only
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.EntityID != 0 {
		add("r.entity_id = $%d", f.EntityID)
	}
	if f.DepartmentID != 0 {
		add("r.department_id = $%d", f.DepartmentID)
	}
	if f.Kind != "" {
		add("r.kind = $%d", f.Kind)
	}
	if f.Status != "" {
		add("r.status = $%d", f.Status)
	}
	w := ""
	if len(where) > 0 {
		w = " WHERE " + strings.Join(where, " AND ")
	}
	var total int64
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM credit_records r"+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+recordCols+recordFrom+w+fmt.Sprintf(" ORDER BY r.id DESC LIMIT %d OFFSET %d", f.PerPage, (f.Page-1)*f.PerPage), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var page []*Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, 0, err
		}
		page = append(page, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	if err := s.nameRecords(ctx, page); err != nil {
		return nil, 0, err
	}
	out := make([]Record, len(page))
	for i, r := range page {
		out[i] = *r
	}
	return out, total, nil
}

// MayWrite reports (as an error) whether the caller may record, correct
// and review for department dept: nil, or Forbidden/Unauthorized.
func (s *Service) MayWrite(ctx context.Context, dept int64) error {
	_, err := staff(ctx, dept)
	return err
}
