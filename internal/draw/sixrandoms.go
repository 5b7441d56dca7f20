package draw

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// SessionLength is how long a room is booked from the opening time.
const SessionLength = 4 * time.Hour

// CommitPeople commits the draw of the intake staff member (kind "staff",
// one) or of the witnesses (kind "witness", count) for a project.
func (s *Service) CommitPeople(ctx context.Context, projectID int64, kind string, count int) (*Draw, error) {
	p, err := s.project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if _, err := staff(ctx, p.DepartmentID); err != nil {
		return nil, err
	}
	purpose := map[string]string{"staff": "staff", "witness": "witnesses"}[kind]
	if purpose == "" {
		return nil, yserr.Field("kind", "类型须为 staff 或 witness", "kind must be staff or witness")
	}
	if count < 1 || count > 5 || (kind == "staff" && count != 1) {
		return nil, yserr.Field("count", "人数不正确", "bad count")
	}
	var done int
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM draws WHERE project_id = $1 AND purpose = $2", p.ID, purpose).Scan(&done); err != nil {
		return nil, err
	}
	if done > 0 {
		return nil, yserr.New(yserr.Conflict, "该项目已进行过此项抽取", "this project already has this draw")
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT pseudonym, status FROM draw_people WHERE kind = $1 ORDER BY pseudonym", kind)
	if err != nil {
		return nil, err
	}
	list := CandidateList{Candidates: []Candidate{}, Excluded: []Exclusion{}}
	for rows.Next() {
		var ps, st string
		if err := rows.Scan(&ps, &st); err != nil {
			rows.Close()
			return nil, err
		}
		if st != "active" {
			list.Excluded = append(list.Excluded, Exclusion{ID: ps, Reasons: []string{ReasonNotActive}})
			continue
		}
		list.Candidates = append(list.Candidates, Candidate{ID: ps, Groups: []string{kind}})
	}
	rows.Close()
	if len(list.Candidates) < count {
		return nil, s.failDraw(ctx, strconv.FormatInt(p.ID, 10),
			fmt.Sprintf("%s需要 %d 人，在岗 %d 人", GroupLabel(kind, "zh-CN"), count, len(list.Candidates)),
			fmt.Sprintf("%s: %d needed, %d active", GroupLabel(kind, "en"), count, len(list.Candidates)))
	}
	spec := Spec{Algorithm: AlgorithmVersion, Purpose: purpose, Subject: p.Code,
		Groups: []Group{{Name: kind, Count: count}}, Rules: map[string]string{"status": "active"}}
	return s.commit(ctx, pending{purpose: purpose, project: p, list: list, spec: spec})
}

func (s *Service) applyPeople(ctx context.Context, d *Draw, rec *Record) error {
	for _, pk := range rec.Picks {
		var id int64
		var kind string
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id, kind FROM draw_people WHERE pseudonym = $1", pk.ID).Scan(&id, &kind); err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO draw_project_people (project_id, person_id, role, draw_id) VALUES ($1,$2,$3,$4)",
			d.ProjectID, id, kind, d.ID); err != nil {
			return err
		}
	}
	return nil
}

// CommitVenues commits the draw of a main room and secondary rooms among
// the rooms free during the project's session.
func (s *Service) CommitVenues(ctx context.Context, projectID int64, secondary int) (*Draw, error) {
	p, err := s.project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if _, err := staff(ctx, p.DepartmentID); err != nil {
		return nil, err
	}
	if secondary < 0 || secondary > 10 {
		return nil, yserr.Field("secondary", "副场数量须在 0 到 10 之间", "secondary rooms must be 0 to 10")
	}
	end := p.OpeningAt.Add(SessionLength)
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT r.code, r.status, (SELECT COUNT(*) FROM draw_bookings b WHERE b.room_id = r.id
		AND b.starts_at < $1 AND b.ends_at > $2) FROM draw_rooms r ORDER BY r.code`, end, p.OpeningAt)
	if err != nil {
		return nil, err
	}
	list := CandidateList{Candidates: []Candidate{}, Excluded: []Exclusion{}}
	for rows.Next() {
		var code, st string
		var busy int
		if err := rows.Scan(&code, &st, &busy); err != nil {
			rows.Close()
			return nil, err
		}
		switch {
		case st != "active":
			list.Excluded = append(list.Excluded, Exclusion{ID: code, Reasons: []string{ReasonNotActive}})
		case busy > 0:
			list.Excluded = append(list.Excluded, Exclusion{ID: code, Reasons: []string{ReasonUnavailable}})
		default:
			list.Candidates = append(list.Candidates, Candidate{ID: code, Groups: []string{"main", "secondary"}})
		}
	}
	rows.Close()
	if len(list.Candidates) < 1+secondary {
		at := p.OpeningAt.In(shanghai).Format("2006-01-02 15:04")
		return nil, s.failDraw(ctx, strconv.FormatInt(p.ID, 10),
			fmt.Sprintf("需要评标室 %d 间，%s 空闲 %d 间", 1+secondary, at, len(list.Candidates)),
			fmt.Sprintf("rooms needed %d, %d free at %s", 1+secondary, len(list.Candidates), at))
	}
	spec := Spec{Algorithm: AlgorithmVersion, Purpose: "venues", Subject: p.Code,
		Groups: []Group{{Name: "main", Count: 1}, {Name: "secondary", Count: secondary}},
		Rules:  map[string]string{"free_from": FormatTime(p.OpeningAt), "free_to": FormatTime(end)}}
	return s.commit(ctx, pending{purpose: "venues", project: p, list: list, spec: spec})
}

func (s *Service) applyVenues(ctx context.Context, d *Draw, rec *Record) error {
	p, err := s.project(ctx, d.ProjectID)
	if err != nil {
		return err
	}
	for _, pk := range rec.Picks {
		var roomID int64
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM draw_rooms WHERE code = $1", pk.ID).Scan(&roomID); err != nil {
			return err
		}
		var busy int
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM draw_bookings WHERE room_id = $1 AND starts_at < $2 AND ends_at > $3",
			roomID, p.OpeningAt.Add(SessionLength), p.OpeningAt).Scan(&busy); err != nil {
			return err
		}
		if busy > 0 {
			return yserr.New(yserr.Conflict, "房间 "+pk.ID+" 已被预订，请重新抽取", "room "+pk.ID+" was booked meanwhile; commit a new draw")
		}
		_, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO draw_bookings (room_id, project_id, role, starts_at, ends_at, draw_id, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7)`, roomID, p.ID, pk.Group, p.OpeningAt, p.OpeningAt.Add(SessionLength), d.ID, s.Clock.Now())
		if db.IsUnique(err) {
			return yserr.New(yserr.Conflict, "房间 "+pk.ID+" 已被预订", "room "+pk.ID+" is already booked")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Booking is a room booked for a project.
type Booking struct {
	Room      string    `json:"room"`
	Venue     string    `json:"venue"`
	Role      string    `json:"role" enum:"main,secondary"`
	StartsAt  time.Time `json:"starts_at"`
	ProjectID int64     `json:"project_id"`
}

// Bookings lists a project's booked rooms.
func (s *Service) Bookings(ctx context.Context, projectID int64) ([]Booking, error) {
	if _, err := s.Project(ctx, projectID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT r.code, r.venue, b.role, b.starts_at, b.project_id FROM draw_bookings b
		JOIN draw_rooms r ON r.id = b.room_id WHERE b.project_id = $1 ORDER BY b.role, r.code`, projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Booking
	for rows.Next() {
		var b Booking
		if err := rows.Scan(&b.Room, &b.Venue, &b.Role, &b.StartsAt, &b.ProjectID); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// ProjectPeople lists the staff and witnesses drawn for a project.
func (s *Service) ProjectPeople(ctx context.Context, projectID int64) ([]Person, error) {
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	names := seesNames(ctx, p)
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT pp.id, pp.kind, pp.pseudonym, pp.name, pp.status FROM draw_project_people x
		JOIN draw_people pp ON pp.id = x.person_id WHERE x.project_id = $1 ORDER BY pp.kind, pp.pseudonym`, projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var pp Person
		if err := rows.Scan(&pp.ID, &pp.Kind, &pp.Pseudonym, &pp.Name, &pp.Status); err != nil {
			return nil, err
		}
		if !names {
			pp.Name = ""
		}
		out = append(out, pp)
	}
	return out, rows.Err()
}

// CommitSeats commits the seat draw for every project whose session starts
// at the given time: each confirmed or called expert gets a room among the
// rooms booked for those projects, so that no two experts of one project
// share a room and no room exceeds its seats.
func (s *Service) CommitSeats(ctx context.Context, startsAt time.Time) (*Draw, error) {
	if err := s.managePools(ctx); err != nil {
		return nil, err
	}
	st, err := s.sessionSeating(ctx, startsAt)
	if err != nil {
		return nil, err
	}
	list := CandidateList{Candidates: []Candidate{}, Excluded: []Exclusion{}}
	for _, r := range st.Rooms {
		list.Candidates = append(list.Candidates, Candidate{ID: r.ID, Groups: []string{"room"}})
	}
	spec := Spec{Algorithm: AlgorithmVersion, Purpose: "seats", Subject: FormatTime(startsAt), Groups: []Group{},
		Rules: map[string]string{"same_project_different_rooms": "on", "capacity": "on"}, Seating: st}
	if _, err := AssignSeats(NewDRBG(make([]byte, 32)), st.Projects, st.Rooms); err != nil {
		return nil, yserr.New(yserr.Conflict, "无法安排席位："+err.Error(), "seating is impossible: "+err.Error())
	}
	return s.commit(ctx, pending{purpose: "seats", list: list, spec: spec})
}

func (s *Service) sessionSeating(ctx context.Context, startsAt time.Time) (*Seating, error) {
	st := &Seating{Projects: []SeatProject{}, Rooms: []Room{}}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT DISTINCT r.code, r.capacity FROM draw_bookings b JOIN draw_rooms r ON r.id = b.room_id
		WHERE b.starts_at = $1 ORDER BY r.code`, startsAt)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var r Room
		if err := rows.Scan(&r.ID, &r.Capacity); err != nil {
			rows.Close()
			return nil, err
		}
		st.Rooms = append(st.Rooms, r)
	}
	rows.Close()
	// Experts appear under their per-project pseudonyms (Alias).
	rows, err = s.DB.Q(ctx).Query(ctx, `SELECT p.code, `+aliasCol+` AS ps FROM draw_assignments a JOIN draw_projects p ON p.id = a.project_id
		JOIN draw_experts e ON e.id = a.expert_id WHERE p.opening_at = $1 AND a.status IN ('notified','confirmed')
		ORDER BY p.code, ps`, startsAt)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var code, ps string
		if err := rows.Scan(&code, &ps); err != nil {
			return nil, err
		}
		if n := len(st.Projects); n == 0 || st.Projects[n-1].ID != code {
			st.Projects = append(st.Projects, SeatProject{ID: code})
		}
		last := &st.Projects[len(st.Projects)-1]
		last.Experts = append(last.Experts, ps)
	}
	if len(st.Projects) == 0 || len(st.Rooms) == 0 {
		return nil, yserr.New(yserr.Conflict, "该场次没有已抽取的专家或已预订的房间", "no drawn experts or booked rooms for that session")
	}
	return st, rows.Err()
}

func (s *Service) applySeats(ctx context.Context, d *Draw, rec *Record) error {
	for _, pk := range rec.Picks {
		if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE draw_assignments SET room_id = (SELECT id FROM draw_rooms WHERE code = $1)
			WHERE (alias = $2 OR (alias = '' AND expert_id = (SELECT id FROM draw_experts WHERE pseudonym = $2))) AND status IN ('notified','confirmed')
			AND project_id IN (SELECT id FROM draw_projects WHERE code = $3)`, pk.Group, pk.ID, projectOf(rec.Spec.Seating, pk.ID)); err != nil {
			return err
		}
	}
	return nil
}

func projectOf(st *Seating, expert string) string {
	for _, p := range st.Projects {
		for _, e := range p.Experts {
			if e == expert {
				return p.ID
			}
		}
	}
	return ""
}
