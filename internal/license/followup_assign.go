package license

// Hand-off inside a unit (单位内部分派, issue 18 item 14): the department
// admin assigns follow-up list entries to named staff of the department;
// each member of staff sees their own list (MyFollowups) as well as the
// department's.

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// MyFollowups is the follow-up list assigned to the actor (department
// staff), with the same content as Followups.
func (s *Service) MyFollowups(ctx context.Context, overdueOnly bool) ([]*FollowupItem, error) {
	if _, err := auth.Require(ctx, auth.DeptStaff); err != nil {
		return nil, err
	}
	return s.followups(ctx, 0, overdueOnly, true)
}

// StaffRef names a member of staff who can take follow-ups.
type StaffRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Assignable lists the active staff of a department in the actor's scope
// (department admin, platform admin), by name.
func (s *Service) Assignable(ctx context.Context, deptID int64) ([]StaffRef, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return nil, err
	}
	if !a.InScope(deptID) {
		return nil, yserr.ErrForbidden()
	}
	ids, err := s.Accounts.DeptUsers(ctx, deptID, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	refs, err := s.Accounts.UserRefs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := []StaffRef{}
	for _, id := range ids {
		if r, ok := refs[id]; ok && r.Active && r.DepartmentID == deptID {
			out = append(out, StaffRef{ID: id, Name: displayName(r)})
		}
	}
	slices.SortFunc(out, func(x, y StaffRef) int {
		if x.Name < y.Name {
			return -1
		}
		if x.Name > y.Name {
			return 1
		}
		return int(x.ID - y.ID)
	})
	return out, nil
}

func displayName(r account.UserRef) string {
	if r.DisplayName != "" {
		return r.DisplayName
	}
	return r.Username
}

// AssignFollowup assigns an open follow-up entry (by its followup id) to a
// member of staff of the entry's department, or clears it (staffID 0).
// Department admin in scope or platform admin; an entry out of scope is
// not found; someone who is not active staff of that department gives
// yserr.Invalid on "assignee_id"; a closed entry is a conflict.
func (s *Service) AssignFollowup(ctx context.Context, followupID, staffID int64) error {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		var dept, licenseID, before int64
		var status string
		err := s.DB.Q(ctx).QueryRow(ctx, "SELECT department_id, license_id, status, COALESCE(assignee_id, 0) FROM license_followups WHERE id = $1",
			followupID).Scan(&dept, &licenseID, &status, &before)
		if db.IsNoRows(err) || err == nil && !a.InScope(dept) {
			return yserr.ErrNotFound("待跟进事项", "follow-up entry")
		}
		if err != nil {
			return err
		}
		if status != "open" {
			return yserr.New(yserr.Conflict, "该事项已结束跟进", "the follow-up entry is closed")
		}
		var assignee any
		name := ""
		if staffID != 0 {
			staff, err := s.Accounts.DeptUsers(ctx, dept, auth.DeptStaff)
			if err != nil {
				return err
			}
			refs, err := s.Accounts.UserRefs(ctx, []int64{staffID})
			if err != nil {
				return err
			}
			r, ok := refs[staffID]
			if !ok || !r.Active || r.DepartmentID != dept || !slices.Contains(staff, staffID) {
				return yserr.Field("assignee_id", "只能分派给本单位在岗的工作人员", "assign to an active member of staff of the department")
			}
			assignee, name = staffID, displayName(r)
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE license_followups SET assignee_id = $1 WHERE id = $2", assignee, followupID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "license.followup_assign", "license", strconv.FormatInt(licenseID, 10),
			map[string]int64{"assignee_id": before}, map[string]int64{"assignee_id": staffID}, fmt.Sprintf("follow-up %d assigned to %s", followupID, name))
	})
}

// nameAssignees fills the assignees' names in one call.
func (s *Service) nameAssignees(ctx context.Context, items []*FollowupItem) error {
	var ids []int64
	for _, it := range items {
		if it.AssigneeID != 0 {
			ids = append(ids, it.AssigneeID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	refs, err := s.Accounts.UserRefs(ctx, ids)
	if err != nil {
		return err
	}
	for _, it := range items {
		if r, ok := refs[it.AssigneeID]; ok {
			it.AssigneeName = displayName(r)
		}
	}
	return nil
}
