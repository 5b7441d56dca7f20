package credit

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/scope"
	"yingshang/internal/yserr"
)

// Commitment kinds.
var CommitmentKinds = []string{"missing_material", "instead_of_certificate", "repair", "other"}

// CommitmentKindLabel names a commitment kind in the language.
func CommitmentKindLabel(k, lang string) string {
	return pick(commitmentKindLabels, k, lang)
}

// CommitmentInput is a commitment an entity signs in a process.
type CommitmentInput struct {
	EntityID     int64  `json:"entity_id,omitempty" doc:"default: the caller's entity"`
	DepartmentID int64  `json:"department_id" doc:"the department that accepts the commitment"`
	Kind         string `json:"kind" enum:"missing_material,instead_of_certificate,other"`
	Process      string `json:"process" doc:"the process and case, e.g. license:2026-0012"`
	Text         string `json:"text"`
	DeadlineOn   string `json:"deadline_on,omitempty" doc:"YYYY-MM-DD by which the commitment must be kept"`
}

// Commitment is a signed commitment.
type Commitment struct {
	ID           int64      `json:"id"`
	EntityID     int64      `json:"entity_id"`
	EntityName   string     `json:"entity_name"`
	DepartmentID int64      `json:"department_id,omitempty"`
	Kind         string     `json:"kind"`
	Process      string     `json:"process"`
	Text         string     `json:"text"`
	DeadlineOn   string     `json:"deadline_on,omitempty"`
	Status       string     `json:"status" enum:"open,fulfilled,breached"`
	SignedAt     time.Time  `json:"signed_at"`
	ResolvedAt   *time.Time `json:"resolved_at,omitempty"`
	RecordID     int64      `json:"record_id,omitempty" doc:"the credit record a breach became"`
}

// Sign records a commitment: an enterprise user signs for its own entity;
// the platform itself (another module's process) may sign on an entity's
// behalf after the user confirmed there.
func (s *Service) Sign(ctx context.Context, in CommitmentInput) (*Commitment, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	if !a.IsSystem() {
		in.EntityID = a.EntityID
	}
	var v yserr.Validation
	in.Text, in.Process = strings.TrimSpace(in.Text), strings.TrimSpace(in.Process)
	if in.EntityID == 0 {
		v.Add("entity_id", "账户尚未绑定企业", "no entity")
	}
	if !slices.Contains(CommitmentKinds, in.Kind) || in.Kind == "repair" {
		v.Add("kind", "未知的承诺类型", "unknown commitment kind")
	}
	if in.Text == "" {
		v.Add("text", "请填写承诺内容", "the commitment text is required")
	}
	if in.Process == "" {
		v.Add("process", "请填写所办事项", "name the process")
	}
	if in.DeadlineOn != "" {
		if d, err := calendar.ParseDate(in.DeadlineOn); err != nil || !d.After(s.today()) {
			v.Add("deadline_on", "履约期限须为今天之后的日期 YYYY-MM-DD", "the deadline must be a later date, YYYY-MM-DD")
		}
	}
	if _, err := s.deptName(ctx, in.DepartmentID); err != nil {
		v.AddErr("department_id", err)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO credit_commitments (entity_id, department_id, kind, process, text, deadline_on, status, signed_by, signed_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) RETURNING id`, in.EntityID, in.DepartmentID, in.Kind, in.Process, in.Text, in.DeadlineOn, actorID(a), s.now()).Scan(&id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "credit.commitment_sign", "credit_commitment", strconv.FormatInt(id, 10), nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	return s.getCommitment(ctx, id)
}

const commitmentCols = `c.id, c.entity_id, COALESCE(c.department_id, 0), c.kind, c.process, c.text, c.deadline_on, c.status, c.signed_at, c.resolved_at, COALESCE(c.record_id, 0)`

func scanCommitment(row db.Row) (*Commitment, error) {
	var c Commitment
	err := row.Scan(&c.ID, &c.EntityID, &c.DepartmentID, &c.Kind, &c.Process, &c.Text, &c.DeadlineOn, &c.Status, &c.SignedAt, &c.ResolvedAt, &c.RecordID)
	return &c, err
}

func (s *Service) getCommitment(ctx context.Context, id int64) (*Commitment, error) {
	c, err := scanCommitment(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+commitmentCols+" FROM credit_commitments c WHERE c.id = $1", id))
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("信用承诺", "commitment")
	}
	if err != nil {
		return nil, err
	}
	list := []Commitment{*c}
	if err := s.nameCommitments(ctx, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// nameCommitments fills the entity names of the commitments from the
// registry, in one call.
func (s *Service) nameCommitments(ctx context.Context, list []Commitment) error {
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.EntityID
	}
	refs, err := s.entityRefs(ctx, ids)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].EntityName = refs[list[i].EntityID].Name
	}
	return nil
}

// Commitments lists commitments with their deadlines, soonest first:
// an enterprise its own, staff their departments', admins and supervisors all.
func (s *Service) Commitments(ctx context.Context, status string) ([]Commitment, error) {
	a, _, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := scope.Where(a, scope.Columns{Dept: "c.department_id", Entity: "c.entity_id"}, nil)
	q := "SELECT " + commitmentCols + " FROM credit_commitments c WHERE " + cond
	if status != "" {
		args = append(args, status)
		q += fmt.Sprintf(" AND c.status = $%d", len(args))
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+" ORDER BY CASE WHEN c.deadline_on = '' THEN 1 ELSE 0 END, c.deadline_on, c.id DESC LIMIT 500", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Commitment{}
	for rows.Next() {
		c, err := scanCommitment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.nameCommitments(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Resolve closes an open commitment as fulfilled or breached (the
// accepting department). A breach becomes a credit record (kind breach,
// general class) with its repair notice.
func (s *Service) Resolve(ctx context.Context, id int64, breached bool, note string) (*Commitment, error) {
	c, err := s.getCommitment(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := staff(ctx, c.DepartmentID)
	if err != nil {
		return nil, err
	}
	if c.Status != "open" || c.Kind == "repair" {
		return nil, yserr.New(yserr.Conflict, "该承诺已办结或不能在此办结", "the commitment is closed or not resolved here")
	}
	note = strings.TrimSpace(note)
	if breached && note == "" {
		return nil, yserr.Field("note", "请说明违背承诺的情况", "describe the breach")
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		status := "fulfilled"
		var rec *int64
		if breached {
			status = "breached"
			e, err := s.entity(ctx, c.EntityID, "")
			if err != nil {
				return err
			}
			in := Input{EntityID: c.EntityID, DepartmentID: c.DepartmentID, Kind: KindBreach, Content: Content{
				DecisionNo: fmt.Sprintf("承诺-%d", c.ID), DecidedOn: s.today().String(), Title: CommitmentKindLabel(c.Kind, "zh") + "：" + c.Process,
				Facts: note, Class: ClassGeneral, LegalBasis: "《信用修复管理办法》；信用承诺书"}}
			rid, err := s.insert(ctx, a, e, in, true)
			if err != nil {
				return err
			}
			rec = &rid
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_commitments SET status = $1, resolved_at = $2, record_id = $3 WHERE id = $4 AND status = 'open'",
			status, s.now(), rec, id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "credit.commitment_"+status, "credit_commitment", strconv.FormatInt(id, 10), "open", status, note)
	})
	if err != nil {
		return nil, err
	}
	return s.getCommitment(ctx, id)
}

// CommitmentStatusLabel names a commitment status in the language.
func CommitmentStatusLabel(st, lang string) string {
	return pick(commitmentStatusLabels, st, lang)
}

// PublicCommitmentLabel names a commitment status on the public page:
// in force, fulfilled, broken.
func PublicCommitmentLabel(st, lang string) string {
	return pick(publicCommitmentLabels, st, lang)
}

// PublicCommitment is a commitment as the public sees it.
type PublicCommitment struct {
	ID             int64  `json:"id"`
	EntityName     string `json:"entity_name"`
	USCC           string `json:"uscc"`
	DepartmentName string `json:"department_name"`
	Kind           string `json:"kind"`
	Process        string `json:"process"`
	Text           string `json:"text"`
	DeadlineOn     string `json:"deadline_on,omitempty"`
	Status         string `json:"status" enum:"open,fulfilled,breached" doc:"open = in force, breached = broken"`
	SignedOn       string `json:"signed_on"`
}

// PublicCommitments lists the commitments signed in processes (信用承诺
// 公示), newest first, for anyone: status "" lists every status. Repair
// commitments belong to repair applications and are not listed.
func (s *Service) PublicCommitments(ctx context.Context, status string, page, perPage int) ([]PublicCommitment, int64, error) {
	if status != "" && status != "open" && status != "fulfilled" && status != "breached" {
		return nil, 0, yserr.Field("status", "状态须为 open、fulfilled 或 breached", "status is open, fulfilled or breached")
	}
	if perPage < 1 || perPage > 100 {
		perPage = 50
	}
	if page < 1 {
		page = 1
	}
	where, args := "c.kind <> 'repair'", []any{}
	if status != "" {
		args = append(args, status)
		where += " AND c.status = $1"
	}
	var total int64
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM credit_commitments c WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+commitmentCols+" FROM credit_commitments c WHERE "+where+
		fmt.Sprintf(" ORDER BY c.id DESC LIMIT %d OFFSET %d", perPage, (page-1)*perPage), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var list []Commitment
	for rows.Next() {
		c, err := scanCommitment(rows)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.EntityID
	}
	refs, err := s.entityRefs(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	out := []PublicCommitment{}
	depts := map[int64]string{}
	for _, c := range list {
		if _, ok := depts[c.DepartmentID]; !ok && c.DepartmentID != 0 {
			n, err := s.deptName(ctx, c.DepartmentID)
			if err != nil {
				return nil, 0, err
			}
			depts[c.DepartmentID] = n
		}
		out = append(out, PublicCommitment{ID: c.ID, EntityName: refs[c.EntityID].Name, USCC: refs[c.EntityID].USCC, DepartmentName: depts[c.DepartmentID],
			Kind: c.Kind, Process: c.Process, Text: c.Text, DeadlineOn: c.DeadlineOn, Status: c.Status, SignedOn: calendar.FromTime(c.SignedAt, calendar.Shanghai).String()})
	}
	return out, total, nil
}
