// Package example is the worked example of the module contract
// (docs/architecture.md, "How to add a module"): a noticeboard (公告栏) that
// departments post to and every signed-in user reads. It is not in
// modules.All; its test builds the platform with it added, the way a new
// module is added by one line.
//
// It shows each part of the contract in a few lines: its own table (in
// migrations/, versioned per module), a service that checks the actor's
// role and department, a page and two API operations, a periodic job, a
// side-menu entry, a home-page card, a setting and demo data.
package example

import (
	"context"
	"embed"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/api"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/config"
	"yingshang/internal/db"
	"yingshang/internal/jobs"
	"yingshang/internal/module"
	"yingshang/internal/module/example/migrations"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

//go:embed templates
var templates embed.FS

// Module describes the example module.
var Module = module.Info{
	Name:      "example",
	Title:     module.Text{ZH: "公告栏（示例模块）", EN: "Noticeboard (example module)"},
	Schema:    migrations.Source,
	Templates: module.Templates(templates),
	Settings: []config.Option{{Name: "example-max-days", Default: "30", Usage: "example module: the longest a notice may run, in days",
		Check: func(v string) error {
			if v == "" || strings.Trim(v, "0123456789") != "" {
				return yserr.New(yserr.Invalid, "须为天数", "must be a number of days")
			}
			return nil
		}}},
	New: func(h *module.Host) (module.Module, error) {
		return &mod{svc: &Service{DB: h.DB, Audit: h.Audit, Clock: h.Clock, MaxDays: h.Cfg.Setting("example-max-days")}}, nil
	},
}

// Notice is one posted notice.
type Notice struct {
	ID           int64  `json:"id"`
	DepartmentID int64  `json:"department_id"`
	Title        string `json:"title"`
	Body         string `json:"body"`
	EndsOn       string `json:"ends_on" doc:"last day shown, YYYY-MM-DD (Asia/Shanghai)"`
}

// Input is a new notice.
type Input struct {
	Title  string `json:"title"`
	Body   string `json:"body"`
	EndsOn string `json:"ends_on" doc:"YYYY-MM-DD"`
}

// Service is the noticeboard.
type Service struct {
	DB      *db.DB
	Audit   *audit.Log
	Clock   clock.Clock
	MaxDays string
}

// Post adds a notice for the actor's department. Department staff and
// admins post for their own department; others get ErrForbidden. A bad
// field is an Invalid error naming it.
func (s *Service) Post(ctx context.Context, in Input) (*Notice, error) {
	a := auth.From(ctx)
	if !a.Has(auth.DeptAdmin, auth.DeptStaff) || a.DepartmentID == 0 {
		return nil, yserr.ErrForbidden()
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		return nil, yserr.Field("title", "请填写标题", "enter a title")
	}
	end, err := time.Parse("2006-01-02", in.EndsOn)
	if err != nil {
		return nil, yserr.Field("ends_on", "截止日期格式应为 YYYY-MM-DD", "the end date must be YYYY-MM-DD")
	}
	today := s.Clock.Now().In(web.Shanghai).Format("2006-01-02")
	if in.EndsOn < today {
		return nil, yserr.Field("ends_on", "截止日期不能早于今天", "the end date cannot be before today")
	}
	start, _ := time.Parse("2006-01-02", today)
	if max, _ := strconv.Atoi(s.MaxDays); max > 0 && end.Sub(start) > time.Duration(max)*24*time.Hour {
		return nil, yserr.Field("ends_on", "公告期限超过上限（"+s.MaxDays+" 天）", "the notice runs longer than the limit ("+s.MaxDays+" days)")
	}
	n := &Notice{DepartmentID: a.DepartmentID, Title: in.Title, Body: in.Body, EndsOn: in.EndsOn}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO example_notices (department_id, title, body, ends_on, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, n.DepartmentID, n.Title, n.Body, n.EndsOn, a.UserID, s.Clock.Now()).Scan(&n.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "example.notice.post", "example_notice", strconv.FormatInt(n.ID, 10), nil, n, "")
	})
	return n, err
}

// Live lists the notices that have not ended, newest first (every
// signed-in user).
func (s *Service) Live(ctx context.Context) ([]Notice, error) {
	if auth.From(ctx) == nil {
		return nil, yserr.ErrUnauthorized()
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, department_id, title, body, ends_on FROM example_notices
		WHERE NOT archived ORDER BY id DESC LIMIT 100`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		var n Notice
		if err := rows.Scan(&n.ID, &n.DepartmentID, &n.Title, &n.Body, &n.EndsOn); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Archive ends the notices whose last day has passed; it returns how many.
func (s *Service) Archive(ctx context.Context) (int64, error) {
	today := s.Clock.Now().In(web.Shanghai).Format("2006-01-02")
	var n int64
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.DB.Q(ctx).Exec(ctx, "UPDATE example_notices SET archived = TRUE WHERE NOT archived AND ends_on < $1", today)
		if err != nil || n == 0 {
			return err
		}
		return s.Audit.Record(ctx, "example.notice.archive", "example_notice", "ended-before-"+today, nil, map[string]int64{"archived": n}, "")
	})
	return n, err
}

// ArchiveArgs is the daily archive job.
type ArchiveArgs struct{}

// Kind names the job.
func (ArchiveArgs) Kind() string { return "example.archive" }

type archiveWorker struct {
	river.WorkerDefaults[ArchiveArgs]
	s *Service
}

func (w *archiveWorker) Work(ctx context.Context, _ *river.Job[ArchiveArgs]) error {
	_, err := w.s.Archive(auth.WithActor(ctx, auth.System("example.archive")))
	return err
}

// mod is the built module: its capabilities are the methods below.
type mod struct{ svc *Service }

func (m *mod) Info() module.Info { return Module }
func (m *mod) Service() any      { return m.svc }

func (m *mod) RegisterJobs(q *jobs.Queue) {
	jobs.Register[ArchiveArgs](q, &archiveWorker{s: m.svc})
	q.Every(24*time.Hour, func() river.JobArgs { return ArchiveArgs{} }, true)
}

func (m *mod) Nav() []web.NavGroup {
	return []web.NavGroup{{Items: []web.NavItem{{Label: web.Text{ZH: "公告栏", EN: "Noticeboard"}, Href: "/example/notices", TestID: "nav-example"}}}}
}

func (m *mod) Cards(ctx context.Context, a *auth.Actor) ([]web.Card, error) {
	list, err := m.svc.Live(auth.WithActor(ctx, a))
	if err != nil {
		return nil, err
	}
	c := web.Card{Title: web.Text{ZH: "最新公告", EN: "Latest notices"}, Kind: "figure", Empty: web.Text{ZH: "暂无公告", EN: "No notices"}}
	for i, n := range list {
		if i == 3 {
			break
		}
		c.Items = append(c.Items, web.CardItem{Text: n.Title, Href: "/example/notices", Note: n.EndsOn})
	}
	return []web.Card{c}, nil
}

func (m *mod) LoadDemo(ctx context.Context) error { return nil }

func (m *mod) Mount(s *server.Server) {
	s.UsesViews("example/notices")
	s.SignedIn("GET /example/notices", func(w http.ResponseWriter, r *http.Request) error {
		list, err := m.svc.Live(r.Context())
		if err != nil {
			return err
		}
		v := s.View(r, "")
		v.Title, v.Data = v.T("公告栏", "Noticeboard"), list
		return s.Render(w, r, http.StatusOK, "example/notices", v)
	})
	tags := []string{"example"}
	s.API.DescribeTag("example", "公告栏（示例模块）/ Noticeboard (example module)")
	s.API.Handle(s.Mux, api.Op{Method: "GET", Path: "/api/v1/example/notices", ID: "listExampleNotices", Summary: "Live notices",
		Tags: tags, Auth: "user", Resp: []Notice{}}, func(w http.ResponseWriter, r *http.Request) error {
		list, err := m.svc.Live(r.Context())
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, list)
		return nil
	})
	s.API.Handle(s.Mux, api.Op{Method: "POST", Path: "/api/v1/example/notices", ID: "postExampleNotice", Summary: "Post a notice for the caller's department",
		Tags: tags, Auth: "dept_admin,dept_staff", Body: Input{}, Resp: Notice{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		var in Input
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		n, err := m.svc.Post(r.Context(), in)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusCreated, n)
		return nil
	})
}
