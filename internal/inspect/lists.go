package inspect

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// 一单两库: the check-item list and the inspector directory of each
// department. The target directory is a plan's filter over the registry.

// Item is one check item (抽查事项).
type Item struct {
	ID           int64    `json:"id"`
	DepartmentID int64    `json:"department_id"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	LegalBasis   string   `json:"legal_basis"`
	Method       string   `json:"method" enum:"onsite,documents,sampling,online"`
	EntityTypes  []string `json:"entity_types" doc:"entity types it applies to (empty: all)"`
	Industries   []string `json:"industries" doc:"GB/T 4754 industry code prefixes it applies to (empty: all)"`
	RiskLevel    string   `json:"risk_level" enum:"low,medium,high"`
	FirstOffence bool     `json:"first_offence" doc:"on the 首违不罚 list: a first minor violation corrected in time is not penalised"`
}

// Methods and risk levels.
var (
	Methods    = []string{"onsite", "documents", "sampling", "online"}
	RiskLevels = []string{"low", "medium", "high"}
	codeRe     = regexp.MustCompile(`^[A-Za-z0-9-]{2,32}$`)
	certRe     = regexp.MustCompile(`^[A-Za-z0-9-]{6,32}$`)
	regionRe   = regexp.MustCompile(`^\d{2,6}$`)
)

// Validate checks an item; every bad field is reported.
func (it *Item) Validate() error {
	var v yserr.Validation
	it.Code, it.Name = strings.TrimSpace(it.Code), strings.TrimSpace(it.Name)
	it.LegalBasis = strings.TrimSpace(it.LegalBasis)
	if !codeRe.MatchString(it.Code) {
		v.Add("code", "事项编码须为 2-32 位字母、数字或连字符", "the item code must be 2-32 letters, digits or hyphens")
	}
	if it.Name == "" {
		v.Add("name", "请填写检查事项名称", "enter the item's name")
	}
	if it.LegalBasis == "" {
		v.Add("legal_basis", "请填写检查依据", "enter the legal basis")
	}
	if !slices.Contains(Methods, it.Method) {
		v.Add("method", "检查方式应为现场检查、书面检查、抽样检测或网络监测", "the method must be onsite, documents, sampling or online")
	}
	if !slices.Contains(RiskLevels, it.RiskLevel) {
		v.Add("risk_level", "风险等级应为低、中、高", "the risk level must be low, medium or high")
	}
	for _, p := range it.Industries {
		if !industryRe.MatchString(p) {
			v.Add("industries", "行业代码前缀格式不正确："+p, "bad industry code prefix: "+p)
			break
		}
	}
	return v.Err()
}

var industryRe = regexp.MustCompile(`^[A-T](\d{0,4})$`)

// SaveItem adds an item to the department admin's department list (a
// platform admin names the department).
func (s *Service) SaveItem(ctx context.Context, it Item) (*Item, error) {
	a, err := deptAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsSystem() && !a.Has(auth.PlatformAdmin) || it.DepartmentID == 0 {
		it.DepartmentID = a.DepartmentID
	}
	if it.DepartmentID == 0 {
		return nil, yserr.Field("department_id", "请选择部门", "choose a department")
	}
	if err := it.Validate(); err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO inspect_items (department_id, code, name, legal_basis, method, entity_types, industries, risk_level, first_offence, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id`, it.DepartmentID, it.Code, it.Name, it.LegalBasis, it.Method,
			joinList(it.EntityTypes), joinList(it.Industries), it.RiskLevel, it.FirstOffence, s.now()).Scan(&it.ID)
		if db.IsUnique(err) {
			return yserr.Field("code", "本部门已有该事项编码", "the department already has an item with this code")
		}
		if err != nil {
			return err
		}
		return s.Audit.Record(ctx, "inspect.item.create", "inspect_item", idText(it.ID), nil, it, "")
	})
	if err != nil {
		return nil, err
	}
	return &it, nil
}

const itemCols = "id, department_id, code, name, legal_basis, method, entity_types, industries, risk_level, first_offence"

func scanItem(r db.Row) (*Item, error) {
	var it Item
	var types, inds string
	if err := r.Scan(&it.ID, &it.DepartmentID, &it.Code, &it.Name, &it.LegalBasis, &it.Method, &types, &inds, &it.RiskLevel, &it.FirstOffence); err != nil {
		return nil, err
	}
	it.EntityTypes, it.Industries = splitList(types), splitList(inds)
	return &it, nil
}

// Items lists the active items of the departments (every staff member
// reads every department's list: plans combine them).
func (s *Service) Items(ctx context.Context, depts ...int64) ([]Item, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return nil, err
	}
	args := s.DB.Dialect.Args()
	where := "active"
	if len(depts) > 0 {
		where += " AND department_id IN " + args.In(db.InValues(depts)...)
	}
	return s.itemsWhere(ctx, where, args.List()...)
}

func (s *Service) itemsWhere(ctx context.Context, where string, args ...any) ([]Item, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+itemCols+" FROM inspect_items WHERE "+where+" ORDER BY department_id, code", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Item{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *it)
	}
	return out, rows.Err()
}

// Inspector is one enforcement officer of the directory (执法检查人员库).
type Inspector struct {
	ID           int64    `json:"id"`
	DepartmentID int64    `json:"department_id"`
	Name         string   `json:"name"`
	CertNo       string   `json:"cert_no" doc:"enforcement certificate number (执法证号)"`
	Status       string   `json:"status" enum:"active,suspended,retired"`
	Specialties  []string `json:"specialties"`
	Region       string   `json:"region_code" doc:"GB/T 2260 region code of the area the inspector covers"`
	Relations    []string `json:"relations" doc:"credit codes of enterprises the inspector declared a relation to (回避)"`
	Username     string   `json:"username,omitempty" doc:"the account the inspector signs in with (phone flow)"`
	UserID       int64    `json:"user_id,omitempty"`
}

// Inspector statuses.
var InspectorStatuses = []string{"active", "suspended", "retired"}

// Validate checks an inspector; every bad field is reported.
func (in *Inspector) Validate() error {
	var v yserr.Validation
	in.Name, in.CertNo, in.Region = strings.TrimSpace(in.Name), strings.ToUpper(strings.TrimSpace(in.CertNo)), strings.TrimSpace(in.Region)
	if in.Name == "" {
		v.Add("name", "请填写姓名", "enter the name")
	}
	if !certRe.MatchString(in.CertNo) {
		v.Add("cert_no", "执法证号须为 6-32 位字母、数字或连字符", "the certificate number must be 6-32 letters, digits or hyphens")
	}
	if in.Status == "" {
		in.Status = "active"
	}
	if !slices.Contains(InspectorStatuses, in.Status) {
		v.Add("status", "状态应为在岗、暂停或退出", "the status must be active, suspended or retired")
	}
	if !regionRe.MatchString(in.Region) {
		v.Add("region_code", "行政区划代码须为 2-6 位数字", "the region code must be 2-6 digits")
	}
	for i, r := range in.Relations {
		in.Relations[i] = strings.ToUpper(strings.TrimSpace(r))
	}
	return v.Err()
}

// SaveInspector adds an inspector to the department admin's directory, or
// updates the one with the same certificate number in that department
// (the directory is synced by import).
func (s *Service) SaveInspector(ctx context.Context, in Inspector) (*Inspector, error) {
	a, err := deptAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsSystem() && !a.Has(auth.PlatformAdmin) || in.DepartmentID == 0 {
		in.DepartmentID = a.DepartmentID
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var user any
	if in.Username != "" {
		refs, err := s.Accounts.UserRefsByName(ctx, []string{in.Username})
		if err != nil {
			return nil, err
		}
		u, ok := refs[in.Username]
		if !ok || u.DepartmentID != in.DepartmentID {
			return nil, yserr.Field("username", "本部门没有该账号", "the department has no such account")
		}
		user, in.UserID = u.ID, u.ID
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		var id, dept int64
		err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id, department_id FROM inspect_inspectors WHERE cert_no = $1", in.CertNo).Scan(&id, &dept)
		now := s.now()
		switch {
		case db.IsNoRows(err):
			if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO inspect_inspectors (department_id, name, cert_no, status, specialties, region_code, relations, user_id, created_at, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING id`, in.DepartmentID, in.Name, in.CertNo, in.Status, joinList(in.Specialties),
				in.Region, joinList(in.Relations), user, now).Scan(&in.ID); err != nil {
				return err
			}
			return s.Audit.Record(ctx, "inspect.inspector.create", "inspect_inspector", idText(in.ID), nil, in, "")
		case err != nil:
			return err
		case dept != in.DepartmentID:
			return yserr.Field("cert_no", "该执法证号已登记在其他部门", "this certificate number is registered with another department")
		}
		in.ID = id
		if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE inspect_inspectors SET name = $1, status = $2, specialties = $3, region_code = $4, relations = $5,
			user_id = COALESCE($6, user_id), updated_at = $7 WHERE id = $8`, in.Name, in.Status, joinList(in.Specialties), in.Region,
			joinList(in.Relations), user, now, id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "inspect.inspector.update", "inspect_inspector", idText(id), nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}

const inspectorCols = "id, department_id, name, cert_no, status, specialties, region_code, relations, COALESCE(user_id, 0)"

func scanInspector(r db.Row) (*Inspector, error) {
	var in Inspector
	var sp, rel string
	if err := r.Scan(&in.ID, &in.DepartmentID, &in.Name, &in.CertNo, &in.Status, &sp, &in.Region, &rel, &in.UserID); err != nil {
		return nil, err
	}
	in.Specialties, in.Relations = splitList(sp), splitList(rel)
	return &in, nil
}

// Inspectors lists the directory of the caller's department scope
// (platform admins and supervisors: every department).
func (s *Service) Inspectors(ctx context.Context) ([]Inspector, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
	if err != nil {
		return nil, err
	}
	args := s.DB.Dialect.Args()
	where := "1=1"
	if !a.IsSystem() && !a.Has(auth.PlatformAdmin, auth.Supervisor) {
		where = "department_id IN " + args.In(db.InValues(a.DeptScope)...)
	}
	return s.inspectorsWhere(ctx, where, args.List()...)
}

func (s *Service) inspectorsWhere(ctx context.Context, where string, args ...any) ([]Inspector, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+inspectorCols+" FROM inspect_inspectors WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Inspector{}
	for rows.Next() {
		in, err := scanInspector(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *in)
	}
	return out, rows.Err()
}

// inspectorOf returns the inspector record linked to the signed-in user
// (NotFound when there is none).
func (s *Service) inspectorOf(ctx context.Context) (*Inspector, error) {
	if in, ok, err := s.demoInspector(ctx); ok {
		return in, err
	}
	a := auth.From(ctx)
	if a == nil || a.UserID == 0 {
		return nil, yserr.ErrNotFound("执法人员", "inspector")
	}
	in, err := scanInspector(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+inspectorCols+" FROM inspect_inspectors WHERE user_id = $1 AND status = 'active'", a.UserID))
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("执法人员", "inspector")
	}
	return in, err
}
