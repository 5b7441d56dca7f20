package entity

import (
	"context"

	"yingshang/internal/auth"
	"yingshang/internal/yserr"
)

// readRoles may read every entity; writeRoles may create, update and import.
var (
	readRoles  = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor}
	writeRoles = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff}
)

// noEntity limits an enterprise user that is not bound to any entity:
// no entity has this id.
const noEntity = -1

// readAccess returns the caller and, for an enterprise user, the one entity
// id it may read (0: no such limit). Anonymous callers are unauthorized,
// other roles forbidden.
func readAccess(ctx context.Context) (*auth.Actor, int64, error) {
	a := auth.From(ctx)
	switch {
	case a == nil:
		return nil, 0, yserr.ErrUnauthorized()
	case a.IsSystem() || a.Has(readRoles...):
		return a, 0, nil
	case a.Has(auth.Enterprise):
		if a.EntityID == 0 {
			return a, noEntity, nil
		}
		return a, a.EntityID, nil
	}
	return nil, 0, yserr.ErrForbidden()
}

// mayUnmask reports whether a may see the personal data of the entity
// with the given id and managing department.
func mayUnmask(a *auth.Actor, entityID, deptID int64) bool {
	switch {
	case a == nil:
		return false
	case a.IsSystem() || a.Has(auth.PlatformAdmin):
		return true
	case a.Has(auth.DeptAdmin, auth.DeptStaff) && deptID != 0 && a.InScope(deptID):
		return true
	case a.Has(auth.Enterprise) && entityID != 0 && a.EntityID == entityID:
		return true
	}
	return false
}

// mayWrite reports whether a may change an entity managed by deptID (0:
// none).
func mayWrite(a *auth.Actor, deptID int64) bool {
	switch {
	case a == nil:
		return false
	case a.IsSystem() || a.Has(auth.PlatformAdmin):
		return true
	case a.Has(auth.DeptAdmin, auth.DeptStaff):
		return deptID == 0 || a.InScope(deptID)
	}
	return false
}

// newDepartment decides the managing department of a new entity: the one
// requested when the caller's scope covers it, otherwise the caller's own
// (none for the platform admin and the system).
func newDepartment(a *auth.Actor, requested int64) (int64, error) {
	if requested != 0 {
		if !a.InScope(requested) {
			return 0, errDeptScope()
		}
		return requested, nil
	}
	if a.IsSystem() || a.Has(auth.PlatformAdmin) {
		return 0, nil
	}
	return a.DepartmentID, nil
}

func errDeptScope() *yserr.Error {
	e := yserr.Field(FieldDepartment, "不能将经营主体交由本部门管辖范围以外的部门管理",
		"you cannot assign the entity to a department outside your scope")
	e.Code = yserr.Forbidden
	return e
}

func errNotFound() *yserr.Error { return yserr.ErrNotFound("经营主体", "market entity") }

func errOtherDept() *yserr.Error {
	return yserr.New(yserr.Forbidden, "该经营主体由其他部门管理，无权修改", "the entity is managed by another department; you may not change it")
}
