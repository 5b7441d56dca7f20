package appeal

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"yingshang/internal/auth"
	"yingshang/internal/yserr"
)

// Attachment is a file attached to an appeal.
type Attachment struct {
	ID        int64     `json:"id"`
	AppealID  int64     `json:"appeal_id"`
	Name      string    `json:"name"`
	MIME      string    `json:"mime"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
}

// Route is a routing rule: appeals on Topic (any when empty) from a region
// whose code starts with RegionPrefix (any when empty) go to DeptID.
type Route struct {
	ID           int64  `json:"id"`
	Topic        string `json:"topic"`
	RegionPrefix string `json:"region_prefix"`
	DeptID       int64  `json:"dept_id"`
	DeptName     string `json:"dept_name,omitempty"`
}

// Routes lists the routing rules (dispatchers).
func (s *Service) Routes(ctx context.Context) ([]Route, error) {
	if err := s.requireOffice(ctx); err != nil {
		return nil, err
	}
	return s.routes(ctx)
}

func (s *Service) routes(ctx context.Context) ([]Route, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, topic, region_prefix, dept_id FROM appeal_routes ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Route
	var ids []int64
	for rows.Next() {
		var r Route
		if err := rows.Scan(&r.ID, &r.Topic, &r.RegionPrefix, &r.DeptID); err != nil {
			return nil, err
		}
		out = append(out, r)
		ids = append(ids, r.DeptID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	depts, err := s.Accounts.DepartmentRefs(ctx, ids)
	if err != nil {
		return nil, err
	}
	// A route of a department that no longer exists is not shown, as
	// before (the routes joined their department).
	kept := out[:0]
	for _, r := range out {
		if d, ok := depts[r.DeptID]; ok {
			r.DeptName = d.Name
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// AddRoute adds a routing rule (dispatchers).
func (s *Service) AddRoute(ctx context.Context, r Route) (*Route, error) {
	actor, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if rs, err := s.roleSet(ctx, actor); err != nil || !rs.dispatcher {
		return nil, errForbidden()
	}
	if r.DeptID == 0 {
		return nil, yserr.Field("dept_id", "请选择部门", "choose a department")
	}
	if r.RegionPrefix != "" && !regexp.MustCompile(`^[0-9]{2,12}$`).MatchString(r.RegionPrefix) {
		return nil, yserr.Field("region_prefix", "区划代码前缀须为 2-12 位数字", "the region prefix must be 2-12 digits")
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.W(ctx).QueryRow(ctx, `INSERT INTO appeal_routes (topic, region_prefix, dept_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			r.Topic, r.RegionPrefix, r.DeptID, s.now()).Scan(&r.ID); err != nil {
			return yserr.Field("dept_id", "部门不存在", "the department does not exist").Wrap(err)
		}
		return s.Audit.Record(ctx, "appeal.route_add", "appeal_route", strconv.FormatInt(r.ID, 10), nil, r, "")
	})
	return &r, err
}

// DeleteRoute removes a routing rule (dispatchers).
func (s *Service) DeleteRoute(ctx context.Context, id int64) error {
	actor, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	if rs, err := s.roleSet(ctx, actor); err != nil || !rs.dispatcher {
		return errForbidden()
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.DB.W(ctx).Exec(ctx, `DELETE FROM appeal_routes WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return yserr.ErrNotFound("分派规则", "routing rule")
		}
		return s.Audit.Record(ctx, "appeal.route_delete", "appeal_route", strconv.FormatInt(id, 10), nil, nil, "")
	})
}

// ProposeDept proposes the lead department for a: the rule matching the
// topic (or any topic) with the longest matching region prefix, a topic
// match ranking above an any-topic rule. 0 when none matches.
func (s *Service) ProposeDept(ctx context.Context, a *Appeal) (int64, error) {
	routes, err := s.routes(ctx)
	if err != nil {
		return 0, err
	}
	return propose(routes, a.Topic, a.RegionCode), nil
}

func propose(routes []Route, topic, region string) int64 {
	best, bestScore := int64(0), -1
	for _, r := range routes {
		if r.Topic != "" && r.Topic != topic || !strings.HasPrefix(region, r.RegionPrefix) {
			continue
		}
		score := len(r.RegionPrefix)
		if r.Topic != "" {
			score += 100
		}
		if score > bestScore {
			best, bestScore = r.DeptID, score
		}
	}
	return best
}

// Similarity is the Jaccard similarity of the character bigrams of a and b
// (letters, digits and CJK only), in [0, 1].
func Similarity(a, b string) float64 {
	ga, gb := bigrams(a), bigrams(b)
	if len(ga) == 0 && len(gb) == 0 {
		return 0
	}
	inter := 0
	for g := range ga {
		if gb[g] {
			inter++
		}
	}
	return float64(inter) / float64(len(ga)+len(gb)-inter)
}

func bigrams(s string) map[string]bool {
	var rs []rune
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		}
	}
	out := map[string]bool{}
	for i := 0; i+1 < len(rs); i++ {
		out[string(rs[i:i+2])] = true
	}
	return out
}

// Duplicate is an earlier appeal that looks like the same matter.
type Duplicate struct {
	ID         int64   `json:"id"`
	Number     string  `json:"number"`
	Title      string  `json:"title"`
	State      State   `json:"state"`
	Similarity float64 `json:"similarity"`
}

// Duplicates lists appeals of the same entity submitted within the configured window before a, whose title and
// description are at least DuplicateSimilarity alike.
func (s *Service) Duplicates(ctx context.Context, a *Appeal) ([]Duplicate, error) {
	if a.EntityID == 0 {
		return nil, nil
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	since := a.SubmittedAt.Add(-time.Duration(st.DuplicateDays) * 24 * time.Hour)
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, number, title, description, state FROM appeals WHERE entity_id = $1
		AND id <> $2 AND submitted_at >= $3 AND submitted_at <= $4 AND state NOT IN ('rejected', 'merged') ORDER BY id DESC LIMIT 200`,
		a.EntityID, a.ID, since, a.SubmittedAt.Add(time.Duration(st.DuplicateDays)*24*time.Hour))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Duplicate
	text := a.Title + " " + a.Description
	for rows.Next() {
		var d Duplicate
		var desc, state string
		if err := rows.Scan(&d.ID, &d.Number, &d.Title, &desc, &state); err != nil {
			return nil, err
		}
		d.State = State(state)
		d.Similarity = Similarity(text, d.Title+" "+desc)
		if d.Similarity >= st.DuplicateSimilarity {
			out = append(out, d)
		}
	}
	return out, rows.Err()
}

// Case is a published typical case (典型案例).
type Case struct {
	ID          int64     `json:"id"`
	AppealID    int64     `json:"-"`
	Title       string    `json:"title"`
	Topic       string    `json:"topic"`
	Kind        Kind      `json:"kind"`
	Summary     string    `json:"summary"`
	PublishedAt time.Time `json:"published_at"`
}

// CaseInput is what staff write to publish a case.
type CaseInput struct {
	Title   string `json:"title"`
	Summary string `json:"summary" doc:"anonymised: no names, phone numbers, ID numbers or credit codes"`
}

var (
	reMobile = regexp.MustCompile(`1[3-9][0-9]{9}`)
	reIDCard = regexp.MustCompile(`[0-9]{17}[0-9Xx]`)
	reUSCC   = regexp.MustCompile(`[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}`)
	rePhone  = regexp.MustCompile(`0[0-9]{2,3}-?[0-9]{7,8}`)
	reEmail  = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
)

// Publish publishes appeal id as a typical case: dispatchers only, only
// closed appeals whose enterprise agreed, and the text must not contain
// personal data (phone numbers, ID numbers, credit codes, e-mail, the
// entity's or the person's name).
func (s *Service) Publish(ctx context.Context, id int64, in CaseInput) (*Case, error) {
	actor, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, err
	}
	a, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !rs.dispatcher {
		return nil, errForbidden()
	}
	if !a.Publishable {
		return nil, yserr.New(yserr.Conflict, "企业未同意公开，不能作为典型案例发布", "the enterprise did not agree to publication")
	}
	if a.State != Closed {
		return nil, yserr.New(yserr.Conflict, "只有已办结的诉求才能发布为典型案例", "only closed appeals can be published")
	}
	var v yserr.Validation
	in.Title, in.Summary = strings.TrimSpace(in.Title), strings.TrimSpace(in.Summary)
	textField(&v, "title", in.Title, MaxTitle, "案例标题", "case title")
	textField(&v, "summary", in.Summary, MaxDescription, "案例摘要", "summary")
	for _, f := range []struct{ name, val string }{{"title", in.Title}, {"summary", in.Summary}} {
		if why := personalData(f.val, a); why != "" {
			v.Add(f.name, "不得含有个人或企业识别信息（"+why+"）", "must not contain personal or identifying data ("+why+")")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c := &Case{AppealID: a.ID, Title: in.Title, Topic: a.Topic, Kind: a.Kind, Summary: in.Summary, PublishedAt: s.now()}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.W(ctx).QueryRow(ctx, `INSERT INTO appeal_cases (appeal_id, title, topic, kind, summary, published_by, published_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, a.ID, c.Title, c.Topic, string(c.Kind), c.Summary, nullID(actor.UserID), c.PublishedAt).Scan(&c.ID); err != nil {
			return yserr.New(yserr.Conflict, "该诉求已发布为典型案例", "this appeal is already published").Wrap(err)
		}
		return s.Audit.Record(ctx, "appeal.publish_case", "appeal", strconv.FormatInt(a.ID, 10), nil, c, "")
	})
	return c, err
}

func personalData(text string, a *Appeal) string {
	switch {
	case reMobile.MatchString(text) || rePhone.MatchString(text):
		return "电话号码 phone number"
	case reIDCard.MatchString(text):
		return "身份证号 ID number"
	case reUSCC.MatchString(strings.ToUpper(text)):
		return "统一社会信用代码 credit code"
	case reEmail.MatchString(text):
		return "电子邮箱 e-mail"
	case a.EntityName != "" && strings.Contains(text, a.EntityName):
		return "企业名称 business name"
	case a.PersonName != "" && strings.Contains(text, a.PersonName):
		return "姓名 name"
	}
	return ""
}

// Cases lists published cases, newest first, for anyone (no login).
func (s *Service) Cases(ctx context.Context, topic, q string, limit int) ([]Case, error) {
	var b sqlb
	if topic != "" {
		b.add("topic = ?", topic)
	}
	if q = strings.TrimSpace(q); q != "" {
		b.add("(title LIKE ? OR summary LIKE ?)", "%"+q+"%", "%"+q+"%")
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, title, topic, kind, summary, published_at FROM appeal_cases`+b.where()+
		` ORDER BY published_at DESC, id DESC LIMIT `+strconv.Itoa(limit), b.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		var c Case
		var kind string
		if err := rows.Scan(&c.ID, &c.Title, &c.Topic, &kind, &c.Summary, &c.PublishedAt); err != nil {
			return nil, err
		}
		c.Kind = Kind(kind)
		out = append(out, c)
	}
	return out, rows.Err()
}
