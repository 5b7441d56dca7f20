package credit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/filestore"
	"yingshang/internal/notify"
	"yingshang/internal/scope"
	"yingshang/internal/yserr"
)

// Repair application statuses.
const (
	RepairSubmitted = "submitted" // 待审核
	RepairMoreInfo  = "more_info" // 待补充材料 (the clock stops)
	RepairApproved  = "approved"
	RepairRejected  = "rejected"
)

var repairLabels = map[string][2]string{
	RepairSubmitted: {"待审核", "awaiting review"}, RepairMoreInfo: {"待补充材料", "more material requested"},
	RepairApproved: {"已通过", "approved"}, RepairRejected: {"未通过", "rejected"},
}

// RepairLabel names a repair status in the language.
func RepairLabel(st, lang string) string { return pick(repairLabels, st, lang) }

// RepairCommitment is the text of the credit commitment signed with every
// repair application.
const RepairCommitment = "本单位郑重承诺：已纠正失信行为并履行相关义务，所提交的信用修复申请材料真实、准确、完整；今后将严格遵守法律法规，依法诚信经营。如有虚假，自愿承担相应法律责任，并接受将违背承诺的行为记入信用记录。"

// Condition is one repair condition and whether it holds.
type Condition struct {
	Key string `json:"key" enum:"status,period,obligations,commitment"`
	Met bool   `json:"met"`
	ZH  string `json:"zh"`
	EN  string `json:"en"`
}

// Eligibility says whether a record can be repaired now.
type Eligibility struct {
	Eligible   bool        `json:"eligible"`
	EarliestOn string      `json:"earliest_on"`
	Conditions []Condition `json:"conditions"`
	OpenRepair int64       `json:"open_repair,omitempty" doc:"id of an application under review"`
}

// Upload is an attached file.
type Upload struct {
	Name        string
	ContentType string // as the client declared it ("" when not known); the detected type after checkFiles
	Data        []byte

	checked *filestore.Upload // set by checkFiles
}

// ApplyInput is a repair application (or supplement).
type ApplyInput struct {
	Statement      string   `json:"statement"`
	SignCommitment bool     `json:"sign_commitment" doc:"the applicant signs the credit commitment (RepairCommitment)"`
	Files          []Upload `json:"-"`
}

// ReviewInput is the department's decision on an application.
type ReviewInput struct {
	Decision string `json:"decision" enum:"approve,reject,more_info"`
	Reason   string `json:"reason" doc:"required for reject and more_info"`
}

// File is an attachment's metadata.
type File struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// Repair is a repair application.
type Repair struct {
	ID             int64      `json:"id"`
	RecordID       int64      `json:"record_id"`
	EntityID       int64      `json:"entity_id"`
	EntityName     string     `json:"entity_name"`
	DepartmentID   int64      `json:"department_id"`
	DecisionNo     string     `json:"decision_no"`
	Status         string     `json:"status" enum:"submitted,more_info,approved,rejected"`
	Statement      string     `json:"statement"`
	CommitmentID   int64      `json:"commitment_id"`
	ResubmissionOf int64      `json:"resubmission_of,omitempty"`
	DueAt          *time.Time `json:"due_at,omitempty"`
	PausedAt       *time.Time `json:"paused_at,omitempty"`
	RequestNote    string     `json:"request_note,omitempty"`
	Reason         string     `json:"reason,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	Files          []File     `json:"files"`
}

// Overdue reports whether the review deadline passed at t.
func (r Repair) Overdue(t time.Time) bool {
	return r.Status == RepairSubmitted && r.DueAt != nil && t.After(*r.DueAt)
}

// Eligibility checks the repair conditions of a record for its entity.
func (s *Service) Eligibility(ctx context.Context, recordID int64) (*Eligibility, error) {
	r, err := s.Get(ctx, recordID)
	if err != nil {
		return nil, err
	}
	return s.eligibility(ctx, r)
}

func (s *Service) eligibility(ctx context.Context, r *Record) (*Eligibility, error) {
	earliest := r.MinEnd
	if earliest < r.Start {
		earliest = r.Start
	}
	today := s.today().String()
	el := &Eligibility{EarliestOn: earliest}
	active := r.Negative && r.Active() && r.Kind != KindAbnormal
	el.Conditions = append(el.Conditions, Condition{Key: "status", Met: active,
		ZH: "失信信息处于公示（或记录）期内：" + StatusLabel(r.Status, "zh"), EN: "adverse record in force: " + StatusLabel(r.Status, "en")})
	el.Conditions = append(el.Conditions, Condition{Key: "period", Met: earliest != "" && today >= earliest,
		ZH: "最短公示期已满（最早 " + earliest + " 可申请）", EN: "minimum publicity period passed (apply from " + earliest + ")"})
	oblZH, oblEN := "决定部门已确认履行义务", "the department recorded the obligations as performed"
	if !r.ObligationsMet {
		oblZH, oblEN = "尚未确认履行义务：申请时须上传缴款凭证、整改报告等证明", "obligations not yet recorded: upload proof (receipts, correction report) with the application"
	}
	el.Conditions = append(el.Conditions, Condition{Key: "obligations", Met: r.ObligationsMet, ZH: oblZH, EN: oblEN})
	el.Conditions = append(el.Conditions, Condition{Key: "commitment", Met: false, ZH: "申请时在线签署信用修复承诺书", EN: "sign the credit commitment online with the application"})
	var open int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM credit_repairs WHERE record_id = $1 AND status IN ('submitted', 'more_info')", r.ID).Scan(&open)
	if err != nil && !db.IsNoRows(err) {
		return nil, err
	}
	el.OpenRepair = open
	el.Eligible = active && el.Conditions[1].Met && open == 0
	return el, nil
}

// FileOwner names the credit module's files in the shared file store.
const FileOwner = "credit"

// allowedTypes are the attachment types accepted (by content; the name's
// extension must agree).
var allowedTypes = []string{filestore.PDF, filestore.PNG, filestore.JPEG}

// checkFiles validates attachments before anything is stored: at most 5,
// each under the size limit, PDF/PNG/JPEG by content and extension. Repair
// evidence carries personal data (receipts, ID copies), so the store keeps
// it encrypted.
func (s *Service) checkFiles(files []Upload) error {
	if len(files) > 5 {
		return yserr.Field("files", "最多上传 5 个文件", "at most 5 files")
	}
	for i := range files {
		f := &files[i]
		up, err := s.Files.Check(f.Name, f.ContentType, bytes.NewReader(f.Data),
			filestore.Options{MaxBytes: s.maxUpload(), Allowed: allowedTypes, Encrypt: true, Field: "files"})
		if err != nil {
			return err
		}
		f.checked, f.Name, f.ContentType = up, up.Name, up.MediaType
	}
	return nil
}

// Apply files a repair application for a record of the caller's own
// entity: refused before the earliest date (with the date), without the
// signed commitment, without proof when the department has not recorded
// the obligations, or while another application is open. A rejected
// application may be followed by a new one (a resubmission).
func (s *Service) Apply(ctx context.Context, recordID int64, in ApplyInput) (*Repair, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	r, err := s.Get(ctx, recordID)
	if err != nil {
		return nil, err
	}
	if a.EntityID == 0 || r.EntityID != a.EntityID {
		return nil, errRecordNotFound()
	}
	el, err := s.eligibility(ctx, r)
	if err != nil {
		return nil, err
	}
	switch {
	case !el.Conditions[0].Met:
		return nil, yserr.New(yserr.Conflict, "该记录已"+StatusLabel(r.Status, "zh")+"，无须修复", "the record is "+StatusLabel(r.Status, "en")+": nothing to repair")
	case el.OpenRepair != 0:
		return nil, yserr.New(yserr.Conflict, "该记录已有正在审核的修复申请", "an application for this record is under review")
	case !el.Conditions[1].Met:
		return nil, yserr.Field("record", "最短公示期未满，最早可于 "+el.EarliestOn+" 申请信用修复", "the minimum publicity period has not passed: apply from "+el.EarliestOn)
	}
	in.Statement = strings.TrimSpace(in.Statement)
	var v yserr.Validation
	if in.Statement == "" {
		v.Add("statement", "请填写修复申请说明（纠正失信行为、履行义务的情况）", "describe how the misconduct was corrected and the obligations performed")
	}
	if !in.SignCommitment {
		v.Add("sign_commitment", "须签署信用修复承诺书", "the credit commitment must be signed")
	}
	if !r.ObligationsMet && len(in.Files) == 0 {
		v.Add("files", "决定部门尚未确认履行义务，请上传缴款凭证、整改报告等证明材料", "the department has not recorded the obligations as performed: upload proof")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.checkFiles(in.Files); err != nil {
		return nil, err
	}
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		id, err = s.insertRepair(ctx, a, r, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.GetRepair(ctx, id)
}

func (s *Service) insertRepair(ctx context.Context, a *auth.Actor, r *Record, in ApplyInput) (int64, error) {
	now := s.now()
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	due := cal.Deadline(now, s.reviewDays())
	var commitment int64
	if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO credit_commitments (entity_id, department_id, kind, process, text, status, signed_by, signed_at)
		VALUES ($1, $2, 'repair', $3, $4, 'open', $5, $6) RETURNING id`, r.EntityID, r.DepartmentID, "credit_repair:"+strconv.FormatInt(r.ID, 10),
		RepairCommitment, actorID(a), now).Scan(&commitment); err != nil {
		return 0, err
	}
	var prev *int64
	var p int64
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM credit_repairs WHERE record_id = $1 AND status = 'rejected' ORDER BY id DESC LIMIT 1", r.ID).Scan(&p)
	if err == nil {
		prev = &p
	} else if !db.IsNoRows(err) {
		return 0, err
	}
	var id int64
	if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO credit_repairs (record_id, entity_id, department_id, status, statement, commitment_id, resubmission_of,
		due_at, created_by, created_at, updated_at) VALUES ($1, $2, $3, 'submitted', $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		r.ID, r.EntityID, r.DepartmentID, in.Statement, commitment, prev, due, actorID(a), now).Scan(&id); err != nil {
		return 0, err
	}
	if err := s.saveFiles(ctx, id, in.Files); err != nil {
		return 0, err
	}
	if err := s.openStage(ctx, id, r, due); err != nil {
		return 0, err
	}
	if err := s.Audit.Record(ctx, "credit.repair_apply", "credit_repair", strconv.FormatInt(id, 10), nil,
		map[string]any{"record_id": r.ID, "statement": in.Statement, "files": len(in.Files), "commitment_id": commitment, "resubmission_of": prev}, ""); err != nil {
		return 0, err
	}
	return id, s.tellDepartment(ctx, r, due)
}

func (s *Service) saveFiles(ctx context.Context, repairID int64, files []Upload) error {
	for _, f := range files {
		if f.checked == nil {
			return fmt.Errorf("credit: file %s was not checked", f.Name)
		}
		sf, err := s.Files.Save(ctx, FileOwner, f.checked)
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO credit_repair_files (repair_id, name, content_type, size, sha256, data, created_at, file_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, repairID, sf.Name, sf.MediaType, sf.Size, sf.SHA256, []byte{}, s.now(), sf.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) tellDepartment(ctx context.Context, r *Record, due time.Time) error {
	to, err := s.deptUsers(ctx, r.DepartmentID)
	if err != nil || len(to) == 0 {
		return err
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: TypeRepairDue, To: to, Channels: []string{notify.ChannelInApp},
		ObjectType: "credit_record", ObjectID: strconv.FormatInt(r.ID, 10), Link: recordLink(r.ID),
		Data: map[string]any{"entity": r.EntityName, "decision_no": r.Content.DecisionNo, "due": due.In(cst).Format("2006-01-02 15:04")}})
	return err
}

// Supplement answers a request for more material: the application goes
// back to review and the deadline resumes with the working days that were
// left when the clock stopped.
func (s *Service) Supplement(ctx context.Context, repairID int64, in ApplyInput) (*Repair, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	rp, err := s.GetRepair(ctx, repairID)
	if err != nil {
		return nil, err
	}
	if rp.EntityID != a.EntityID {
		return nil, yserr.ErrNotFound("修复申请", "repair application")
	}
	if rp.Status != RepairMoreInfo {
		return nil, yserr.New(yserr.Conflict, "该申请不需要补充材料", "no material was requested for this application")
	}
	in.Statement = strings.TrimSpace(in.Statement)
	if in.Statement == "" && len(in.Files) == 0 {
		return nil, yserr.Field("statement", "请填写补充说明或上传材料", "add a statement or files")
	}
	if err := s.checkFiles(in.Files); err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		cal, err := s.Calendar.Calendar(ctx)
		if err != nil {
			return err
		}
		left := 1
		if rp.DueAt != nil && rp.PausedAt != nil {
			left = max(cal.WorkdaysBetween(calendar.FromTime(*rp.PausedAt, calendar.Shanghai), calendar.FromTime(*rp.DueAt, calendar.Shanghai)), 1)
		}
		due := cal.Deadline(s.now(), left)
		stmt := rp.Statement
		if in.Statement != "" {
			stmt += "\n\n【补充 Supplement " + s.today().String() + "】" + in.Statement
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE credit_repairs SET status = 'submitted', statement = $1, due_at = $2, paused_at = NULL, warned = FALSE, updated_at = $3
			WHERE id = $4 AND status = 'more_info'`, stmt, due, s.now(), repairID); err != nil {
			return err
		}
		if err := s.saveFiles(ctx, repairID, in.Files); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "credit.repair_supplement", "credit_repair", strconv.FormatInt(repairID, 10), nil,
			map[string]any{"statement": in.Statement, "files": len(in.Files), "due_at": due}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.GetRepair(ctx, repairID)
}

// Review decides an application (the deciding department, or platform
// admin): approve ends the record's publicity (repaired), excludes it from
// checks, public pages and reports, recomputes the grade and tells the
// webhooks; reject and more_info need a reason; more_info stops the clock.
func (s *Service) Review(ctx context.Context, repairID int64, in ReviewInput) (*Repair, error) {
	rp, err := s.GetRepair(ctx, repairID)
	if err != nil {
		return nil, err
	}
	if _, err := staff(ctx, rp.DepartmentID); err != nil {
		return nil, err
	}
	r, err := s.Get(ctx, rp.RecordID)
	if err != nil {
		return nil, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	switch {
	case r.Status == StatusRepaired:
		return nil, yserr.New(yserr.Conflict, "该记录已修复，不能再审核", "the record was already repaired")
	case rp.Status != RepairSubmitted && rp.Status != RepairMoreInfo:
		return nil, yserr.New(yserr.Conflict, "该申请已"+RepairLabel(rp.Status, "zh"), "the application was already "+RepairLabel(rp.Status, "en"))
	case in.Decision != "approve" && in.Decision != "reject" && in.Decision != "more_info":
		return nil, yserr.Field("decision", "请选择通过、不通过或补充材料", "choose approve, reject or more_info")
	case in.Decision != "approve" && in.Reason == "":
		return nil, yserr.Field("reason", "请填写理由", "give the reason")
	}
	if st, err := s.stage(ctx, repairID); err != nil {
		return nil, err
	} else if st == StageFirstReview || st == StageExternal {
		return nil, yserr.New(yserr.Conflict, "该申请处于"+StageLabel(st, "zh")+"阶段，决定部门暂不能审核", "the application is at the "+StageLabel(st, "en")+" stage: the department cannot decide yet")
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		switch in.Decision {
		case "approve":
			return s.approve(ctx, rp, r, in.Reason)
		case "reject":
			return s.close(ctx, rp, r, RepairRejected, in.Reason)
		default:
			return s.requestMore(ctx, rp, r, in.Reason)
		}
	})
	if err != nil {
		return nil, err
	}
	return s.GetRepair(ctx, repairID)
}

func (s *Service) approve(ctx context.Context, rp *Repair, r *Record, reason string) error {
	now := s.now()
	n, err := s.DB.Q(ctx).Exec(ctx, `UPDATE credit_records SET status = 'repaired', ended_at = $1, updated_at = $1
		WHERE id = $2 AND status IN ('published', 'unpublished')`, now, r.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		return yserr.New(yserr.Conflict, "该记录已不在公示期，不能修复", "the record is no longer in force")
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_commitments SET status = 'fulfilled', resolved_at = $1 WHERE id = $2", now, rp.CommitmentID); err != nil {
		return err
	}
	if err := s.close(ctx, rp, r, RepairApproved, reason); err != nil {
		return err
	}
	if err := s.event(ctx, TypeRecordRepaired, r.ID); err != nil {
		return err
	}
	_, err = s.recompute(ctx, r.EntityID, "repair of record "+strconv.FormatInt(r.ID, 10))
	return err
}

func (s *Service) close(ctx context.Context, rp *Repair, r *Record, status, reason string) error {
	a := auth.From(ctx)
	now := s.now()
	if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE credit_repairs SET status = $1, reason = $2, decided_by = $3, decided_at = $4, paused_at = NULL, updated_at = $4 WHERE id = $5`,
		status, reason, actorID(a), now, rp.ID); err != nil {
		return err
	}
	if status == RepairRejected {
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_commitments SET status = 'fulfilled', resolved_at = $1 WHERE id = $2", now, rp.CommitmentID); err != nil {
			return err
		}
	}
	if err := s.endSteps(ctx, rp.ID, status, reason); err != nil {
		return err
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_repairs SET stage = 'done' WHERE id = $1", rp.ID); err != nil {
		return err
	}
	if err := s.Audit.Record(ctx, "credit.repair_"+status, "credit_repair", strconv.FormatInt(rp.ID, 10), rp.Status, status, reason); err != nil {
		return err
	}
	return s.tellEntity(ctx, r, status, reason)
}

func (s *Service) requestMore(ctx context.Context, rp *Repair, r *Record, note string) error {
	if rp.Status == RepairMoreInfo {
		return yserr.New(yserr.Conflict, "已在等待企业补充材料", "more material was already requested")
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_repairs SET status = 'more_info', request_note = $1, paused_at = $2, updated_at = $2 WHERE id = $3",
		note, s.now(), rp.ID); err != nil {
		return err
	}
	if err := s.Audit.Record(ctx, "credit.repair_more_info", "credit_repair", strconv.FormatInt(rp.ID, 10), rp.Status, RepairMoreInfo, note); err != nil {
		return err
	}
	return s.tellEntity(ctx, r, RepairMoreInfo, note)
}

func (s *Service) tellEntity(ctx context.Context, r *Record, status, reason string) error {
	to, err := s.entityUsers(ctx, r.EntityID)
	if err != nil || len(to) == 0 {
		return err
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: TypeRepairResult, To: to, Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
		ObjectType: "credit_record", ObjectID: strconv.FormatInt(r.ID, 10), Link: recordLink(r.ID),
		Data: map[string]any{"entity": r.EntityName, "decision_no": r.Content.DecisionNo, "result_zh": RepairLabel(status, "zh"),
			"result_en": RepairLabel(status, "en"), "reason": reason}})
	return err
}

const repairCols = `p.id, p.record_id, p.entity_id, p.department_id, v.content, p.status, p.statement, p.commitment_id,
	COALESCE(p.resubmission_of, 0), p.due_at, p.paused_at, p.request_note, p.reason, p.decided_at, p.created_at`

// repairFrom reads credit's own tables only; entity names come from the
// registry (nameRepairs).
const repairFrom = ` FROM credit_repairs p JOIN credit_records r ON r.id = p.record_id
	JOIN credit_record_versions v ON v.record_id = r.id AND v.version = r.current_version`

func scanRepair(row db.Row) (*Repair, error) {
	var p Repair
	var content string
	if err := row.Scan(&p.ID, &p.RecordID, &p.EntityID, &p.DepartmentID, &content, &p.Status, &p.Statement, &p.CommitmentID,
		&p.ResubmissionOf, &p.DueAt, &p.PausedAt, &p.RequestNote, &p.Reason, &p.DecidedAt, &p.CreatedAt); err != nil {
		return nil, err
	}
	c, err := parseContent(content)
	p.DecisionNo = c.DecisionNo
	p.Files = []File{}
	return &p, err
}

// GetRepair returns an application with its file list: to the entity,
// the deciding department's staff, supervisors and platform admins.
func (s *Service) GetRepair(ctx context.Context, id int64) (*Repair, error) {
	a, only, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.repairByID(ctx, id)
	notFound := db.IsNoRows(err) || err == nil && (only != 0 && p.EntityID != only ||
		only == 0 && a.Has(auth.DeptAdmin, auth.DeptStaff) && !a.Has(auth.PlatformAdmin, auth.Supervisor) && !a.InScope(p.DepartmentID))
	if notFound {
		return nil, yserr.ErrNotFound("修复申请", "repair application")
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, name, content_type, size, sha256 FROM credit_repair_files WHERE repair_id = $1 ORDER BY id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f File
		if err := rows.Scan(&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256); err != nil {
			return nil, err
		}
		p.Files = append(p.Files, f)
	}
	return p, rows.Err()
}

// RepairFile returns an attachment and a reader of its content, to those
// who may see the application; the caller closes the reader.
func (s *Service) RepairFile(ctx context.Context, repairID, fileID int64) (*File, io.ReadCloser, error) {
	if _, err := s.GetRepair(ctx, repairID); err != nil {
		return nil, nil, err
	}
	var f File
	var stored *int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id, name, content_type, size, sha256, file_id FROM credit_repair_files WHERE id = $1 AND repair_id = $2", fileID, repairID).
		Scan(&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &stored)
	if db.IsNoRows(err) {
		return nil, nil, yserr.ErrNotFound("文件", "file")
	}
	if err != nil {
		return nil, nil, err
	}
	if stored == nil {
		return nil, nil, yserr.New(yserr.Unavailable, "文件 "+f.Name+" 尚未迁入文件库", "the file "+f.Name+" has not been moved into the file store yet")
	}
	_, rc, err := s.Files.Open(ctx, FileOwner, *stored)
	if err != nil {
		return nil, nil, err
	}
	return &f, rc, nil
}

// MoveFilesToStore moves repair files kept in credit_repair_files.data
// (before the file store) into the store, encrypted, records the file and
// empties the old column, one file per transaction. It runs at start-up
// and is idempotent. The content must match the recorded SHA-256, so
// receipts still verify; a row that does not is left as it is and
// reported. It returns the number moved.
func (s *Service) MoveFilesToStore(ctx context.Context) (int, error) {
	var ids []int64
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id FROM credit_repair_files WHERE file_id IS NULL ORDER BY id")
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return s.Files.MoveKept(ctx, FileOwner, "credit repair file", ids,
		func(ctx context.Context, id int64) (*filestore.Kept, string, error) {
			var k filestore.Kept
			err := s.DB.W(ctx).QueryRow(ctx, "SELECT name, content_type, sha256, data FROM credit_repair_files WHERE id = $1 AND file_id IS NULL", id).
				Scan(&k.Name, &k.Type, &k.SHA256, &k.Data)
			if db.IsNoRows(err) {
				return nil, "", nil // moved meanwhile by another instance
			}
			return &k, "", err
		},
		func(ctx context.Context, id, fileID int64) error {
			_, err := s.DB.W(ctx).Exec(ctx, "UPDATE credit_repair_files SET file_id = $1, data = $2 WHERE id = $3", fileID, []byte{}, id)
			return err
		})
}

// RepairFilter selects applications.
type RepairFilter struct {
	Status   string `query:"status" enum:",submitted,more_info,approved,rejected"`
	RecordID int64  `query:"record_id"`
}

// Repairs lists applications, newest first: an enterprise its own, staff
// their departments', supervisors and platform admins all.
func (s *Service) Repairs(ctx context.Context, f RepairFilter) ([]Repair, error) {
	return s.repairs(ctx, f, " ORDER BY p.id DESC LIMIT 500")
}

// RepairsDue lists the applications of the caller's scope in status,
// oldest review deadline first (for the home page), at most limit.
func (s *Service) RepairsDue(ctx context.Context, status string, limit int) ([]Repair, error) {
	if limit < 1 || limit > 100 {
		limit = 10
	}
	return s.repairs(ctx, RepairFilter{Status: status}, " ORDER BY p.due_at IS NULL, p.due_at, p.id LIMIT "+strconv.Itoa(limit))
}

func (s *Service) repairs(ctx context.Context, f RepairFilter, order string) ([]Repair, error) {
	a, _, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := scope.Where(a, scope.Columns{Dept: "p.department_id", Entity: "p.entity_id"}, nil)
	where := []string{cond}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Status != "" {
		add("p.status = $%d", f.Status)
	}
	if f.RecordID != 0 {
		add("p.record_id = $%d", f.RecordID)
	}
	q := "SELECT " + repairCols + repairFrom + " WHERE " + strings.Join(where, " AND ")
	rows, err := s.DB.Q(ctx).Query(ctx, q+order, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var page []*Repair
	for rows.Next() {
		p, err := scanRepair(rows)
		if err != nil {
			return nil, err
		}
		page = append(page, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := s.nameRepairs(ctx, page); err != nil {
		return nil, err
	}
	out := make([]Repair, len(page))
	for i, p := range page {
		out[i] = *p
	}
	return out, nil
}

// WarnDue tells the department's staff about applications whose review
// deadline ends within one working day (once per application). It returns
// how many were warned.
func (s *Service) WarnDue(ctx context.Context) (int, error) {
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	soon := cal.Deadline(s.now(), 1)
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id FROM credit_repairs WHERE status = 'submitted' AND stage = '' AND warned = FALSE AND due_at <= $1", soon)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		err := s.DB.WithTx(ctx, func(ctx context.Context) error {
			p, err := s.repairByID(ctx, id)
			if err != nil {
				return err
			}
			if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_repairs SET warned = TRUE WHERE id = $1", id); err != nil {
				return err
			}
			r := &Record{ID: p.RecordID, EntityName: p.EntityName, DepartmentID: p.DepartmentID, Content: Content{DecisionNo: p.DecisionNo}}
			if err := s.tellDepartment(ctx, r, *p.DueAt); err != nil {
				return err
			}
			return s.Audit.Record(ctx, "credit.repair_warn", "credit_repair", strconv.FormatInt(id, 10), nil, p.DueAt, "")
		})
		if err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// recordLink is the page of a credit record, the item its messages link to.
func recordLink(id int64) string { return "/credit/records/" + strconv.FormatInt(id, 10) }
