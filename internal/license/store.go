package license

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

const typeCols = `t.id, t.department_id, t.code, t.name, t.legal_basis, t.validity_months, t.channels_online, t.channels_offline,
	t.materials, t.fees, t.phone, t.address, t.service_url, t.sms_template, t.inapp_template, t.remind1_days, t.remind2_days,
	t.followup_days, t.lapse_days, t.send_time, t.active, t.last_review_on, t.created_at, t.updated_at,
	t.kind, t.sms_template_en, t.inapp_template_en`

func scanType(r db.Row) (*Type, error) {
	t := &Type{}
	err := r.Scan(&t.ID, &t.DepartmentID, &t.Code, &t.Name, &t.LegalBasis, &t.ValidityMonths, &t.ChannelsOnline,
		&t.ChannelsOffline, &t.Materials, &t.Fees, &t.Phone, &t.Address, &t.ServiceURL, &t.SMSTemplate, &t.InAppTemplate,
		&t.Remind1Days, &t.Remind2Days, &t.FollowupDays, &t.LapseDays, &t.SendTime, &t.Active, &t.LastReviewOn, &t.CreatedAt, &t.UpdatedAt,
		&t.Kind, &t.SMSTemplateEN, &t.InAppTemplateEN)
	return t, err
}

const licenseCols = `l.id, l.type_id, t.code, t.name, l.department_id, l.number, COALESCE(l.entity_id, 0), l.holder_name,
	l.holder_id_mask, l.phone_mask, l.issued_on, l.expires_on, l.status, l.elderly, l.disabled, COALESCE(l.renewed_by_id, 0),
	l.renewed_on, l.renewal_source, l.holder_answer, l.answered_at, l.created_at, t.kind`

// licenseFrom reads the module's own tables only; department names come
// from the account directory (nameLicenses).
const licenseFrom = ` FROM licenses l JOIN license_types t ON t.id = l.type_id`

func scanLicense(r db.Row) (*License, error) {
	l := &License{}
	var answered *time.Time
	err := r.Scan(&l.ID, &l.TypeID, &l.TypeCode, &l.TypeName, &l.DepartmentID, &l.Number, &l.EntityID, &l.HolderName,
		&l.HolderID, &l.Phone, &l.IssuedOn, &l.ExpiresOn, &l.Status, &l.Elderly, &l.Disabled, &l.RenewedByID,
		&l.RenewedOn, &l.RenewalSource, &l.HolderAnswer, &answered, &l.CreatedAt, &l.TypeKind)
	l.AnsweredAt = answered
	return l, err
}

func (s *Service) typeByID(ctx context.Context, id int64) (*Type, error) {
	t, err := scanType(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+typeCols+" FROM license_types t WHERE t.id = $1", id))
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("证照类型", "licence type")
	}
	if err != nil {
		return nil, err
	}
	return t, s.nameTypes(ctx, []*Type{t})
}

// entitiesUsers returns the active enterprise accounts bound to each of
// the entities, in one query.
func (s *Service) entitiesUsers(ctx context.Context, entities map[int64]bool) (map[int64][]int64, error) {
	ids := make([]int64, 0, len(entities))
	for id := range entities {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return s.Accounts.EntityUsers(ctx, ids, auth.Enterprise)
}

// deptAdmins returns the active admins of a department.
func (s *Service) deptAdmins(ctx context.Context, dept int64) ([]int64, error) {
	return s.Accounts.DeptUsers(ctx, dept, auth.DeptAdmin)
}

// staffRoles may read a department's licences.
var staffRoles = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor}

// scopeClause restricts a licence query to the actor's departments
// (appending to args); platform admins and supervisors see all.
func scopeClause(a *auth.Actor, col string, args []any) (string, []any) {
	if a.IsSystem() || a.Has(auth.PlatformAdmin, auth.Supervisor) {
		return "", args
	}
	if len(a.DeptScope) == 0 {
		return " AND 1 = 0", args
	}
	ph := make([]string, len(a.DeptScope))
	for i, d := range a.DeptScope {
		args = append(args, d)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	return " AND " + col + " IN (" + strings.Join(ph, ",") + ")", args
}

// List returns a page of licences the actor may see (department scope;
// enterprise users see their entity's), soonest expiry first.
func (s *Service) List(ctx context.Context, f Filter) ([]*License, int, error) {
	a, err := auth.Require(ctx, append(staffRoles, auth.Enterprise)...)
	if err != nil {
		return nil, 0, err
	}
	where, args := " WHERE 1 = 1", []any{}
	if a.Has(staffRoles...) || a.IsSystem() {
		var sc string
		sc, args = scopeClause(a, "l.department_id", args)
		where += sc
	} else {
		args = append(args, a.EntityID)
		where += fmt.Sprintf(" AND l.entity_id = $%d", len(args))
	}
	add := func(cond string, v any) {
		args = append(args, v)
		where += fmt.Sprintf(cond, len(args))
	}
	if f.DepartmentID != 0 {
		add(" AND l.department_id = $%d", f.DepartmentID)
	}
	if f.TypeID != 0 {
		add(" AND l.type_id = $%d", f.TypeID)
	}
	if f.Status != "" {
		add(" AND l.status = $%d", f.Status)
	}
	if f.ExpiringDays > 0 {
		add(" AND l.status = 'active' AND l.expires_on <= $%d", s.today().AddDays(f.ExpiringDays).String())
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		add(" AND (l.holder_name LIKE $%[1]d OR l.number LIKE $%[1]d)", "%"+q+"%")
	}
	var total int
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*)"+licenseFrom+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	page, per := paging(f.Page, f.PerPage)
	args = append(args, per, (page-1)*per)
	list, err := s.queryLicenses(ctx, "SELECT "+licenseCols+licenseFrom+where+
		fmt.Sprintf(" ORDER BY l.expires_on, l.id LIMIT $%d OFFSET $%d", len(args)-1, len(args)), args...)
	return list, total, err
}

func paging(page, per int) (int, int) {
	if page < 1 {
		page = 1
	}
	if per <= 0 {
		per = 20
	}
	return page, min(per, 200)
}

func (s *Service) queryLicenses(ctx context.Context, query string, args ...any) ([]*License, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := s.today()
	out := []*License{}
	for rows.Next() {
		l, err := scanLicense(rows)
		if err != nil {
			return nil, err
		}
		l.fill(today)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, s.nameLicenses(ctx, out)
}

func (l *License) fill(today calendar.Date) {
	if d, err := calendar.ParseDate(l.ExpiresOn); err == nil {
		l.DaysLeft = d.Sub(today)
	}
	if l.Stages == nil {
		l.Stages = []string{}
	}
}

// Get returns a licence the actor may see, with its stages done. Staff of
// the department see the ID number and phone unmasked (dept_staff only).
func (s *Service) Get(ctx context.Context, id int64) (*License, error) {
	a, err := auth.Require(ctx, append(staffRoles, auth.Enterprise)...)
	if err != nil {
		return nil, err
	}
	l, err := s.licenseByID(ctx, id)
	if db.IsNoRows(err) || (err == nil && !canSee(a, l)) {
		return nil, yserr.ErrNotFound("证照", "licence")
	}
	if err != nil {
		return nil, err
	}
	l.fill(s.today())
	if l.Stages, err = s.stages(ctx, id); err != nil {
		return nil, err
	}
	if a.Has(auth.DeptStaff) && a.InScope(l.DepartmentID) {
		if err := s.unmask(ctx, l); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func canSee(a *auth.Actor, l *License) bool {
	if a.Has(staffRoles...) && a.InScope(l.DepartmentID) || a.Has(auth.Supervisor) {
		return true
	}
	return a.Has(auth.Enterprise) && a.EntityID != 0 && a.EntityID == l.EntityID
}

func (s *Service) stages(ctx context.Context, id int64) ([]string, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT stage FROM license_reminders WHERE license_id = $1 ORDER BY id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// unmask replaces the masked ID number and phone with the stored values.
func (s *Service) unmask(ctx context.Context, l *License) error {
	var idEnc, phoneEnc []byte
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT holder_id_enc, phone_enc FROM licenses WHERE id = $1", l.ID).Scan(&idEnc, &phoneEnc); err != nil {
		return err
	}
	for _, p := range []struct {
		enc []byte
		dst *string
	}{{idEnc, &l.HolderID}, {phoneEnc, &l.Phone}} {
		if len(p.enc) == 0 {
			continue
		}
		v, err := s.Keys.Decrypt(p.enc)
		if err != nil {
			return err
		}
		*p.dst = v
	}
	return nil
}

// maskPhone masks a phone for display.
func maskPhone(p string) string {
	if p == "" {
		return ""
	}
	return ident.MaskMobile(p)
}

// Mine returns the licences of the actor's enterprise (all statuses),
// soonest expiry first.
func (s *Service) Mine(ctx context.Context) ([]*License, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	if a.EntityID == 0 {
		return []*License{}, nil
	}
	return s.queryLicenses(ctx, "SELECT "+licenseCols+licenseFrom+" WHERE l.entity_id = $1 ORDER BY l.expires_on, l.id", a.EntityID)
}

// writable returns a licence the actor may change (department admin or
// staff in scope, or platform admin) for update in the transaction.
func (s *Service) writable(ctx context.Context, id int64) (*auth.Actor, *License, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, nil, err
	}
	l, err := s.licenseByID(ctx, id)
	if db.IsNoRows(err) || (err == nil && !a.InScope(l.DepartmentID)) {
		return nil, nil, yserr.ErrNotFound("证照", "licence")
	}
	return a, l, err
}

// SetStatus marks a licence renewed, revoked or cancelled (department
// admin or staff in scope, platform admin). Only an active or lapsed
// licence can change; renewal stops its reminders and closes its
// follow-up. Conflict when the licence is already closed.
func (s *Service) SetStatus(ctx context.Context, id int64, status, note string) error {
	if status != StatusRenewed && status != StatusRevoked && status != StatusCancelled {
		return yserr.Field("status", "状态须为 renewed、revoked 或 cancelled", "status must be renewed, revoked or cancelled")
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		_, l, err := s.writable(ctx, id)
		if err != nil {
			return err
		}
		return s.close(ctx, l, status, "department", 0, note)
	})
}

// close moves an active or lapsed licence to a closed status in the
// transaction in ctx.
func (s *Service) close(ctx context.Context, l *License, status, source string, newerID int64, note string) error {
	if l.Status != StatusActive && l.Status != StatusLapsed {
		return yserr.New(yserr.Conflict, "该证照已是"+StatusZH(l.Status)+"状态，不能再变更", "the licence is already "+l.Status)
	}
	renewedOn, src := "", ""
	if status == StatusRenewed {
		renewedOn, src = s.today().String(), source
	}
	now := s.Clock.Now()
	_, err := s.DB.Q(ctx).Exec(ctx, `UPDATE licenses SET status = $1, renewed_on = $2, renewal_source = $3, renewed_by_id = $4, updated_at = $5 WHERE id = $6`,
		status, renewedOn, src, nullID(newerID), now, l.ID)
	if err != nil {
		return err
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM license_due WHERE license_id = $1", l.ID); err != nil {
		return err
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE license_followups SET status = 'closed', closed_at = $1 WHERE license_id = $2 AND status = 'open'", now, l.ID); err != nil {
		return err
	}
	return s.Audit.Record(ctx, "license."+status, "license", fmt.Sprint(l.ID), map[string]string{"status": l.Status},
		map[string]string{"status": status, "source": source}, note)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// StatusZH names a status in Chinese.
func StatusZH(st string) string {
	return statusLabels[st][0]
}
