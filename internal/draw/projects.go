package draw

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/scope"
	"yingshang/internal/yserr"
)

// DefaultEconSpecialties are the economic specialty codes (造价、财务) used
// when a project names none.
var DefaultEconSpecialties = []string{"E01", "E02"}

var shanghai = time.FixedZone("CST", 8*3600)

// Validate checks the input and returns the opening time.
func (in *ProjectInput) Validate() (time.Time, error) {
	var v yserr.Validation
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		v.Add("name", "请填写项目名称", "project name is required")
	}
	if !slices.Contains([]string{"works", "goods", "services"}, in.Kind) {
		v.Add("kind", "项目类型须为工程、货物或服务", "kind must be works, goods or services")
	}
	if in.BudgetYuan <= 0 {
		v.Add("budget_yuan", "预算须为正数", "budget must be positive")
	}
	in.Specialties = normCodes(in.Specialties)
	if len(in.Specialties) == 0 {
		v.Add("specialties", "请填写所需专业代码", "specialty codes are required")
	}
	in.EconSpecialties = normCodes(in.EconSpecialties)
	if len(in.EconSpecialties) == 0 {
		in.EconSpecialties = DefaultEconSpecialties
	}
	in.TendererUSCC = ident.NormalizeUSCC(in.TendererUSCC)
	if ident.ValidateUSCC(in.TendererUSCC) != nil {
		v.Add("tenderer_uscc", "招标人统一社会信用代码无效", "tenderer credit code is invalid")
	}
	for i, b := range in.BidderUSCCs {
		in.BidderUSCCs[i] = ident.NormalizeUSCC(b)
		if ident.ValidateUSCC(in.BidderUSCCs[i]) != nil {
			v.Add("bidder_usccs", "投标人信用代码无效："+b, "bidder credit code is invalid: "+b)
		}
	}
	at, err := parseOpening(in.OpeningAt)
	if err != nil {
		v.Add("opening_at", "开标时间格式不正确", "opening time must be RFC 3339 or YYYY-MM-DDTHH:MM")
	}
	if in.Committee == 0 {
		in.Committee = 5
		if in.BudgetYuan >= 10_000_000 {
			in.Committee = 7 // 财库〔2016〕198号: >= 7 for budgets of 10 million or more
		}
	}
	if in.Committee < 5 || in.Committee%2 == 0 || in.Committee > 15 {
		v.Add("committee", "评标委员会人数须为不少于5的单数", "the committee must be an odd number of at least 5")
	}
	return at, v.Err()
}

func parseOpening(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02T15:04", s, shanghai)
}

// CreateProject registers a project. An enterprise user registers as the
// tenderer (its entity's credit code must be the tenderer's); centre staff
// may register for any tenderer.
func (s *Service) CreateProject(ctx context.Context, in ProjectInput) (*Project, error) {
	a, err := auth.Require(ctx, auth.Enterprise, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	at, err := in.Validate()
	if err != nil {
		return nil, err
	}
	if !at.After(s.Clock.Now()) {
		return nil, yserr.Field("opening_at", "开标时间须晚于现在", "the opening time must be in the future")
	}
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.checkTenderer(ctx, a, in.TendererUSCC); err != nil {
			return err
		}
		dept, err := s.centreDept(ctx, a)
		if err != nil {
			return err
		}
		if !a.Has(auth.Enterprise) && !a.InScope(dept) {
			// Another department's staff cannot open projects the
			// centre then has to run.
			return yserr.New(yserr.Forbidden, "只有公共资源交易中心的工作人员可以登记项目", "only the trading centre's staff may register projects for a tenderer")
		}
		code, err := s.pseudonym("ZB-" + s.Clock.Now().In(shanghai).Format("20060102") + "-")
		if err != nil {
			return err
		}
		salt, err := s.newSalt(16)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		var creator any
		if a.UserID != 0 {
			creator = a.UserID
		}
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO draw_projects (code, name, kind, budget_yuan, specialties, econ_specialties,
			tenderer_uscc, bidder_usccs, region_code, cross_region, opening_at, committee, department_id, created_by, status, created_at, updated_at, alias_salt)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,'registered',$15,$15,$16) RETURNING id`,
			code, in.Name, in.Kind, in.BudgetYuan, joinList(in.Specialties), joinList(in.EconSpecialties), in.TendererUSCC,
			joinList(in.BidderUSCCs), in.Region, in.CrossRegion, at, in.Committee, dept, creator, now, salt).Scan(&id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "draw.project.create", "draw_project", strconv.FormatInt(id, 10), nil, in, code)
	})
	if err != nil {
		return nil, err
	}
	return s.project(ctx, id)
}

func (s *Service) checkTenderer(ctx context.Context, a *auth.Actor, uscc string) error {
	if !a.Has(auth.Enterprise) || a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff) {
		return nil
	}
	own, err := s.Entities.Ref(ctx, a.EntityID, "")
	if err != nil || own.USCC != uscc {
		return yserr.Field("tenderer_uscc", "只能以本单位作为招标人登记项目", "you can register projects only with your own entity as tenderer")
	}
	return nil
}

func (s *Service) centreDept(ctx context.Context, a *auth.Actor) (int64, error) {
	id, err := s.Accounts.DepartmentByCode(ctx, s.CentreDept)
	if err != nil {
		return 0, err
	}
	if id == 0 && a.DepartmentID != 0 {
		return a.DepartmentID, nil
	}
	if id == 0 {
		return 0, yserr.New(yserr.Conflict, "未配置公共资源交易中心部门", "the trading centre department is not configured")
	}
	return id, err
}

const projectCols = `id, code, name, kind, budget_yuan, specialties, econ_specialties, tenderer_uscc, bidder_usccs,
	region_code, cross_region, opening_at, committee, department_id, status, created_at, alias_salt`

func scanProject(r db.Row) (*Project, error) {
	var p Project
	var spec, econ, bidders string
	if err := r.Scan(&p.ID, &p.Code, &p.Name, &p.Kind, &p.BudgetYuan, &spec, &econ, &p.TendererUSCC, &bidders,
		&p.Region, &p.CrossRegion, &p.OpeningAt, &p.Committee, &p.DepartmentID, &p.Status, &p.CreatedAt, &p.aliasSalt); err != nil {
		return nil, err
	}
	p.Specialties, p.EconSpecialties, p.BidderUSCCs = splitList(spec), splitList(econ), splitList(bidders)
	return &p, nil
}

// project loads a project without an access check (internal use).
func (s *Service) project(ctx context.Context, id int64) (*Project, error) {
	p, err := scanProject(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+projectCols+" FROM draw_projects WHERE id = $1", id))
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("项目", "project")
	}
	return p, err
}

// Project returns a project to the centre's staff, supervisors, admins,
// and the tenderer or a listed bidder. The bidder list is told to the
// others only from the bid opening on (招标投标法 Art.22).
func (s *Service) Project(ctx context.Context, id int64) (*Project, error) {
	p, err := s.visibleProject(ctx, id)
	if err != nil {
		return nil, err
	}
	if !isCentreFor(ctx, p) && s.Clock.Now().Before(p.OpeningAt) {
		p.BidderUSCCs = []string{}
	}
	return p, nil
}

func (s *Service) visibleProject(ctx context.Context, id int64) (*Project, error) {
	a := auth.From(ctx)
	if a == nil {
		return nil, yserr.ErrUnauthorized()
	}
	p, err := s.project(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.IsSystem() || a.Has(auth.PlatformAdmin, auth.Supervisor) || (a.Has(auth.DeptAdmin, auth.DeptStaff) && a.InScope(p.DepartmentID)) {
		return p, nil
	}
	if a.Has(auth.Enterprise) {
		if own, err := s.Entities.Ref(ctx, a.EntityID, ""); err == nil &&
			(own.USCC == p.TendererUSCC || slices.Contains(p.BidderUSCCs, own.USCC)) {
			return p, nil
		}
	}
	// Not found rather than forbidden, so that project ids cannot be probed.
	return nil, yserr.ErrNotFound("项目", "project")
}

// Projects lists the projects the actor may see, by opening time.
func (s *Service) Projects(ctx context.Context) ([]Project, error) {
	a := auth.From(ctx)
	if a == nil {
		return nil, yserr.ErrUnauthorized()
	}
	// The rule of Project, in the query (never a filter after LIMIT): the
	// centre's staff their departments' projects, supervisors and admins
	// all, an enterprise the projects it tenders or is a listed bidder of.
	cond, args := scope.Where(a, scope.Columns{Dept: "department_id"}, nil)
	if a.Has(auth.Enterprise) && !scope.All(a) {
		if own := s.OwnUSCC(ctx); own != "" {
			args = append(args, own, "%,"+own+",%")
			cond = fmt.Sprintf("(%s OR tenderer_uscc = $%d OR bidder_usccs LIKE $%d)", cond, len(args)-1, len(args))
		}
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+projectCols+" FROM draw_projects WHERE "+cond+" ORDER BY opening_at DESC, id DESC LIMIT 500", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Project{}
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Who has registered stays secret until the opening (but to the centre).
	now := s.Clock.Now()
	for i := range out {
		if !isCentreFor(ctx, &out[i]) && now.Before(out[i].OpeningAt) {
			out[i].BidderUSCCs = []string{}
		}
	}
	return out, nil
}

// OwnUSCC returns the credit code of the enterprise user's entity ("" for
// other callers), to prefill the tenderer on the registration form.
func (s *Service) OwnUSCC(ctx context.Context) string {
	a := auth.From(ctx)
	if a == nil || a.EntityID == 0 {
		return ""
	}
	own, _ := s.Entities.Ref(ctx, a.EntityID, "")
	return own.USCC
}
