package draw

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

var (
	dateRe      = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	specialtyRe = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,11}$`)
)

// managePools is who may change the pools, rooms and witnesses: the
// platform admin and the staff of the trading centre's department (or a
// department below it). Staff of any other department are refused even
// though they hold the same role.
func (s *Service) managePools(ctx context.Context) error {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return err
	}
	if a.IsSystem() || a.Has(auth.PlatformAdmin) {
		return nil
	}
	id, err := s.centreID(ctx)
	if err != nil {
		return err
	}
	if id == 0 || !a.InScope(id) {
		return yserr.New(yserr.Forbidden, "专家库、评标室和见证人员仅由公共资源交易中心管理", "only the trading centre manages the expert pool, rooms and witnesses")
	}
	return nil
}

// centreID returns the id of the trading centre's department, 0 when no
// department has the configured code.
func (s *Service) centreID(ctx context.Context) (int64, error) {
	return s.Accounts.DepartmentByCode(ctx, s.CentreDept)
}

func joinList(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return "," + strings.Join(xs, ",") + ","
}

func splitList(s string) []string {
	out := []string{}
	for _, x := range strings.Split(strings.Trim(s, ","), ",") {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// Validate checks and normalises the input.
func (in *ExpertInput) Validate() error {
	var v yserr.Validation
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		v.Add("name", "请填写姓名", "name is required")
	}
	in.Specialties = normCodes(in.Specialties)
	if len(in.Specialties) == 0 {
		v.Add("specialties", "请填写至少一个专业代码", "at least one specialty code is required")
	}
	for _, c := range in.Specialties {
		if !specialtyRe.MatchString(c) {
			v.Add("specialties", "专业代码格式不正确："+c, "bad specialty code: "+c)
		}
	}
	in.EmployerUSCC = ident.NormalizeUSCC(in.EmployerUSCC)
	if in.EmployerUSCC != "" {
		if err := ident.ValidateUSCC(in.EmployerUSCC); err != nil {
			v.Add("employer_uscc", "工作单位统一社会信用代码无效", "employer credit code is invalid")
		}
	}
	for i, r := range in.Relations {
		in.Relations[i] = ident.NormalizeUSCC(r)
		if ident.ValidateUSCC(in.Relations[i]) != nil {
			v.Add("relations", "关联单位信用代码无效："+r, "related credit code is invalid: "+r)
		}
	}
	if in.Status == "" {
		in.Status = ExpertActive
	}
	if !slices.Contains([]string{ExpertActive, ExpertSuspended, ExpertRemoved}, in.Status) {
		v.Add("status", "状态须为 active、suspended 或 removed", "status must be active, suspended or removed")
	}
	for f, d := range map[string]string{"unavailable_until": in.UnavailableTo, "penalised_until": in.PenalisedUntil} {
		if d != "" && !dateRe.MatchString(d) {
			v.Add(f, "日期格式须为 YYYY-MM-DD", "date must be YYYY-MM-DD")
		}
	}
	return v.Err()
}

func normCodes(xs []string) []string {
	var out []string
	for _, x := range xs {
		for _, p := range strings.FieldsFunc(x, func(r rune) bool { return r == ',' || r == ' ' || r == '，' || r == ';' }) {
			p = strings.ToUpper(strings.TrimSpace(p))
			if p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out
}

func (s *Service) pseudonym(prefix string) (string, error) {
	b := make([]byte, 5)
	if _, err := io.ReadFull(s.rand(), b); err != nil {
		return "", err
	}
	return prefix + strings.ToUpper(hex.EncodeToString(b)), nil
}

func (s *Service) userID(ctx context.Context, username string) (any, error) {
	if username == "" {
		return nil, nil
	}
	id, err := s.Accounts.LookupUser(ctx, username)
	if err != nil {
		return nil, err
	}
	ent, err := s.Accounts.IsEnterpriseUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if ent {
		// A bidder's account linked to an expert, an intake clerk or a
		// witness would let the bidder score, stamp or watch its own bid.
		return nil, yserr.Field("username", "企业账号不能关联专家、受理人员或见证人员："+username,
			"an enterprise account cannot be linked to an expert, clerk or witness: "+username)
	}
	return id, nil
}

// CreateExpert adds an expert to the pool.
func (s *Service) CreateExpert(ctx context.Context, in ExpertInput) (*Expert, error) {
	if err := s.managePools(ctx); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		uid, err := s.userID(ctx, in.Username)
		if err != nil {
			return err
		}
		ps, err := s.pseudonym("E-")
		if err != nil {
			return err
		}
		var phone []byte
		if in.Phone != "" {
			phone = s.Keys.Encrypt(in.Phone)
		}
		now := s.Clock.Now()
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO draw_experts (pseudonym, name, user_id, phone_enc, phone_mask, specialties,
			employer_uscc, employer_name, region_code, title, status, relations, unavailable_until, penalised_until, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$15) RETURNING id`,
			ps, in.Name, uid, phone, maskPhone(in.Phone), joinList(in.Specialties), in.EmployerUSCC, in.EmployerName,
			in.Region, in.Title, in.Status, joinList(in.Relations), in.UnavailableTo, in.PenalisedUntil, now).Scan(&id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "draw.expert.create", "draw_expert", strconv.FormatInt(id, 10), nil, in, ps)
	})
	if err != nil {
		return nil, err
	}
	return s.Expert(ctx, id)
}

// SetExpertStatus suspends, removes or reactivates an expert.
func (s *Service) SetExpertStatus(ctx context.Context, id int64, status string) error {
	if err := s.managePools(ctx); err != nil {
		return err
	}
	if !slices.Contains([]string{ExpertActive, ExpertSuspended, ExpertRemoved}, status) {
		return yserr.Field("status", "状态须为 active、suspended 或 removed", "status must be active, suspended or removed")
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		before, err := s.Expert(ctx, id)
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE draw_experts SET status = $1, updated_at = $2 WHERE id = $3", status, s.Clock.Now(), id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "draw.expert.status", "draw_expert", strconv.FormatInt(id, 10), before.Status, status, "")
	})
}

func maskPhone(p string) string {
	if len(p) < 7 {
		return ""
	}
	return p[:3] + "****" + p[len(p)-4:]
}

const expertCols = `id, pseudonym, name, COALESCE(user_id, 0), phone_mask, specialties, employer_uscc, employer_name,
	region_code, title, status, relations, unavailable_until, penalised_until`

func scanExpert(r db.Row) (*Expert, error) {
	var e Expert
	var spec, rel string
	if err := r.Scan(&e.ID, &e.Pseudonym, &e.Name, &e.UserID, &e.PhoneMask, &spec, &e.EmployerUSCC, &e.EmployerName,
		&e.Region, &e.Title, &e.Status, &rel, &e.UnavailableTo, &e.PenalisedUntil); err != nil {
		return nil, err
	}
	e.Specialties, e.Relations = splitList(spec), splitList(rel)
	return &e, nil
}

// Expert returns one expert (staff and supervisors).
func (s *Service) Expert(ctx context.Context, id int64) (*Expert, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return nil, err
	}
	e, err := scanExpert(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+expertCols+" FROM draw_experts WHERE id = $1", id))
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("专家", "expert")
	}
	return e, err
}

// ExpertFilter filters the pool listing.
type ExpertFilter struct {
	Q         string `query:"q" doc:"name, employer or pseudonym contains"`
	Specialty string `query:"specialty"`
	Status    string `query:"status" enum:"active,suspended,removed"`
	Page      int    `query:"page"`
	PerPage   int    `query:"per_page"`
}

// Experts lists the pool (staff and supervisors).
func (s *Service) Experts(ctx context.Context, f ExpertFilter) ([]Expert, int64, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return nil, 0, err
	}
	where, args := "1=1", []any{}
	if f.Q != "" {
		args = append(args, "%"+f.Q+"%")
		where += fmt.Sprintf(" AND (name LIKE $%d OR employer_name LIKE $%d OR pseudonym LIKE $%d)", len(args), len(args), len(args))
	}
	if f.Specialty != "" {
		args = append(args, "%,"+strings.ToUpper(f.Specialty)+",%")
		where += fmt.Sprintf(" AND specialties LIKE $%d", len(args))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where += fmt.Sprintf(" AND status = $%d", len(args))
	}
	var total int64
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM draw_experts WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	page, per := max(f.Page, 1), f.PerPage
	if per <= 0 || per > 200 {
		per = 50
	}
	args = append(args, per, (page-1)*per)
	rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf("SELECT %s FROM draw_experts WHERE %s ORDER BY id LIMIT $%d OFFSET $%d",
		expertCols, where, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Expert
	for rows.Next() {
		e, err := scanExpert(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *e)
	}
	return out, total, rows.Err()
}

// CreatePerson adds an intake staff member or a witness.
func (s *Service) CreatePerson(ctx context.Context, kind, name, username string) (*Person, error) {
	if err := s.managePools(ctx); err != nil {
		return nil, err
	}
	var v yserr.Validation
	if kind != "staff" && kind != "witness" {
		v.Add("kind", "类型须为 staff 或 witness", "kind must be staff or witness")
	}
	if strings.TrimSpace(name) == "" {
		v.Add("name", "请填写姓名", "name is required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	p := &Person{Kind: kind, Name: strings.TrimSpace(name), Status: "active"}
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		uid, err := s.userID(ctx, username)
		if err != nil {
			return err
		}
		prefix := map[string]string{"staff": "S-", "witness": "W-"}[kind]
		if p.Pseudonym, err = s.pseudonym(prefix); err != nil {
			return err
		}
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO draw_people (kind, pseudonym, name, user_id, status, created_at)
			VALUES ($1,$2,$3,$4,'active',$5) RETURNING id`, kind, p.Pseudonym, p.Name, uid, s.Clock.Now()).Scan(&p.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "draw.person.create", "draw_person", strconv.FormatInt(p.ID, 10), nil, p, kind)
	})
	return p, err
}

// People lists staff or witnesses.
func (s *Service) People(ctx context.Context, kind string) ([]Person, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, kind, pseudonym, name, COALESCE(user_id, 0), status FROM draw_people
		WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Kind, &p.Pseudonym, &p.Name, &p.UserID, &p.Status); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CreateRoom adds an evaluation room.
func (s *Service) CreateRoom(ctx context.Context, code, venue, name string, capacity int) (*RoomInfo, error) {
	if err := s.managePools(ctx); err != nil {
		return nil, err
	}
	var v yserr.Validation
	if strings.TrimSpace(code) == "" {
		v.Add("code", "请填写房间编号", "room code is required")
	}
	if strings.TrimSpace(venue) == "" {
		v.Add("venue", "请填写场地", "venue is required")
	}
	if capacity < 1 || capacity > 100 {
		v.Add("capacity", "席位数须在 1 到 100 之间", "capacity must be 1 to 100")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	r := &RoomInfo{Code: strings.TrimSpace(code), Venue: strings.TrimSpace(venue), Name: strings.TrimSpace(name), Capacity: capacity, Status: "active"}
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO draw_rooms (code, venue, name, capacity, status, created_at)
			VALUES ($1,$2,$3,$4,'active',$5) RETURNING id`, r.Code, r.Venue, r.Name, r.Capacity, s.Clock.Now()).Scan(&r.ID)
		if db.IsUnique(err) {
			return yserr.Field("code", "房间编号已存在", "room code already exists")
		}
		if err != nil {
			return err
		}
		return s.Audit.Record(ctx, "draw.room.create", "draw_room", strconv.FormatInt(r.ID, 10), nil, r, "")
	})
	return r, err
}

// Rooms lists the rooms.
func (s *Service) Rooms(ctx context.Context) ([]RoomInfo, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, code, venue, name, capacity, status FROM draw_rooms ORDER BY code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RoomInfo
	for rows.Next() {
		var r RoomInfo
		if err := rows.Scan(&r.ID, &r.Code, &r.Venue, &r.Name, &r.Capacity, &r.Status); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
