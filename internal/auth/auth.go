// Package auth defines who is acting (the Actor), the roles, and the checks
// that services use to decide what an actor may see and do. Authorisation
// lives in the service layer: handlers only put the actor in the context.
package auth

import (
	"context"
	"slices"

	"yingshang/internal/yserr"
)

// Role is a named set of permissions.
type Role string

const (
	PlatformAdmin Role = "platform_admin" // 平台管理员: the business-environment office
	DeptAdmin     Role = "dept_admin"     // 部门管理员
	DeptStaff     Role = "dept_staff"     // 部门工作人员
	Supervisor    Role = "supervisor"     // 监督人员: read-only audit, draws, proofs
	Enterprise    Role = "enterprise"     // 企业用户, bound to one entity
	// Expert is an evaluation expert (评标专家): a user linked to a record of
	// the expert pool (draw_experts.user_id) who scores the projects on
	// which he or she has a confirmed assignment (module bideval).
	Expert Role = "expert"
)

// AllRoles lists the core roles in display order.
var AllRoles = []Role{PlatformAdmin, DeptAdmin, DeptStaff, Supervisor, Enterprise, Expert}

// Label returns the role's name in the language ("en" or Chinese).
func (r Role) Label(lang string) string {
	zh := map[Role][2]string{
		PlatformAdmin: {"平台管理员", "Platform admin"},
		DeptAdmin:     {"部门管理员", "Department admin"},
		DeptStaff:     {"部门工作人员", "Department staff"},
		Supervisor:    {"监督人员", "Supervisor"},
		Enterprise:    {"企业用户", "Enterprise user"},
		Expert:        {"评标专家", "Evaluation expert"},
	}[r]
	if zh[0] == "" {
		return string(r)
	}
	if lang == "en" {
		return zh[1]
	}
	return zh[0]
}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool { return slices.Contains(AllRoles, r) }

// Actor is the authenticated caller.
type Actor struct {
	UserID       int64
	Username     string
	Name         string
	Roles        []Role
	DepartmentID int64 // 0 when none
	// Departments the actor's department scope covers: its own and all
	// below it. Filled at authentication.
	DeptScope []int64
	EntityID  int64  // bound market entity for enterprise users, 0 otherwise
	Via       string // session | token | system
	// MustChangePassword is set on a session whose password an
	// administrator chose: it may only change the password or sign out.
	MustChangePassword bool
}

// Has reports whether the actor holds any of the roles.
func (a *Actor) Has(roles ...Role) bool {
	if a == nil {
		return false
	}
	for _, r := range roles {
		if slices.Contains(a.Roles, r) {
			return true
		}
	}
	return false
}

// IsSystem reports whether the actor is the platform itself (jobs, CLI).
func (a *Actor) IsSystem() bool { return a != nil && a.Via == "system" }

// InScope reports whether department id is within the actor's department scope.
func (a *Actor) InScope(deptID int64) bool {
	if a == nil {
		return false
	}
	if a.IsSystem() || a.Has(PlatformAdmin) {
		return true
	}
	return deptID != 0 && slices.Contains(a.DeptScope, deptID)
}

// System returns an actor for work done by the platform itself.
func System(name string) *Actor {
	return &Actor{Username: name, Name: name, Via: "system", Roles: []Role{PlatformAdmin}}
}

type actorKey struct{}

// WithActor stores the actor in ctx.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// From returns the actor in ctx, or nil for an anonymous caller.
func From(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// Require returns the actor if it holds one of roles (any role when none
// are given): Unauthorized when anonymous, Forbidden otherwise.
func Require(ctx context.Context, roles ...Role) (*Actor, error) {
	a := From(ctx)
	if a == nil {
		return nil, yserr.ErrUnauthorized()
	}
	if a.IsSystem() || len(roles) == 0 || a.Has(roles...) {
		return a, nil
	}
	return nil, yserr.ErrForbidden()
}
