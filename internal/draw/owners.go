package draw

import (
	"context"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// This file is the draw module's Go API for the modules built on it
// (bideval): they read projects, draws, experts and assignments here and
// never name draw_* tables in their own SQL. None of these functions checks
// access: the calling module decides who may see what it shows.

// ProjectAwarded is a project's status once its award is confirmed.
const ProjectAwarded = "awarded"

// MarkAwarded records that the evaluation of the project ended in an award
// (in the caller's transaction). It returns NotFound for an unknown project.
func (s *Service) MarkAwarded(ctx context.Context, projectID int64) error {
	tag, err := s.DB.Q(ctx).Exec(ctx, "UPDATE draw_projects SET status = $1, updated_at = $2 WHERE id = $3", ProjectAwarded, s.Clock.Now(), projectID)
	if err != nil {
		return err
	}
	if tag == 0 {
		return yserr.ErrNotFound("项目", "project")
	}
	return nil
}

// ProjectDraw is one draw of a project, as a public page links it.
type ProjectDraw struct {
	ID      int64
	Purpose string
	Status  string
	DrawnAt *time.Time
}

// ProjectDraws lists the draws of a project, oldest first.
func (s *Service) ProjectDraws(ctx context.Context, projectID int64) ([]ProjectDraw, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, purpose, status, drawn_at FROM draws WHERE project_id = $1 ORDER BY id", projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ProjectDraw
	for rows.Next() {
		var d ProjectDraw
		if err := rows.Scan(&d.ID, &d.Purpose, &d.Status, &d.DrawnAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ExpertOfUser returns the pool expert linked to a user account, 0 when the
// user is none.
func (s *Service) ExpertOfUser(ctx context.Context, userID int64) (int64, error) {
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM draw_experts WHERE user_id = $1", userID).Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, err
}

// ExpertNames returns a pool expert's name and pseudonym; NotFound for an
// unknown id.
func (s *Service) ExpertNames(ctx context.Context, expertID int64) (name, pseudonym string, err error) {
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT name, pseudonym FROM draw_experts WHERE id = $1", expertID).Scan(&name, &pseudonym)
	if db.IsNoRows(err) {
		return "", "", yserr.ErrNotFound("专家", "expert")
	}
	return name, pseudonym, err
}

// ExpertOnProject returns an expert's name and the pseudonym under which the
// expert appears on the project (the per-project alias; the pool's stable
// pseudonym for projects drawn before aliases).
func (s *Service) ExpertOnProject(ctx context.Context, projectID, expertID int64) (name, pseudonym string, err error) {
	err = s.DB.Q(ctx).QueryRow(ctx, `SELECT e.name, COALESCE((SELECT a.alias FROM draw_assignments a WHERE a.project_id = $2 AND a.expert_id = e.id
		AND a.alias <> '' ORDER BY a.id LIMIT 1), e.pseudonym) FROM draw_experts e WHERE e.id = $1`, expertID, projectID).Scan(&name, &pseudonym)
	if db.IsNoRows(err) {
		return "", "", yserr.ErrNotFound("专家", "expert")
	}
	return name, pseudonym, err
}

// ConfirmedAssignment returns the id of the expert's first confirmed
// assignment on the project, 0 when there is none.
func (s *Service) ConfirmedAssignment(ctx context.Context, projectID, expertID int64) (int64, error) {
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT id FROM draw_assignments WHERE project_id = $1 AND expert_id = $2 AND status = 'confirmed'
		ORDER BY id LIMIT 1`, projectID, expertID).Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, err
}

// CommitteeSeat is an expert's assignment on a project with what the evaluation
// needs to know about the expert. Pseudonym is the project's alias for the
// expert (the pool's stable pseudonym on projects drawn before aliases).
type CommitteeSeat struct {
	AssignmentID int64
	ExpertID     int64
	Pseudonym    string
	Name         string
	Group        string
	Status       string
	UserID       int64    // the expert's account, 0 when none
	EmployerUSCC string   // for conflict checks
	Relations    []string // declared related credit codes
}

// CommitteeSeats lists a project's assignments in one of the statuses (all when
// none are given), in committee order: group (economic after technical),
// draw, then draw order.
func (s *Service) CommitteeSeats(ctx context.Context, projectID int64, statuses ...string) ([]CommitteeSeat, error) {
	q := `SELECT a.id, e.id, COALESCE(NULLIF(a.alias, ''), e.pseudonym), e.name, a.group_name, a.status, COALESCE(e.user_id, 0), e.employer_uscc, e.relations
		FROM draw_assignments a JOIN draw_experts e ON e.id = a.expert_id WHERE a.project_id = $1`
	args := []any{projectID}
	if len(statuses) > 0 {
		ph := make([]string, len(statuses))
		for i, st := range statuses {
			args = append(args, st)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		q += " AND a.status IN (" + strings.Join(ph, ", ") + ")"
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+" ORDER BY a.group_name DESC, a.draw_id, a.draw_order, a.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CommitteeSeat
	for rows.Next() {
		var st CommitteeSeat
		var rel string
		if err := rows.Scan(&st.AssignmentID, &st.ExpertID, &st.Pseudonym, &st.Name, &st.Group, &st.Status, &st.UserID, &st.EmployerUSCC, &rel); err != nil {
			return nil, err
		}
		for _, r := range strings.Split(rel, ",") {
			if r = strings.TrimSpace(r); r != "" {
				st.Relations = append(st.Relations, r)
			}
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// ProjectsByID returns the projects with the ids (no access check), in one
// query per thousand ids; unknown ids are absent from the map.
func (s *Service) ProjectsByID(ctx context.Context, ids []int64) (map[int64]*Project, error) {
	out := map[int64]*Project{}
	const batch = 1000
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(len(ids), start+batch)]
		args := make([]any, len(part))
		ph := make([]string, len(part))
		for i, id := range part {
			args[i] = id
			ph[i] = "$" + strconv.Itoa(i+1)
		}
		rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+projectCols+" FROM draw_projects WHERE id IN ("+strings.Join(ph, ", ")+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			p, err := scanProject(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[p.ID] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ProjectIDByName returns the id of the oldest project with the name, 0
// when there is none.
func (s *Service) ProjectIDByName(ctx context.Context, name string) (int64, error) {
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM draw_projects WHERE name = $1 ORDER BY id LIMIT 1", name).Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, err
}

// ProjectIDsFor returns the ids of the projects in any of the departments,
// tendered by the credit code, or where the expert holds a confirmed
// assignment (each criterion skipped when empty or 0), for a module that
// scopes its own rows by project in SQL.
func (s *Service) ProjectIDsFor(ctx context.Context, depts []int64, tendererUSCC string, expertID int64) ([]int64, error) {
	var conds []string
	var args []any
	if len(depts) > 0 {
		ph := make([]string, len(depts))
		for i, d := range depts {
			args = append(args, d)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		conds = append(conds, "department_id IN ("+strings.Join(ph, ", ")+")")
	}
	if tendererUSCC != "" {
		args = append(args, tendererUSCC)
		conds = append(conds, "tenderer_uscc = $"+strconv.Itoa(len(args)))
	}
	if expertID != 0 {
		args = append(args, expertID)
		conds = append(conds, "id IN (SELECT project_id FROM draw_assignments WHERE expert_id = $"+strconv.Itoa(len(args))+" AND status = 'confirmed')")
	}
	out := []int64{}
	if len(conds) == 0 {
		return out, nil
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id FROM draw_projects WHERE "+strings.Join(conds, " OR ")+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
