package license

import (
	"context"
	"strconv"

	"yingshang/internal/auth"
)

// TypeStats are the figures of one licence type.
type TypeStats struct {
	TypeID         int64          `json:"type_id"`
	TypeName       string         `json:"type_name"`
	DepartmentID   int64          `json:"department_id"`
	DepartmentName string         `json:"department_name"`
	Licenses       int            `json:"licenses"`
	Active         int            `json:"active"`
	Renewed        int            `json:"renewed"`
	RenewedInTime  int            `json:"renewed_in_time" doc:"renewed on or before the expiry day"`
	Lapsed         int            `json:"lapsed"`
	Due            int            `json:"due" doc:"licences that came due: renewed, lapsed, or active and within the first reminder window"`
	RenewalRate    float64        `json:"renewal_rate" doc:"renewed_in_time / due, 0-1; 0 when nothing is due"`
	Stages         map[string]int `json:"stages" doc:"stages done per stage key"`
	Sent           map[string]int `json:"sent" doc:"reminder messages per channel that were sent or delivered"`
	Failed         map[string]int `json:"failed" doc:"reminder messages per channel that could not be delivered"`
	Followups      int            `json:"followups" doc:"licences put on the follow-up list"`
	Contacts       int            `json:"contacts" doc:"calls and visits recorded"`
}

// Stats returns the dashboard figures per department and licence type in
// the actor's scope (platform admin, supervisor, department admin).
func (s *Service) Stats(ctx context.Context) ([]*TypeStats, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor, auth.DeptAdmin)
	if err != nil {
		return nil, err
	}
	sc, args := scopeClause(a, "t.department_id", nil)
	byType := map[int64]*TypeStats{}
	var order []*TypeStats
	codes := map[int64]string{}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT t.id, t.code, t.name, t.department_id FROM license_types t
		WHERE 1 = 1`+sc+` ORDER BY t.code, t.id`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		st := &TypeStats{Stages: map[string]int{}, Sent: map[string]int{}, Failed: map[string]int{}}
		var code string
		if err := rows.Scan(&st.TypeID, &code, &st.TypeName, &st.DepartmentID); err != nil {
			rows.Close()
			return nil, err
		}
		codes[st.TypeID] = code
		byType[st.TypeID] = st
		order = append(order, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Every type in scope (no LIMIT), named and ordered by department code.
	depts := make([]int64, len(order))
	for i, st := range order {
		depts[i] = st.DepartmentID
	}
	refs, err := s.deptRefs(ctx, depts)
	if err != nil {
		return nil, err
	}
	for _, st := range order {
		st.DepartmentName = refs[st.DepartmentID].Name
	}
	byDeptCode(order, refs, func(st *TypeStats) int64 { return st.DepartmentID }, func(st *TypeStats) string { return codes[st.TypeID] })
	for _, f := range []func(context.Context, map[int64]*TypeStats) error{s.statusStats, s.stageStats, s.messageStats, s.contactStats} {
		if err := f(ctx, byType); err != nil {
			return nil, err
		}
	}
	for _, st := range order {
		if st.Due > 0 {
			st.RenewalRate = float64(st.RenewedInTime) / float64(st.Due)
		}
	}
	return order, nil
}

// groupedIn runs a query returning (type id, key, count) rows.
func (s *Service) groupedIn(ctx context.Context, query string, args []any, fn func(map[int64]*TypeStats, int64, string, int), m map[int64]*TypeStats) error {
	rows, err := s.DB.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var key string
		var n int
		if err := rows.Scan(&id, &key, &n); err != nil {
			return err
		}
		fn(m, id, key, n)
	}
	return rows.Err()
}

func (s *Service) statusStats(ctx context.Context, m map[int64]*TypeStats) error {
	horizon := s.today().AddDays(30).String()
	return s.groupedIn(ctx, `SELECT l.type_id, l.status || CASE WHEN l.status = 'renewed' AND l.renewed_on <= l.expires_on THEN ':in_time'
		WHEN l.status = 'active' AND l.expires_on <= $1 THEN ':due' ELSE '' END, COUNT(*)
		FROM licenses l GROUP BY l.type_id, 2`, []any{horizon}, func(m map[int64]*TypeStats, id int64, key string, n int) {
		st := m[id]
		if st == nil {
			return
		}
		st.Licenses += n
		switch key {
		case "active", "active:due":
			st.Active += n
			if key == "active:due" {
				st.Due += n
			}
		case "renewed", "renewed:in_time":
			st.Renewed += n
			st.Due += n
			if key == "renewed:in_time" {
				st.RenewedInTime += n
			}
		case "lapsed":
			st.Lapsed += n
			st.Due += n
		}
	}, m)
}

func (s *Service) stageStats(ctx context.Context, m map[int64]*TypeStats) error {
	return s.groupedIn(ctx, `SELECT l.type_id, r.stage, COUNT(*) FROM license_reminders r JOIN licenses l ON l.id = r.license_id
		GROUP BY l.type_id, r.stage`, nil, func(m map[int64]*TypeStats, id int64, key string, n int) {
		if st := m[id]; st != nil {
			st.Stages[key] = n
			if key == StageFollowup {
				st.Followups = n
			}
		}
	}, m)
}

func (s *Service) messageStats(ctx context.Context, m map[int64]*TypeStats) error {
	counts, err := s.Notify.CountsByObject(ctx, "license", MsgReminder, MsgExpired)
	if err != nil || len(counts) == 0 {
		return err
	}
	// The notification counts are per licence; the dashboard is per type.
	typeOf := map[string]int64{}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, type_id FROM licenses")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, typeID int64
		if err := rows.Scan(&id, &typeID); err != nil {
			return err
		}
		typeOf[strconv.FormatInt(id, 10)] = typeID
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range counts {
		st := m[typeOf[c.ObjectID]]
		if st == nil {
			continue
		}
		switch c.Status {
		case "failed":
			st.Failed[c.Channel] += c.Count
		case "sent", "delivered":
			st.Sent[c.Channel] += c.Count
		}
	}
	return nil
}

func (s *Service) contactStats(ctx context.Context, m map[int64]*TypeStats) error {
	return s.groupedIn(ctx, `SELECT l.type_id, '', COUNT(*) FROM license_contacts c JOIN licenses l ON l.id = c.license_id GROUP BY l.type_id`,
		nil, func(m map[int64]*TypeStats, id int64, _ string, n int) {
			if st := m[id]; st != nil {
				st.Contacts = n
			}
		}, m)
}
