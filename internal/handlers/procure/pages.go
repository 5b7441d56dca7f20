package procure

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/procure"
	"yingshang/internal/server"
	"yingshang/internal/yserr"
)

const (
	viewIndex   = "procure/index"
	viewProject = "procure/project"
	viewPublic  = "procure/public"
)

type handlers struct {
	s   *server.Server
	svc *procure.Service
}

// exceptionCodes are the set-aside exceptions in the forms' order.
var exceptionCodes = []string{"non_enterprise", "unique_source", "insufficient", "framework", "provincial_other"}

var unitRoles = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff}

// Mount registers the pages and API operations.
func Mount(s *server.Server, svc *procure.Service) {
	h := &handlers{s: s, svc: svc}
	s.UsesViews(viewIndex, viewProject, viewPublic)
	s.SignedIn("GET /procure", h.index)
	s.SignedIn("GET /procure/projects/{id}", h.project)
	s.Page("POST /procure/intentions", h.form(func(ctx context.Context, r *http.Request) (string, error) {
		_, err := svc.PublishIntention(ctx, procure.IntentionInput{Title: r.FormValue("title"), CategoryCode: r.FormValue("category_code"), BudgetYuan: r.FormValue("budget_yuan"),
			StartOn: r.FormValue("start_on"), Note: r.FormValue("note")})
		return "/procure#intentions", err
	}), unitRoles...)
	s.Page("POST /procure/plans", h.form(func(ctx context.Context, r *http.Request) (string, error) {
		q, _ := strconv.ParseInt(strings.TrimSpace(r.FormValue("quantity")), 10, 64)
		_, err := svc.SubmitPlan(ctx, procure.PlanInput{CategoryCode: r.FormValue("category_code"), Spec: r.FormValue("spec"), Quantity: q, Unit: r.FormValue("unit"),
			BudgetYuan: r.FormValue("budget_yuan"), WantedOn: r.FormValue("wanted_on")})
		return "/procure#plans", err
	}), unitRoles...)
	s.Page("POST /procure/pools", h.form(func(ctx context.Context, r *http.Request) (string, error) {
		var ids []int64
		for _, f := range strings.Split(r.FormValue("plan_ids"), ",") {
			if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
		p, err := svc.CreatePool(ctx, procure.PoolInput{PlanIDs: ids})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("/procure#pool-%d", p.ID), nil
	}), unitRoles...)
	s.Page("POST /procure/pools/{id}/confirm", h.form(func(ctx context.Context, r *http.Request) (string, error) {
		id, _ := pathID(r)
		plan, _ := strconv.ParseInt(r.FormValue("plan_id"), 10, 64)
		_, err := svc.ConfirmPool(ctx, id, procure.ConfirmInput{PlanID: plan, Confirm: r.FormValue("confirm") == "yes"})
		return fmt.Sprintf("/procure#pool-%d", id), err
	}), unitRoles...)
	s.Page("POST /procure/pools/{id}/lead", h.form(func(ctx context.Context, r *http.Request) (string, error) {
		id, _ := pathID(r)
		lead, _ := strconv.ParseInt(r.FormValue("lead_department_id"), 10, 64)
		_, err := svc.SetLead(ctx, id, procure.LeadInput{LeadDepartmentID: lead, Coordination: r.FormValue("coordination")})
		return fmt.Sprintf("/procure#pool-%d", id), err
	}), unitRoles...)
	s.Page("POST /procure/projects", h.form(func(ctx context.Context, r *http.Request) (string, error) {
		atoi := func(k string) int { n, _ := strconv.Atoi(strings.TrimSpace(r.FormValue(k))); return n }
		pool, _ := strconv.ParseInt(r.FormValue("pool_id"), 10, 64)
		p, err := svc.CreateProject(ctx, procure.ProjectInput{Title: r.FormValue("title"), Method: r.FormValue("method"), CategoryCode: r.FormValue("category_code"),
			BudgetYuan: r.FormValue("budget_yuan"), PoolID: pool,
			SetAsideInput: procure.SetAsideInput{Decision: r.FormValue("set_aside"), SharePct: atoi("set_aside_share"), SmallMicroPct: atoi("small_micro_share"), Exception: r.FormValue("set_aside_reason")},
			EvalMethod:    r.FormValue("eval_method"), PriceWeight: atoi("price_weight"), DeductionPct: atoi("deduction_pct"), ConsortiumPct: atoi("consortium_pct"),
			CommitmentAllowed: r.FormValue("commitment_allowed") == "on", CommitteeSize: atoi("committee_size"), Blind: r.FormValue("blind") == "on"})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("/procure/projects/%d", p.ID), nil
	}), unitRoles...)
	s.Page("POST /procure/projects/{id}/register", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		_, err := svc.Register(ctx, id, procure.RegisterInput{PriceYuan: r.FormValue("price_yuan"), SizeDeclared: r.FormValue("size_declared"), BidKind: r.FormValue("bid_kind"),
			Commit: r.FormValue("commit") == "on", Lots: lotBidsFromForm(r.PostForm), ProjectManager: r.FormValue("project_manager")})
		return err
	}), auth.Enterprise)
	s.Page("POST /procure/projects/{id}/evaluation", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		var tech []procure.TechPoints
		for k, v := range r.Form {
			if b, ok := strings.CutPrefix(k, "tech_"); ok {
				bid, _ := strconv.ParseInt(b, 10, 64)
				pts, err := strconv.ParseFloat(strings.TrimSpace(v[0]), 64)
				if err != nil {
					return yserr.Field("tech", "技术得分应为数字", "the technical points must be numbers")
				}
				tech = append(tech, procure.TechPoints{BidID: bid, Points: pts})
			}
		}
		sheets, bad := sheetsFromForm(r.PostForm)
		if len(bad) > 0 {
			return yserr.Field("sheets", "专家评分应为数字", "the experts' points must be numbers")
		}
		_, err := svc.EvaluateBids(ctx, id, procure.ScoreInput{Tech: tech, Sheets: sheets})
		return err
	}), unitRoles...)
	s.Page("POST /procure/projects/{id}/award", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		_, err := svc.Award(ctx, id)
		return err
	}), unitRoles...)
	s.Page("POST /procure/projects/{id}/challenges", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		_, err := svc.FileChallenge(ctx, id, procure.ChallengeInput{KnownOn: r.FormValue("known_on"), Text: r.FormValue("text")})
		return err
	}), auth.Enterprise)
	s.Page("POST /procure/contracts/{id}/steps", h.form(func(ctx context.Context, r *http.Request) (string, error) {
		id, _ := pathID(r)
		c, err := svc.AdvanceContract(ctx, id, procure.ContractStep{Step: r.FormValue("step"), On: r.FormValue("on"), PaidYuan: r.FormValue("paid_yuan")})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("/procure/projects/%d#contracts", c.ProjectID), nil
	}), unitRoles...)
	s.Page("POST /procure/projects/{id}/agency", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		_, err := svc.SetAgency(ctx, id, procure.AgencyInput{USCC: r.FormValue("uscc")})
		return err
	}), unitRoles...)
	s.Page("POST /procure/projects/{id}/ratings", h.projectForm(func(ctx context.Context, id int64, r *http.Request) error {
		in := procure.RatingInput{As: r.FormValue("as"), Ratee: r.FormValue("ratee"), RateeExpert: r.FormValue("ratee_expert"), Comment: r.FormValue("comment"), Points: map[string]int{}}
		var bad []string
		for k, vs := range r.PostForm {
			code, ok := strings.CutPrefix(k, "points.")
			if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
			if err != nil {
				bad = append(bad, k)
				continue
			}
			in.Points[code] = n
		}
		if len(bad) > 0 {
			var v yserr.Validation
			for _, k := range bad {
				v.Add(k, "得分应为整数", "the points must be a whole number")
			}
			return v.Err()
		}
		_, err := svc.Rate(ctx, id, in)
		return err
	}), auth.DeptAdmin, auth.DeptStaff, auth.Enterprise, auth.Expert)
	s.Page("POST /procure/rating-templates", h.form(func(ctx context.Context, r *http.Request) (string, error) {
		f, _, err := r.FormFile("file")
		if err != nil {
			return "", yserr.Field("file", "请选择模板文件（CSV）", "choose the template file (CSV)")
		}
		defer f.Close()
		_, err = svc.ImportTemplate(ctx, procure.TemplateInput{Code: r.FormValue("code"), Name: r.FormValue("name")}, f)
		return "/procure#rating-template", err
	}), unitRoles...)
	challengeStep := func(f func(ctx context.Context, id int64, in procure.TextInput) (*procure.Challenge, error)) server.HandlerFunc {
		return h.form(func(ctx context.Context, r *http.Request) (string, error) {
			id, _ := pathID(r)
			c, err := f(ctx, id, procure.TextInput{Text: r.FormValue("text")})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("/procure/projects/%d#challenges", c.ProjectID), nil
		})
	}
	s.Page("POST /procure/challenges/{id}/answer", challengeStep(svc.AnswerChallenge), unitRoles...)
	s.Page("POST /procure/challenges/{id}/complaint", challengeStep(svc.Complain), auth.Enterprise)
	s.Page("POST /procure/challenges/{id}/decision", challengeStep(svc.DecideComplaint), unitRoles...)
	s.Page("GET /public/procure", h.public)
	s.Page("GET /public/procure/{id}", h.publicProject)
	h.mountCommittee()
	h.mountBlind()
	h.mountSheets()
	h.mountLots()
	h.mountAPI()
	h.mountOCDS()
}

// form runs a form action: a bad input re-renders the workspace with the
// fields marked and the input kept; success redirects with a flash.
func (h *handlers) form(f func(ctx context.Context, r *http.Request) (string, error)) server.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return yserr.New(yserr.Invalid, "表单无法读取", "the form cannot be read")
		}
		to, err := f(r.Context(), r)
		if err != nil {
			return h.renderIndex(w, r, err)
		}
		v := h.s.View(r, "")
		return h.s.Redirect(w, r, to, v.T("已保存。", "Saved."))
	}
}

// projectForm is form on a project page.
func (h *handlers) projectForm(f func(ctx context.Context, id int64, r *http.Request) error) server.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return yserr.New(yserr.Invalid, "表单无法读取", "the form cannot be read")
		}
		if err := f(r.Context(), id, r); err != nil {
			return h.renderProject(w, r, id, err)
		}
		v := h.s.View(r, "")
		return h.s.Redirect(w, r, fmt.Sprintf("/procure/projects/%d", id), v.T("已保存。", "Saved."))
	}
}

// workspace is the data of GET /procure.
type workspace struct {
	IsUnit, IsFinance, IsEnterprise bool
	Plans                           []procure.Plan
	Proposals                       []procure.Proposal
	Pools                           []procure.Pool
	Projects                        []procure.Project
	Contracts                       []procure.Contract
	Bids                            []procure.Bid
	Overdue                         []procure.Overdue
	Figures                         []procure.UnitFigures
	Methods                         []string
	Exceptions                      []string
	Template                        *procure.Template
}

func (h *handlers) index(w http.ResponseWriter, r *http.Request) error {
	return h.renderIndex(w, r, nil)
}

func (h *handlers) renderIndex(w http.ResponseWriter, r *http.Request, formErr error) error {
	ctx := r.Context()
	a := auth.From(ctx)
	v := h.s.View(r, "")
	v.Title = v.T("政府采购", "Government procurement")
	d := &workspace{IsUnit: a.Has(unitRoles...) || a.Has(auth.Supervisor), IsEnterprise: a.Has(auth.Enterprise), Methods: procure.Methods,
		Exceptions: exceptionCodes}
	var err error
	if d.IsFinance, err = h.svc.IsFinance(ctx, a); err != nil {
		return err
	}
	if d.IsUnit {
		if d.Plans, err = h.svc.Plans(ctx, procure.PlanFilter{}); err != nil {
			return err
		}
		if d.Pools, err = h.svc.Pools(ctx); err != nil {
			return err
		}
		if d.Projects, err = h.svc.Projects(ctx, true, 100); err != nil {
			return err
		}
		if d.Overdue, err = h.svc.OverdueItems(ctx); err != nil {
			return err
		}
		if d.Figures, err = h.svc.Figures(ctx); err != nil {
			return err
		}
	}
	if d.IsFinance {
		if d.Proposals, err = h.svc.Proposals(ctx); err != nil {
			return err
		}
		if d.Template, err = h.svc.ActiveTemplate(ctx); err != nil {
			return err
		}
	}
	if d.IsUnit || d.IsEnterprise {
		if d.Contracts, err = h.svc.Contracts(ctx, 0); err != nil {
			return err
		}
	}
	if d.IsEnterprise {
		if d.Bids, err = h.svc.MyBids(ctx); err != nil {
			return err
		}
		if d.Projects, err = h.svc.Projects(ctx, false, 100); err != nil {
			return err
		}
	}
	v.Data = d
	if formErr != nil {
		return h.s.FormError(w, r, viewIndex, v, formErr)
	}
	return h.s.Render(w, r, http.StatusOK, viewIndex, v)
}

// projectPage is the data of GET /procure/projects/{id}.
type projectPage struct {
	P            *procure.Project
	Bids         []procure.Bid
	Contracts    []procure.Contract
	Challenges   []procure.Challenge
	CanManage    bool
	IsEnterprise bool
	IsFinance    bool
	MyEntity     int64
	Agency       string
	Tasks        []procure.RatingTask
	Ratings      []procure.Rating
	Committee    *procure.Committee
	Scoring      projectScoring
	LotResults   []procure.LotResult // a project with lots: the bids per lot the caller may see
	LotForm      []lotRow            // the lots form's rows
	Blind        *procure.BlindState // a blind project after its notice
	Exceptions   []exception
}

func (h *handlers) project(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.renderProject(w, r, id, nil)
}

func (h *handlers) renderProject(w http.ResponseWriter, r *http.Request, id int64, formErr error) error {
	ctx := r.Context()
	a := auth.From(ctx)
	p, err := h.svc.Project(ctx, id)
	if err != nil {
		return err
	}
	d := &projectPage{P: p, IsEnterprise: a.Has(auth.Enterprise), MyEntity: a.EntityID, CanManage: a.Has(unitRoles...) && a.InScope(p.DepartmentID)}
	if d.IsFinance, err = h.svc.IsFinance(ctx, a); err != nil {
		return err
	}
	if d.Bids, err = h.svc.Bids(ctx, id); err != nil && !yserr.Is(err, yserr.NotFound) {
		return err
	}
	if d.Contracts, err = h.svc.Contracts(ctx, id); err != nil {
		return err
	}
	if d.Challenges, err = h.svc.Challenges(ctx, id); err != nil {
		return err
	}
	if d.Tasks, err = h.svc.RatingTasks(ctx, id); err != nil {
		return err
	}
	if d.Ratings, err = h.svc.Ratings(ctx, id); err != nil {
		return err
	}
	if d.Agency, err = h.svc.AgencyName(ctx, id); err != nil {
		return err
	}
	if d.Committee, err = h.svc.Committee(ctx, id); err != nil {
		return err
	}
	if d.Scoring, err = h.scoring(ctx, a, p, d.CanManage); err != nil {
		return err
	}
	if d.Blind, err = h.svc.Blind(ctx, id); err != nil {
		return err
	}
	if len(p.Lots) > 0 {
		if d.LotResults, err = h.svc.LotResults(ctx, id); err != nil {
			return err
		}
	}
	var posted url.Values
	if formErr != nil && strings.HasSuffix(r.URL.Path, "/lots") {
		posted = r.PostForm
	}
	d.LotForm = lotRows(p, posted)
	for _, c := range exceptionCodes {
		d.Exceptions = append(d.Exceptions, exception(c))
	}
	v := h.s.View(r, "")
	v.Title, v.Data = p.Title, d
	if formErr != nil {
		return h.s.FormError(w, r, viewProject, v, formErr)
	}
	return h.s.Render(w, r, http.StatusOK, viewProject, v)
}

// publicPage is the data of the public pages.
type publicPage struct {
	Intentions []procure.Intention
	Projects   []procure.Project
	Contracts  []procure.Contract
	Figures    []procure.UnitFigures
	Challenges []procure.Challenge
	P          *procure.Project
	Results    []procure.Bid
	Ratings    []procure.Rating
	Suppliers  []procure.SupplierCredit
	Committee  *procure.Committee
	LotResults []procure.LotResult // a project with lots: every lot's bids and scores after the award
}

// LotTitle names a lot of the public page's project.
func (d *publicPage) LotTitle(no int) string {
	if d.P != nil {
		for _, l := range d.P.Lots {
			if l.No == no {
				return fmt.Sprintf("%d · %s", no, l.Title)
			}
		}
	}
	return strconv.Itoa(no)
}

func (h *handlers) public(w http.ResponseWriter, r *http.Request) error {
	ctx := auth.WithActor(r.Context(), nil)
	d := &publicPage{}
	var err error
	if d.Intentions, err = h.svc.Intentions(ctx, 100); err != nil {
		return err
	}
	if d.Projects, err = h.svc.Projects(ctx, false, 100); err != nil {
		return err
	}
	if d.Contracts, err = h.svc.PublishedContracts(ctx, 0, 100); err != nil {
		return err
	}
	if d.Figures, err = h.svc.Figures(ctx); err != nil {
		return err
	}
	if d.Challenges, err = h.svc.PublicChallenges(ctx); err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title, v.Data = v.T("政府采购信息公开", "Government procurement notices"), d
	return h.s.Render(w, r, http.StatusOK, viewPublic, v)
}

func (h *handlers) publicProject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := auth.WithActor(r.Context(), nil)
	d := &publicPage{}
	if d.P, err = h.svc.Project(ctx, id); err != nil {
		return err
	}
	if d.Results, err = h.svc.PublicResults(ctx, id); err != nil {
		return err
	}
	if d.Challenges, err = h.svc.Challenges(ctx, id); err != nil {
		return err
	}
	if d.Contracts, err = h.svc.PublishedContracts(ctx, id, 500); err != nil {
		return err
	}
	if d.Ratings, err = h.svc.Ratings(ctx, id); err != nil {
		return err
	}
	if d.Suppliers, err = h.svc.PublicSupplierCredit(ctx, id); err != nil {
		return err
	}
	if d.Committee, err = h.svc.Committee(ctx, id); err != nil {
		return err
	}
	if len(d.P.Lots) > 0 {
		// Anonymous: the lots' results once the project is awarded (the
		// service shows the public nothing before).
		if d.LotResults, err = h.svc.LotResults(ctx, id); err != nil {
			return err
		}
	}
	v := h.s.View(r, "")
	v.Title, v.Data = d.P.Title, d
	return h.s.Render(w, r, http.StatusOK, viewPublic, v)
}
