package account

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

var deptCodeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

var deptKinds = map[string][2]string{
	"city":   {"市级", "city"},
	"county": {"县（区）级", "county/district"},
	"bureau": {"委办局", "bureau"},
	"office": {"科室/窗口", "office/window"},
}

// KindLabel names a department kind in the language.
func KindLabel(kind, lang string) string {
	l, ok := deptKinds[kind]
	if !ok {
		return kind
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

// Validate checks a department input.
func (in *DepartmentInput) Validate() error {
	var v yserr.Validation
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	if !deptCodeRe.MatchString(in.Code) {
		v.Add("code", "编码须为 1-32 位字母、数字、- 或 _", "code must be 1-32 letters, digits, - or _")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 {
		v.Add("name", "名称必填，最多 100 字", "name is required, at most 100 characters")
	}
	if _, ok := deptKinds[in.Kind]; !ok {
		v.Add("kind", "类型须为 city、county、bureau 或 office", "kind must be city, county, bureau or office")
	}
	if in.RegionCode != "" && !refdata.ValidRegion(in.RegionCode) {
		v.Add("region_code", "行政区划代码不存在（GB/T 2260）", "unknown region code (GB/T 2260)")
	}
	return v.Err()
}

const deptCols = "id, COALESCE(parent_id, 0), code, name, name_en, kind, region_code, created_at, updated_at"

func scanDept(r db.Row, d *Department) error {
	return r.Scan(&d.ID, &d.ParentID, &d.Code, &d.Name, &d.NameEN, &d.Kind, &d.RegionCode, &d.CreatedAt, &d.UpdatedAt)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateDepartment adds a department (platform admins anywhere, department
// admins below their own department).
func (s *Service) CreateDepartment(ctx context.Context, in DepartmentInput) (*Department, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !a.Has(auth.PlatformAdmin) && !a.IsSystem() && !a.InScope(in.ParentID) {
		return nil, yserr.Field("parent_id", "只能在本部门之下新建部门", "you can only add departments below your own")
	}
	var d Department
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if in.ParentID != 0 {
			if _, err := s.getDept(ctx, in.ParentID); err != nil {
				return yserr.Field("parent_id", "上级部门不存在", "parent department does not exist")
			}
		}
		now := s.now()
		err := scanDept(s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO departments (parent_id, code, name, name_en, kind, region_code, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$7) RETURNING `+deptCols,
			nullID(in.ParentID), in.Code, in.Name, in.NameEN, in.Kind, in.RegionCode, now), &d)
		if db.IsUnique(err) {
			return &yserr.Error{Code: yserr.Conflict, Field: "code", ZH: "部门编码已存在", EN: "department code already exists"}
		}
		if err != nil {
			return err
		}
		if err := s.changed(ctx); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "department.create", "department", strconv.FormatInt(d.ID, 10), nil, d, "")
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// UpdateDepartment changes a department. Moving it below itself is refused.
func (s *Service) UpdateDepartment(ctx context.Context, id int64, in DepartmentInput) (*Department, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !a.InScope(id) || (in.ParentID != 0 && !a.InScope(in.ParentID) && !a.Has(auth.PlatformAdmin)) {
		return nil, yserr.ErrForbidden()
	}
	var d Department
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		before, err := s.getDept(ctx, id)
		if err != nil {
			return err
		}
		if in.ParentID != 0 {
			below, err := s.descendants(ctx, id)
			if err != nil {
				return err
			}
			for _, x := range below {
				if x == in.ParentID {
					return yserr.Field("parent_id", "不能把部门移到它自己或其下级之下", "a department cannot be moved below itself")
				}
			}
		}
		err = scanDept(s.DB.Q(ctx).QueryRow(ctx, `UPDATE departments SET parent_id=$1, code=$2, name=$3, name_en=$4, kind=$5, region_code=$6, updated_at=$7
			WHERE id=$8 RETURNING `+deptCols, nullID(in.ParentID), in.Code, in.Name, in.NameEN, in.Kind, in.RegionCode, s.now(), id), &d)
		if db.IsUnique(err) {
			return &yserr.Error{Code: yserr.Conflict, Field: "code", ZH: "部门编码已存在", EN: "department code already exists"}
		}
		if err != nil {
			return err
		}
		if err := s.changed(ctx); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "department.update", "department", strconv.FormatInt(id, 10), before, d, "")
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func (s *Service) getDept(ctx context.Context, id int64) (*Department, error) {
	var d Department
	err := scanDept(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+deptCols+" FROM departments WHERE id = $1", id), &d)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("部门", "department")
	}
	return &d, err
}

// GetDepartment returns one department. Departments are not secret: every
// signed-in user may read the tree.
func (s *Service) GetDepartment(ctx context.Context, id int64) (*Department, error) {
	if _, err := auth.Require(ctx); err != nil {
		return nil, err
	}
	return s.getDept(ctx, id)
}

// ListDepartments returns the whole tree in depth-first order with Depth set.
func (s *Service) ListDepartments(ctx context.Context) ([]Department, error) {
	if _, err := auth.Require(ctx); err != nil {
		return nil, err
	}
	return s.allDepartments(ctx)
}

func (s *Service) allDepartments(ctx context.Context) ([]Department, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+deptCols+" FROM departments ORDER BY code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []Department
	for rows.Next() {
		var d Department
		if err := scanDept(rows, &d); err != nil {
			return nil, err
		}
		all = append(all, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	children := map[int64][]Department{}
	for _, d := range all {
		children[d.ParentID] = append(children[d.ParentID], d)
	}
	out := make([]Department, 0, len(all))
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, d := range children[parent] {
			d.Depth = depth
			out = append(out, d)
			walk(d.ID, depth+1)
		}
	}
	walk(0, 0)
	return out, nil
}

// descendants returns id and every department below it.
func (s *Service) descendants(ctx context.Context, id int64) ([]int64, error) {
	if id == 0 {
		return nil, nil
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, COALESCE(parent_id, 0) FROM departments")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	children := map[int64][]int64{}
	for rows.Next() {
		var c, p int64
		if err := rows.Scan(&c, &p); err != nil {
			return nil, err
		}
		children[p] = append(children[p], c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []int64{id}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out, nil
}
