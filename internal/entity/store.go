package entity

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

// selectCols are the columns read by scanStored, in order.
const selectCols = `id, uscc, name, entity_type, legal_rep_name, legal_rep_id_enc, legal_rep_id_mask, address,
	region_code, industry_code, size_class, size_source, employees, revenue_wan, assets_wan, founded_on, status,
	phone_enc, phone_mask, tags, COALESCE(department_id, 0), created_at, updated_at`

// writeCols are the columns written by rowArgs, in order, followed by
// created_at and updated_at.
var writeCols = []string{"uscc", "name", "entity_type", "legal_rep_name", "legal_rep_id_enc", "legal_rep_id_mask",
	"address", "region_code", "industry_code", "size_class", "size_source", "employees", "revenue_wan", "assets_wan",
	"founded_on", "status", "phone_enc", "phone_mask", "phone_hash", "tags", "department_id"}

// stored is an entities row as read, personal data still encrypted.
type stored struct {
	Entity
	idEnc, phoneEnc   []byte
	idMask, phoneMask string
}

func scanStored(r db.Row, st *stored) error {
	var emp *int64
	var tags string
	var size string
	err := r.Scan(&st.ID, &st.USCC, &st.Name, &st.Type, &st.LegalRepName, &st.idEnc, &st.idMask, &st.Address,
		&st.RegionCode, &st.IndustryCode, &size, &st.SizeSource, &emp, &st.RevenueWan, &st.AssetsWan, &st.FoundedOn,
		&st.Status, &st.phoneEnc, &st.phoneMask, &tags, &st.DepartmentID, &st.CreatedAt, &st.UpdatedAt)
	if err != nil {
		return err
	}
	st.SizeClass = refdata.Size(size)
	if emp != nil {
		n := int(*emp)
		st.Employees = &n
	}
	st.Tags = decodeTags(tags)
	return nil
}

// encodeTags stores tags as ",a,b," so that one tag matches LIKE '%,a,%'.
func encodeTags(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return "," + strings.Join(tags, ",") + ","
}

func decodeTags(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// view turns a stored row into what actor a may see.
func (s *Service) view(a *auth.Actor, st *stored) (*Entity, error) {
	e := st.Entity
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	// Tags of the caller's own (st may be Get's cached row).
	e.Tags = append([]string{}, e.Tags...)
	e.RegionName = refdata.FullName(e.RegionCode)
	if in, ok := refdata.Industry(e.IndustryCode); ok {
		e.IndustryName = in.Name
	}
	if mayUnmask(a, e.ID, e.DepartmentID) {
		var err error
		if e.LegalRepID, err = s.Keys.Decrypt(st.idEnc); err != nil {
			return nil, fmt.Errorf("entity %d legal representative id: %w", e.ID, err)
		}
		if e.Phone, err = s.Keys.Decrypt(st.phoneEnc); err != nil {
			return nil, fmt.Errorf("entity %d phone: %w", e.ID, err)
		}
	} else {
		e.LegalRepID, e.Phone, e.Masked = st.idMask, st.phoneMask, true
	}
	return &e, nil
}

// input reconstructs the (normalised, validated) Input a stored row was
// written from, decrypting the personal data.
func (s *Service) input(st *stored) (Input, error) {
	id, err := s.Keys.Decrypt(st.idEnc)
	if err != nil {
		return Input{}, err
	}
	phone, err := s.Keys.Decrypt(st.phoneEnc)
	if err != nil {
		return Input{}, err
	}
	return Input{
		USCC: st.USCC, Name: st.Name, Type: st.Type, LegalRepName: st.LegalRepName, LegalRepID: id,
		Address: st.Address, RegionCode: st.RegionCode, IndustryCode: st.IndustryCode,
		Employees: st.Employees, RevenueWan: st.RevenueWan, AssetsWan: st.AssetsWan,
		SizeClass: st.SizeClass, FoundedOn: st.FoundedOn, Status: st.Status, Phone: phone,
		Tags: st.Tags, DepartmentID: st.DepartmentID, sizeSource: st.SizeSource,
	}, nil
}

// sameData reports whether two validated inputs store the same data
// (the managing department is not compared).
func sameData(a, b *Input) bool {
	return a.USCC == b.USCC && a.Name == b.Name && a.Type == b.Type && a.LegalRepName == b.LegalRepName &&
		a.LegalRepID == b.LegalRepID && a.Address == b.Address && a.RegionCode == b.RegionCode &&
		a.IndustryCode == b.IndustryCode && eqPtr(a.Employees, b.Employees) && eqPtr(a.RevenueWan, b.RevenueWan) &&
		eqPtr(a.AssetsWan, b.AssetsWan) && a.SizeClass == b.SizeClass && a.sizeSource == b.sizeSource &&
		a.FoundedOn == b.FoundedOn && a.Status == b.Status && a.Phone == b.Phone &&
		slices.Equal(normalizeTags(a.Tags), normalizeTags(b.Tags))
}

func eqPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// rowArgs returns the values of writeCols for a validated input.
func (s *Service) rowArgs(in *Input, dept int64) []any {
	var deptArg, emp any
	if dept != 0 {
		deptArg = dept
	}
	if in.Employees != nil {
		emp = int64(*in.Employees)
	}
	return []any{in.USCC, in.Name, in.Type, in.LegalRepName, s.Keys.Encrypt(in.LegalRepID), maskIfAny(in.LegalRepID, ident.MaskIDCard),
		in.Address, in.RegionCode, in.IndustryCode, string(in.SizeClass), in.sizeSource, emp, in.RevenueWan, in.AssetsWan,
		in.FoundedOn, string(in.Status), s.Keys.Encrypt(in.Phone), maskIfAny(in.Phone, ident.MaskMobile), s.Keys.Index(in.Phone),
		encodeTags(in.Tags), deptArg}
}

func maskIfAny(s string, mask func(string) string) string {
	if s == "" {
		return ""
	}
	return mask(s)
}

// valuesSQL returns the VALUES list for n rows of writeCols followed by
// created_at and updated_at (rowArgs, then the time twice, per row).
func valuesSQL(d db.Dialect, n int) string { return d.Values(1, n, len(writeCols)+2) }

var insertHead = "INSERT INTO entities (" + strings.Join(writeCols, ", ") + ", created_at, updated_at) VALUES "

// upsertTail updates everything but the managing department and the
// creation time of an existing row.
var upsertTail = func() string {
	var set []string
	for _, c := range writeCols {
		if c != "department_id" {
			set = append(set, c+" = excluded."+c)
		}
	}
	return " ON CONFLICT (uscc) DO UPDATE SET " + strings.Join(set, ", ") + ", updated_at = excluded.updated_at"
}()

// load reads one row by a condition on one argument.
func (s *Service) load(ctx context.Context, where string, arg any) (*stored, error) {
	var st stored
	err := scanStored(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+selectCols+" FROM entities WHERE "+where, arg), &st)
	if db.IsNoRows(err) {
		return nil, errNotFound()
	}
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// Get returns the entity with the given id, as the caller may see it.
// It returns a not_found error when the entity does not exist or the caller
// (an enterprise user bound to another entity) may not see it.
func (s *Service) Get(ctx context.Context, id int64) (*Entity, error) {
	a, only, err := readAccess(ctx)
	if err != nil {
		return nil, err
	}
	if only != 0 && id != only {
		return nil, errNotFound()
	}
	byID := s.byID.Get(func() *db.Cache[int64, *stored] { return db.NewCache[int64, *stored](s.DB, 20000, topicEntities) })
	// Cached (an enterprise's every appeal reads its entity); view makes
	// the caller's copy.
	st, err := byID.Get(ctx, id, func() (*stored, error) { return s.load(ctx, "id = $1", id) })
	if err != nil {
		return nil, err
	}
	return s.view(a, st)
}

// GetByUSCC returns the entity with the given unified social credit code
// (normalised first, so lower case and full-width input work), under the
// same rules as Get.
func (s *Service) GetByUSCC(ctx context.Context, code string) (*Entity, error) {
	a, only, err := readAccess(ctx)
	if err != nil {
		return nil, err
	}
	st, err := s.load(ctx, "uscc = $1", ident.NormalizeUSCC(code))
	if err != nil {
		return nil, err
	}
	if only != 0 && st.ID != only {
		return nil, errNotFound()
	}
	return s.view(a, st)
}

// Create validates in and registers a new entity. Errors: unauthorized or
// forbidden (see Service), invalid (field errors), conflict when the USCC
// is already registered.
func (s *Service) Create(ctx context.Context, in Input) (*Entity, error) {
	a, err := auth.Require(ctx, writeRoles...)
	if err != nil {
		return nil, err
	}
	if isMasked(in.LegalRepID) || isMasked(in.Phone) {
		return nil, errMaskedNew(in)
	}
	if err := s.Validate(&in); err != nil {
		return nil, err
	}
	dept, err := newDepartment(a, in.DepartmentID)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		now := s.now()
		args := append(s.rowArgs(&in, dept), now, now)
		if err := s.DB.Q(ctx).QueryRow(ctx, insertHead+valuesSQL(s.DB.Dialect, 1)+" RETURNING id", args...).Scan(&id); err != nil {
			return writeError(err, in.USCC)
		}
		st, err := s.load(ctx, "id = $1", id)
		if err != nil {
			return err
		}
		if err := s.indexNames(ctx, map[int64]string{id: st.Name}, nil); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "entity.create", "entity", strconv.FormatInt(id, 10), nil, auditView(st), "")
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// Update replaces the data of entity id with in. LegalRepID and Phone may
// be given as the masked values the caller was shown, to keep them.
// DepartmentID 0 keeps the managing department. Nothing is written (and
// no audit event recorded) when nothing changes. Errors: not_found,
// forbidden (entity managed by a department outside the caller's scope),
// invalid, conflict when the new USCC belongs to another entity.
func (s *Service) Update(ctx context.Context, id int64, in Input) (*Entity, error) {
	a, err := auth.Require(ctx, writeRoles...)
	if err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		st, err := s.load(ctx, "id = $1", id)
		if err != nil {
			return err
		}
		if !mayWrite(a, st.DepartmentID) {
			return errOtherDept()
		}
		old, err := s.input(st)
		if err != nil {
			return err
		}
		if err := keepMasked(&in, st, &old); err != nil {
			return err
		}
		if err := s.Validate(&in); err != nil {
			return err
		}
		dept := st.DepartmentID
		if in.DepartmentID != 0 && in.DepartmentID != dept {
			if !a.InScope(in.DepartmentID) {
				return errDeptScope()
			}
			dept = in.DepartmentID
		}
		if sameData(&old, &in) && dept == st.DepartmentID {
			return nil
		}
		return s.update(ctx, st, &in, dept)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

func (s *Service) update(ctx context.Context, st *stored, in *Input, dept int64) error {
	args := s.rowArgs(in, dept)
	set := make([]string, len(writeCols))
	for i, c := range writeCols {
		set[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	args = append(args, s.now(), st.ID)
	q := fmt.Sprintf("UPDATE entities SET %s, updated_at = $%d WHERE id = $%d", strings.Join(set, ", "), len(args)-1, len(args))
	if _, err := s.DB.Q(ctx).Exec(ctx, q, args...); err != nil {
		return writeError(err, in.USCC)
	}
	if err := s.DB.Changed(ctx, topicEntities); err != nil {
		return err
	}
	after, err := s.load(ctx, "id = $1", st.ID)
	if err != nil {
		return err
	}
	if after.Name != st.Name {
		if err := s.indexNames(ctx, map[int64]string{st.ID: after.Name}, []int64{st.ID}); err != nil {
			return err
		}
	}
	return s.Audit.Record(ctx, "entity.update", "entity", strconv.FormatInt(st.ID, 10), auditView(st), auditView(after), "")
}

// keepMasked replaces a masked LegalRepID or Phone that equals the stored
// mask with the stored plain value; any other masked value is invalid.
func keepMasked(in *Input, st *stored, old *Input) error {
	var v yserr.Validation
	if isMasked(in.LegalRepID) {
		if strings.TrimSpace(in.LegalRepID) != st.idMask {
			v.Add(FieldLegalRepID, "身份证号含有掩码字符“*”，请填写完整号码", "the ID number contains mask characters '*'; enter the full number")
		}
		in.LegalRepID = old.LegalRepID
	}
	if isMasked(in.Phone) {
		if strings.TrimSpace(in.Phone) != st.phoneMask {
			v.Add(FieldPhone, "联系电话含有掩码字符“*”，请填写完整号码", "the phone number contains mask characters '*'; enter the full number")
		}
		in.Phone = old.Phone
	}
	return v.Err()
}

func errMaskedNew(in Input) error {
	var v yserr.Validation
	if isMasked(in.LegalRepID) {
		v.Add(FieldLegalRepID, "身份证号含有掩码字符“*”，请填写完整号码", "the ID number contains mask characters '*'; enter the full number")
	}
	if isMasked(in.Phone) {
		v.Add(FieldPhone, "联系电话含有掩码字符“*”，请填写完整号码", "the phone number contains mask characters '*'; enter the full number")
	}
	return v.Err()
}

// writeError turns constraint violations into user errors.
func writeError(err error, uscc string) error {
	switch {
	case db.IsUnique(err):
		e := yserr.Newf(yserr.Conflict, "统一社会信用代码 %s 已登记", "unified social credit code %s is already registered", uscc)
		e.Field = FieldUSCC
		e.Fields = []yserr.FieldError{{Field: FieldUSCC, ZH: e.ZH, EN: e.EN}}
		return e.Wrap(err)
	case db.IsForeignKey(err):
		return yserr.Field(FieldDepartment, "管理部门不存在", "the managing department does not exist").Wrap(err)
	}
	return err
}

// auditView is what the audit chain digests: the row with personal data
// masked, so that a digest cannot be used to confirm a guessed ID number.
func auditView(st *stored) *Entity {
	e := st.Entity
	e.LegalRepID, e.Phone, e.Masked = st.idMask, st.phoneMask, true
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return &e
}
