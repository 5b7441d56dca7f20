// Package exampleweb is the example module's contract and handlers (see
// package example for the service and docs/architecture.md, "How to add
// a module"): its module.Info, pages, API operations, menu entry, card
// and job registration.
package exampleweb

import (
	"context"
	"embed"
	"net/http"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/config"
	"yingshang/internal/jobs"
	"yingshang/internal/module"
	"yingshang/internal/module/example"
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
		return &mod{svc: &example.Service{DB: h.DB, Audit: h.Audit, Clock: h.Clock, MaxDays: h.Cfg.Setting("example-max-days")}}, nil
	},
}

// mod is the built module: its capabilities are the methods below.
type mod struct{ svc *example.Service }

func (m *mod) Info() module.Info { return Module }
func (m *mod) Service() any      { return m.svc }

func (m *mod) RegisterJobs(q *jobs.Queue) {
	jobs.Register[example.ArchiveArgs](q, &example.ArchiveWorker{S: m.svc})
	q.Every(24*time.Hour, func() river.JobArgs { return example.ArchiveArgs{} }, true)
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
		Tags: tags, Auth: "user", Resp: []example.Notice{}}, func(w http.ResponseWriter, r *http.Request) error {
		list, err := m.svc.Live(r.Context())
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, list)
		return nil
	})
	s.API.Handle(s.Mux, api.Op{Method: "POST", Path: "/api/v1/example/notices", ID: "postExampleNotice", Summary: "Post a notice for the caller's department",
		Tags: tags, Auth: "dept_admin,dept_staff", Body: example.Input{}, Resp: example.Notice{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		var in example.Input
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
