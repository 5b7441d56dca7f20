package license

import (
	"context"
	"fmt"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Types lists the catalogue entries the actor may see (department scope;
// platform admins and supervisors all), by department and code. Any
// signed-in user may read the catalogue of a department (deptID != 0):
// it is the public list of reminder items.
func (s *Service) Types(ctx context.Context, deptID int64) ([]*Type, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	where, args := " WHERE 1 = 1", []any{}
	if deptID != 0 {
		where, args = " WHERE t.department_id = $1", []any{deptID}
	} else {
		var sc string
		sc, args = scopeClause(a, "t.department_id", args)
		where += sc
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+typeCols+" FROM license_types t"+where+" ORDER BY t.code, t.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Type{}
	for rows.Next() {
		t, err := scanType(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// The whole catalogue in scope (no LIMIT), ordered by department code.
	refs, err := s.nameTypeDepts(ctx, out)
	if err != nil {
		return nil, err
	}
	byDeptCode(out, refs, func(t *Type) int64 { return t.DepartmentID }, func(t *Type) string { return t.Code })
	return out, nil
}

// GetType returns one catalogue entry (any signed-in user).
func (s *Service) GetType(ctx context.Context, id int64) (*Type, error) {
	if _, err := auth.Require(ctx); err != nil {
		return nil, err
	}
	return s.typeByID(ctx, id)
}

// SaveType creates (id 0) or updates a catalogue entry of a department in
// the actor's scope (department admin, platform admin). A code already
// used in the department gives yserr.Invalid on "code".
func (s *Service) SaveType(ctx context.Context, id int64, in TypeInput) (*Type, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return nil, err
	}
	if in.DepartmentID == 0 {
		in.DepartmentID = a.DepartmentID
	}
	in.Defaults()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !a.InScope(in.DepartmentID) {
		return nil, yserr.ErrForbidden()
	}
	var out *Type
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		var before *Type
		if id != 0 {
			if before, err = s.typeByID(ctx, id); err != nil {
				return err
			}
			if !a.InScope(before.DepartmentID) {
				return yserr.ErrNotFound("证照类型", "licence type")
			}
			in.DepartmentID = before.DepartmentID
		}
		if id, err = s.writeType(ctx, id, in); err != nil {
			return err
		}
		if before != nil && ruleOf(before) != (Rule{Remind1: in.Remind1Days, Remind2: in.Remind2Days, Followup: in.FollowupDays, Lapse: in.LapseDays}) {
			// Other stage windows: the next scan recomputes the next due
			// day of each active licence of the type.
			if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO license_due (license_id, next_due)
				SELECT id, '' FROM licenses WHERE type_id = $1 AND status = 'active'
				ON CONFLICT (license_id) DO UPDATE SET next_due = ''`, id); err != nil {
				return err
			}
		}
		if out, err = s.typeByID(ctx, id); err != nil {
			return err
		}
		action := "license.type_update"
		if before == nil {
			action = "license.type_create"
		}
		return s.Audit.Record(ctx, action, "license_type", fmt.Sprint(id), before, out, out.Code+" "+out.Name)
	})
	return out, err
}

func (s *Service) writeType(ctx context.Context, id int64, in TypeInput) (int64, error) {
	now := s.Clock.Now()
	args := []any{in.Code, in.Name, in.LegalBasis, in.ValidityMonths, in.ChannelsOnline, in.ChannelsOffline, in.Materials, in.Fees,
		in.Phone, in.Address, in.ServiceURL, in.SMSTemplate, in.InAppTemplate, in.Remind1Days, in.Remind2Days, in.FollowupDays,
		in.LapseDays, in.SendTime, in.Active, now, in.Kind, in.SMSTemplateEN, in.InAppTemplateEN}
	var err error
	if id == 0 {
		err = s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO license_types (code, name, legal_basis, validity_months, channels_online, channels_offline,
			materials, fees, phone, address, service_url, sms_template, inapp_template, remind1_days, remind2_days, followup_days,
			lapse_days, send_time, active, created_at, updated_at, kind, sms_template_en, inapp_template_en, department_id)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$20,$21,$22,$23,$24) RETURNING id`,
			append(args, in.DepartmentID)...).Scan(&id)
	} else {
		_, err = s.DB.Q(ctx).Exec(ctx, `UPDATE license_types SET code=$1, name=$2, legal_basis=$3, validity_months=$4, channels_online=$5,
			channels_offline=$6, materials=$7, fees=$8, phone=$9, address=$10, service_url=$11, sms_template=$12, inapp_template=$13,
			remind1_days=$14, remind2_days=$15, followup_days=$16, lapse_days=$17, send_time=$18, active=$19, updated_at=$20,
			kind=$21, sms_template_en=$22, inapp_template_en=$23 WHERE id=$24`,
			append(args, id)...)
	}
	if db.IsUnique(err) {
		return 0, yserr.Field("code", "本部门已有此事项代码", "the department already uses this code")
	}
	return id, err
}

// ReviewStatus tells a department whether this quarter's catalogue
// review is done.
type ReviewStatus struct {
	DepartmentID int64  `json:"department_id"`
	Quarter      string `json:"quarter"`
	Done         bool   `json:"done"`
	LastReviewOn string `json:"last_review_on,omitempty"`
}

// Review returns the review status of a department in scope.
func (s *Service) Review(ctx context.Context, deptID int64) (*ReviewStatus, error) {
	a, err := auth.Require(ctx, staffRoles...)
	if err != nil {
		return nil, err
	}
	if deptID == 0 {
		deptID = a.DepartmentID
	}
	if !a.InScope(deptID) && !a.Has(auth.Supervisor) {
		return nil, yserr.ErrForbidden()
	}
	today := s.today()
	st := &ReviewStatus{DepartmentID: deptID, Quarter: Quarter(today)}
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT COALESCE(MAX(reviewed_on), '') FROM license_reviews WHERE department_id = $1", deptID).Scan(&st.LastReviewOn)
	if err != nil {
		return nil, err
	}
	st.Done = st.LastReviewOn >= QuarterStart(today).String()
	return st, nil
}

// ConfirmReview records that the department reviewed its catalogue this
// quarter (department admin in scope, platform admin). Conflict when this
// quarter's review is already recorded.
func (s *Service) ConfirmReview(ctx context.Context, deptID int64, note string) error {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return err
	}
	if deptID == 0 {
		deptID = a.DepartmentID
	}
	if !a.InScope(deptID) {
		return yserr.ErrForbidden()
	}
	today := s.today()
	q := Quarter(today)
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		_, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO license_reviews (department_id, quarter, reviewed_on, note, by_id, by_name, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7)`, deptID, q, today.String(), note, nullID(a.UserID), a.Name, s.Clock.Now())
		if db.IsUnique(err) {
			return yserr.New(yserr.Conflict, "本季度的目录梳理已确认", "this quarter's review is already confirmed")
		}
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE license_types SET last_review_on = $1 WHERE department_id = $2", today.String(), deptID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "license.review", "department", fmt.Sprint(deptID), nil, q, note)
	})
}
