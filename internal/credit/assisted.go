package credit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/filestore"
	"yingshang/internal/notify"
	"yingshang/internal/scope"
	"yingshang/internal/yserr"
)

// Assisted repair (帮办/代办, issue 18 item 6): a service point (a hall
// window, a street office, a market, a bank branch: a department or unit
// registered as such) prepares a repair application on an enterprise's
// behalf with the enterprise's signed authorisation; the enterprise sees it
// on its home card and confirms it (signing the repair commitment) or
// rejects it. Only a confirmed application goes to review, and its history
// says "代办 by <point>".

// Service point kinds.
var PointKinds = []string{"hall", "street", "market", "bank"}

// PointKindLabel names a service point kind in the language.
func PointKindLabel(k, lang string) string {
	return pick(pointKindLabels, k, lang)
}

// Assisted application statuses.
const (
	AssistedPending   = "pending"   // 待企业确认
	AssistedConfirmed = "confirmed" // 企业已确认（已提交审核）
	AssistedRejected  = "rejected"  // 企业不同意
)

// AssistedLabel names an assisted application status in the language.
func AssistedLabel(st, lang string) string {
	return pick(assistedLabels, st, lang)
}

// ServicePoint is a department or unit that may apply on an enterprise's behalf.
type ServicePoint struct {
	DepartmentID int64  `json:"department_id"`
	Kind         string `json:"kind" enum:"hall,street,market,bank"`
	Label        string `json:"label"`
	Active       bool   `json:"active"`
}

// MaxPointLabel is the longest service point label.
const MaxPointLabel = 50

// SetServicePoint registers (or changes, or with Active false disables) a
// service point: the credit office or platform admins.
func (s *Service) SetServicePoint(ctx context.Context, p ServicePoint) (*ServicePoint, error) {
	if _, err := s.office(ctx); err != nil {
		return nil, err
	}
	p.Label = strings.TrimSpace(p.Label)
	var v yserr.Validation
	if !slices.Contains(PointKinds, p.Kind) {
		v.Add("kind", "请选择服务点类型（大厅窗口、街道、市场、银行）", "choose the kind: hall, street, market or bank")
	}
	if n := len([]rune(p.Label)); n > MaxPointLabel {
		v.Add("label", fmt.Sprintf("名称过长（最多 %d 字，现 %d 字）", MaxPointLabel, n), fmt.Sprintf("the label is too long (at most %d characters, %d given)", MaxPointLabel, n))
	}
	var name string
	var err error
	if p.DepartmentID == 0 {
		v.Add("department_id", "请选择服务点所在部门或单位", "choose the department or unit of the service point")
	} else if name, err = s.deptName(ctx, p.DepartmentID); err != nil {
		v.AddErr("department_id", err)
	}
	if p.Label == "" {
		p.Label = name
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_service_points SET kind = $1, label = $2, active = $3 WHERE department_id = $4", p.Kind, p.Label, p.Active, p.DepartmentID)
		if err != nil {
			return err
		}
		if n == 0 {
			if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO credit_service_points (department_id, kind, label, active, created_at) VALUES ($1, $2, $3, $4, $5)",
				p.DepartmentID, p.Kind, p.Label, p.Active, s.now()); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "credit.service_point_set", "credit_service_point", strconv.FormatInt(p.DepartmentID, 10), nil, p, "")
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// ServicePoints lists the registered service points (any signed-in staff).
func (s *Service) ServicePoints(ctx context.Context) ([]ServicePoint, error) {
	if _, _, err := reader(ctx); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT department_id, kind, label, active FROM credit_service_points ORDER BY department_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ServicePoint{}
	for rows.Next() {
		var p ServicePoint
		if err := rows.Scan(&p.DepartmentID, &p.Kind, &p.Label, &p.Active); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// point returns the active service point the actor works at.
func (s *Service) point(ctx context.Context) (*auth.Actor, *ServicePoint, error) {
	a, err := auth.Require(ctx, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, nil, err
	}
	var p ServicePoint
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT department_id, kind, label, active FROM credit_service_points WHERE department_id = $1 AND active = TRUE", a.DepartmentID).
		Scan(&p.DepartmentID, &p.Kind, &p.Label, &p.Active)
	if db.IsNoRows(err) {
		return nil, nil, yserr.New(yserr.Forbidden, "本部门不是登记的帮办代办服务点", "your department is not a registered service point")
	}
	return a, &p, err
}

// AssistedInput is an application a service point prepares.
type AssistedInput struct {
	RecordID  int64  `json:"record_id"`
	Statement string `json:"statement"`
	// Authorisation is the enterprise's signed authorisation (PDF, PNG or
	// JPEG, checked by content).
	Authorisation *Upload `json:"-"`
}

// Assisted is an application prepared by a service point.
type Assisted struct {
	ID         int64      `json:"id"`
	RecordID   int64      `json:"record_id"`
	EntityID   int64      `json:"entity_id"`
	EntityName string     `json:"entity_name"`
	DecisionNo string     `json:"decision_no"`
	PointID    int64      `json:"point_id"`
	PointLabel string     `json:"point_label"`
	Statement  string     `json:"statement"`
	AuthName   string     `json:"authorisation_name"`
	AuthType   string     `json:"authorisation_type"`
	AuthSHA256 string     `json:"authorisation_sha256"`
	Status     string     `json:"status" enum:"pending,confirmed,rejected"`
	AnswerNote string     `json:"answer_note,omitempty"`
	RepairID   int64      `json:"repair_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// ApplyAssisted prepares an application on an enterprise's behalf: staff of
// a registered service point, for a record that may be repaired now, with
// the signed authorisation. The enterprise is told and must confirm.
func (s *Service) ApplyAssisted(ctx context.Context, in AssistedInput) (*Assisted, error) {
	a, p, err := s.point(ctx)
	if err != nil {
		return nil, err
	}
	sys := auth.WithActor(ctx, auth.System("credit.assisted"))
	r, err := s.Get(sys, in.RecordID)
	if err != nil {
		return nil, yserr.Field("record_id", "找不到该信用记录", "no such credit record")
	}
	el, err := s.eligibility(ctx, r)
	if err != nil {
		return nil, err
	}
	var v yserr.Validation
	switch {
	case !el.Conditions[0].Met:
		v.Add("record_id", "该记录已"+StatusLabel(r.Status, "zh")+"，无须修复", "the record is "+StatusLabel(r.Status, "en")+": nothing to repair")
	case el.OpenRepair != 0:
		v.Add("record_id", "该记录已有正在审核的修复申请", "an application for this record is under review")
	case !el.Conditions[1].Met:
		v.Add("record_id", "最短公示期未满，最早可于 "+el.EarliestOn+" 申请信用修复", "the minimum publicity period has not passed: apply from "+el.EarliestOn)
	}
	var pending int64
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM credit_assisted WHERE record_id = $1 AND status = 'pending'", in.RecordID).Scan(&pending); err != nil {
		return nil, err
	}
	if pending > 0 {
		v.Add("record_id", "该记录已有待企业确认的代办申请", "an assisted application for this record awaits the enterprise")
	}
	in.Statement = strings.TrimSpace(in.Statement)
	if in.Statement == "" {
		v.Add("statement", "请填写修复申请说明", "the statement is required")
	}
	if in.Authorisation == nil || len(in.Authorisation.Data) == 0 {
		v.Add("authorisation", "请上传企业签章的授权委托书（PDF 或图片）", "upload the enterprise's signed authorisation (PDF or image)")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	up, err := s.Files.Check(in.Authorisation.Name, in.Authorisation.ContentType, bytes.NewReader(in.Authorisation.Data),
		filestore.Options{MaxBytes: s.maxUpload(), Allowed: allowedTypes, Encrypt: true, Field: "authorisation"})
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		sf, err := s.Files.Save(ctx, FileOwner, up)
		if err != nil {
			return err
		}
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO credit_assisted (record_id, entity_id, point_id, statement, auth_file_id, auth_name, auth_type, auth_sha256, auth_size,
			status, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11) RETURNING id`,
			r.ID, r.EntityID, p.DepartmentID, in.Statement, sf.ID, sf.Name, sf.MediaType, sf.SHA256, sf.Size, actorID(a), s.now()).Scan(&id); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "credit.assisted_apply", "credit_assisted", strconv.FormatInt(id, 10), nil,
			map[string]any{"record_id": r.ID, "point": p.Label, "statement": in.Statement, "authorisation": sf.SHA256}, ""); err != nil {
			return err
		}
		to, err := s.entityUsers(ctx, r.EntityID)
		if err != nil || len(to) == 0 {
			return err
		}
		_, err = s.Notify.Send(ctx, notify.Message{Type: TypeAssistedConfirm, To: to, Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
			ObjectType: "credit_assisted", ObjectID: strconv.FormatInt(id, 10), Link: assistedLink(id),
			Data: map[string]any{"entity": r.EntityName, "decision_no": r.Content.DecisionNo, "point": p.Label}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.GetAssisted(ctx, id)
}

const assistedCols = `a.id, a.record_id, a.entity_id, a.point_id, COALESCE(sp.label, ''), a.statement, a.auth_name, a.auth_type, a.auth_sha256,
	a.status, a.answer_note, COALESCE(a.repair_id, 0), a.created_at, a.answered_at, v.content`

const assistedFrom = ` FROM credit_assisted a LEFT JOIN credit_service_points sp ON sp.department_id = a.point_id
	JOIN credit_records r ON r.id = a.record_id JOIN credit_record_versions v ON v.record_id = r.id AND v.version = r.current_version`

func scanAssisted(row db.Row) (*Assisted, error) {
	var x Assisted
	var content string
	if err := row.Scan(&x.ID, &x.RecordID, &x.EntityID, &x.PointID, &x.PointLabel, &x.Statement, &x.AuthName, &x.AuthType, &x.AuthSHA256,
		&x.Status, &x.AnswerNote, &x.RepairID, &x.CreatedAt, &x.AnsweredAt, &content); err != nil {
		return nil, err
	}
	c, err := parseContent(content)
	x.DecisionNo = c.DecisionNo
	return &x, err
}

// GetAssisted returns an assisted application: to its enterprise, the
// service point's staff, the deciding department, supervisors and admins.
func (s *Service) GetAssisted(ctx context.Context, id int64) (*Assisted, error) {
	a, only, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	x, err := scanAssisted(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+assistedCols+assistedFrom+" WHERE a.id = $1", id))
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("代办申请", "assisted application")
	}
	if err != nil {
		return nil, err
	}
	var dept int64
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT department_id FROM credit_records WHERE id = $1", x.RecordID).Scan(&dept); err != nil {
		return nil, err
	}
	staffOnly := a.Has(auth.DeptAdmin, auth.DeptStaff) && !a.Has(auth.PlatformAdmin, auth.Supervisor)
	if only != 0 && x.EntityID != only || only == 0 && staffOnly && !a.InScope(x.PointID) && !a.InScope(dept) {
		return nil, yserr.ErrNotFound("代办申请", "assisted application")
	}
	list := []*Assisted{x}
	return x, s.nameAssisted(ctx, list)
}

func (s *Service) nameAssisted(ctx context.Context, list []*Assisted) error {
	ids := make([]int64, len(list))
	for i, x := range list {
		ids[i] = x.EntityID
	}
	refs, err := s.entityRefs(ctx, ids)
	if err != nil {
		return err
	}
	for _, x := range list {
		x.EntityName = refs[x.EntityID].Name
	}
	return nil
}

// AssistedList lists assisted applications, newest first: an enterprise
// its own, a service point's staff its own point's, admins and supervisors
// all. status "" lists every status.
func (s *Service) AssistedList(ctx context.Context, status string) ([]Assisted, error) {
	a, _, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := scope.Where(a, scope.Columns{Dept: "a.point_id", Entity: "a.entity_id"}, nil)
	q := "SELECT " + assistedCols + assistedFrom + " WHERE " + cond
	if status != "" {
		args = append(args, status)
		q += fmt.Sprintf(" AND a.status = $%d", len(args))
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+" ORDER BY a.id DESC LIMIT 200", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var page []*Assisted
	for rows.Next() {
		x, err := scanAssisted(rows)
		if err != nil {
			return nil, err
		}
		page = append(page, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.nameAssisted(ctx, page); err != nil {
		return nil, err
	}
	out := make([]Assisted, len(page))
	for i, x := range page {
		out[i] = *x
	}
	return out, nil
}

// AnswerInput is the enterprise's answer to an assisted application.
type AnswerInput struct {
	Confirm        bool   `json:"confirm" doc:"true confirms (the application goes to review), false refuses"`
	SignCommitment bool   `json:"sign_commitment" doc:"required to confirm: the enterprise signs the credit commitment (RepairCommitment)"`
	Note           string `json:"note,omitempty" doc:"required to refuse"`
}

// AnswerAssisted is the enterprise's confirmation or refusal. Confirming
// signs the repair commitment and files the repair application (with the
// authorisation among its files), which then goes to review; refusing
// closes it with the enterprise's note.
func (s *Service) AnswerAssisted(ctx context.Context, id int64, in AnswerInput) (*Assisted, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	x, err := s.GetAssisted(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.EntityID == 0 || x.EntityID != a.EntityID {
		return nil, yserr.ErrNotFound("代办申请", "assisted application")
	}
	if x.Status != AssistedPending {
		return nil, yserr.New(yserr.Conflict, "该代办申请已"+AssistedLabel(x.Status, "zh"), "the assisted application is already "+AssistedLabel(x.Status, "en"))
	}
	in.Note = strings.TrimSpace(in.Note)
	switch {
	case in.Confirm && !in.SignCommitment:
		return nil, yserr.Field("sign_commitment", "确认代办申请须签署信用修复承诺书", "sign the credit commitment to confirm")
	case !in.Confirm && in.Note == "":
		return nil, yserr.Field("note", "请说明不同意的理由", "say why you refuse")
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		now := s.now()
		if !in.Confirm {
			n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_assisted SET status = 'rejected', answer_note = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND status = 'pending'",
				in.Note, actorID(a), now, id)
			if err != nil {
				return err
			}
			if n == 0 {
				return yserr.New(yserr.Conflict, "该代办申请已处理", "the assisted application was already answered")
			}
			return s.Audit.Record(ctx, "credit.assisted_rejected", "credit_assisted", strconv.FormatInt(id, 10), AssistedPending, AssistedRejected, in.Note)
		}
		r, err := s.recordByID(ctx, x.RecordID)
		if err != nil {
			return err
		}
		el, err := s.eligibility(ctx, r)
		if err != nil {
			return err
		}
		if !el.Eligible {
			return yserr.New(yserr.Conflict, "该记录目前不能申请修复（已修复、期满或已有申请）", "the record cannot be repaired now (repaired, ended or already applied for)")
		}
		rid, err := s.insertRepair(ctx, a, r, ApplyInput{Statement: "【代办 by " + x.PointLabel + "】" + x.Statement, SignCommitment: true})
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO credit_repair_files (repair_id, name, content_type, size, sha256, data, created_at, file_id)
			SELECT $1, auth_name, auth_type, auth_size, auth_sha256, $2, $3, auth_file_id FROM credit_assisted WHERE id = $4`,
			rid, []byte{}, now, id); err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO credit_repair_steps (repair_id, stage, body, started_at, ended_at, outcome, note, actor_id)
			VALUES ($1, 'assisted', $2, $3, $4, 'pass', $5, $6)`, rid, x.PointLabel, x.CreatedAt, now, "代办 by "+x.PointLabel, actorID(a)); err != nil {
			return err
		}
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_assisted SET status = 'confirmed', repair_id = $1, answer_note = $2, answered_by = $3, answered_at = $4 WHERE id = $5 AND status = 'pending'",
			rid, in.Note, actorID(a), now, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return yserr.New(yserr.Conflict, "该代办申请已处理", "the assisted application was already answered")
		}
		return s.Audit.Record(ctx, "credit.assisted_confirmed", "credit_assisted", strconv.FormatInt(id, 10), AssistedPending, AssistedConfirmed, fmt.Sprintf("repair %d", rid))
	})
	if err != nil {
		return nil, err
	}
	return s.GetAssisted(ctx, id)
}

// AssistedFile returns the authorisation of an assisted application to
// those who may see it; the caller closes the reader.
func (s *Service) AssistedFile(ctx context.Context, id int64) (*File, io.ReadCloser, error) {
	x, err := s.GetAssisted(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var fid int64
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT auth_file_id FROM credit_assisted WHERE id = $1", id).Scan(&fid); err != nil {
		return nil, nil, err
	}
	sf, rc, err := s.Files.Open(ctx, FileOwner, fid)
	if err != nil {
		return nil, nil, err
	}
	return &File{ID: fid, Name: x.AuthName, ContentType: x.AuthType, Size: sf.Size, SHA256: x.AuthSHA256}, rc, nil
}

// assistedLink is the enterprise's page of an assisted application.
func assistedLink(id int64) string { return "/credit/assisted/" + strconv.FormatInt(id, 10) }
