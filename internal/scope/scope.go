// Package scope turns an actor into the SQL condition that limits a query
// to the rows the actor may read, so that lists are scoped in the query
// itself, before LIMIT, and never filtered afterwards in Go (a page filtered
// after LIMIT comes back short or empty for a department whose rows are not
// among the first ones).
//
// The rules are the platform's (docs/architecture.md, "Authorisation"):
// the system, platform admins and supervisors read everything; department
// admins and staff read their department scope (their department and every
// department below it, auth.Actor.DeptScope); an enterprise user reads its
// bound entity's rows; anybody, signed in or not, reads what is public.
package scope

import (
	"strconv"
	"strings"

	"yingshang/internal/auth"
)

// Columns names what a query's rows are scoped by. Leave a field empty when
// the rows have no such column: that grant then gives nothing.
type Columns struct {
	Dept   string // the owning department's column, e.g. "c.department_id"
	Entity string // the market entity's column, e.g. "c.entity_id"
	// Public is a condition that holds for rows anybody may read, e.g.
	// "r.status = 'published'"; empty when no row is public.
	Public string
}

// Where returns the condition that keeps the rows a may read, with its
// placeholders numbered after the arguments already in args, and args with
// its values appended. A nil actor is the public. The condition is always
// valid SQL and parenthesised, ready for " AND " + cond.
func Where(a *auth.Actor, c Columns, args []any) (string, []any) {
	if All(a) {
		return "(1 = 1)", args
	}
	var or []string
	if a != nil && a.Has(auth.DeptAdmin, auth.DeptStaff) && c.Dept != "" && len(a.DeptScope) > 0 {
		ph := make([]string, len(a.DeptScope))
		for i, d := range a.DeptScope {
			args = append(args, d)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		or = append(or, c.Dept+" IN ("+strings.Join(ph, ", ")+")")
	}
	if a != nil && a.Has(auth.Enterprise) && c.Entity != "" && a.EntityID != 0 {
		args = append(args, a.EntityID)
		or = append(or, c.Entity+" = $"+strconv.Itoa(len(args)))
	}
	if c.Public != "" {
		or = append(or, c.Public)
	}
	if len(or) == 0 {
		return "(1 = 0)", args
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// All reports whether a reads every row regardless of department or entity:
// the system, platform admins and supervisors.
func All(a *auth.Actor) bool {
	return a != nil && (a.IsSystem() || a.Has(auth.PlatformAdmin, auth.Supervisor))
}
