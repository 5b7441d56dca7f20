package draws

import (
	"context"
	"embed"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/draw"
	"yingshang/internal/jobs"
	"yingshang/internal/module"
	"yingshang/internal/server"
	"yingshang/internal/web"
)

//go:embed templates
var templates embed.FS

// Module is verifiable random draws (六随机): expert pools, rooms and
// witnesses, draw projects, the draw protocol and its public verification.
var Module = module.Info{
	Name:      "draw",
	Title:     module.Text{ZH: "六随机抽取", EN: "Verifiable random draws"},
	Schema:    draw.Schema,
	Templates: module.Templates(templates),
	Commands:  commands,
	Labels:    labels,
	New: func(h *module.Host) (module.Module, error) {
		centre := h.Cfg.DrawCentreDept
		if centre == "" {
			centre = "XC-JYZX"
		}
		return &mod{svc: &draw.Service{DB: h.DB, Accounts: h.Accounts, Entities: h.Entities, Audit: h.Audit, Clock: h.Clock, Keys: h.Keys, Notify: h.Notify,
			CentreDept: centre, BaseURL: h.Cfg.BaseURL}}, nil
	},
}

type mod struct{ svc *draw.Service }

func (m *mod) Info() module.Info                  { return Module }
func (m *mod) Service() any                       { return m.svc }
func (m *mod) RegisterMessages()                  { draw.RegisterMessages() }
func (m *mod) RegisterJobs(q *jobs.Queue)         { m.svc.RegisterJobs(q) }
func (m *mod) Mount(s *server.Server)             { Mount(s, m.svc) }
func (m *mod) LoadDemo(ctx context.Context) error { return m.svc.LoadDemo(ctx) }

func (m *mod) Nav() []web.NavGroup {
	staff := web.Roles(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
	return []web.NavGroup{{Title: web.Text{ZH: "六随机抽取", EN: "Six randoms"}, Items: []web.NavItem{
		{Label: web.Text{ZH: "抽取项目", EN: "Draw projects"}, Href: "/draws", TestID: "nav-draws"},
		{Label: web.Text{ZH: "专家库与场地", EN: "Pools and rooms"}, Href: "/draws/pools", TestID: "nav-draw-pools", Show: staff},
		{Label: web.Text{ZH: "场地预约日历", EN: "Room bookings"}, Href: "/draws/rooms", TestID: "nav-draw-rooms", Show: staff},
		{Label: web.Text{ZH: "抽取公示与验证", EN: "Public draws"}, Href: "/public/draws"},
	}}}
}

func (m *mod) PublicLinks() []web.Link {
	return []web.Link{{Label: web.Text{ZH: "随机抽取公示与验证", EN: "Random draws: records and verification"}, Href: "/public/draws", TestID: "public-draws"}}
}

// RegisterStates registers the module's audited objects for the deep check.
func (m *mod) RegisterStates(st *audit.States) { m.svc.RegisterStates(st) }
