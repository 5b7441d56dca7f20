package appeals

import (
	"context"
	"embed"
	"log/slog"

	"yingshang/internal/appeal"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/jobs"
	"yingshang/internal/module"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/workcal"
)

//go:embed templates
var templates embed.FS

// Module is enterprise appeals (涉企诉求): the closed loop, working-day
// clocks, alerts and escalation, the ledger, typical cases and Open311.
var Module = module.Info{
	Name:      "appeal",
	Title:     module.Text{ZH: "涉企诉求", EN: "Enterprise appeals"},
	Schema:    appeal.Schema,
	Templates: module.Templates(templates),
	Labels:    labels,
	Commands:  commands,
	New: func(h *module.Host) (module.Module, error) {
		return &mod{svc: &appeal.Service{DB: h.DB, Accounts: h.Accounts, Audit: h.Audit, Files: h.Files, Clock: h.Clock, Keys: h.Keys, Calendar: h.Calendar,
			Notify: h.Notify, Entities: h.Entities, DataDir: h.Cfg.DataDir}, log: h.Log, cal: h.Calendar}, nil
	},
}

type mod struct {
	svc *appeal.Service
	log *slog.Logger
	cal *workcal.Service
}

func (m *mod) Info() module.Info                  { return Module }
func (m *mod) Service() any                       { return m.svc }
func (m *mod) RegisterMessages()                  { appeal.RegisterMessages() }
func (m *mod) RegisterJobs(q *jobs.Queue)         { m.svc.RegisterJobs(q) }
func (m *mod) Mount(s *server.Server)             { Mount(s, m.svc) }
func (m *mod) LoadDemo(ctx context.Context) error { return m.svc.LoadDemo(ctx) }

// RegisterStates registers the module's audited objects for the deep check.
func (m *mod) RegisterStates(st *audit.States) { m.svc.RegisterStates(st) }

var staff = web.Roles(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)

func (m *mod) Nav() []web.NavGroup {
	return []web.NavGroup{{Items: []web.NavItem{
		{Label: web.Text{ZH: "涉企诉求", EN: "Appeals"}, Href: "/appeals", TestID: "nav-appeals",
			Show: func(a *auth.Actor) bool { return staff(a) && !a.Has(auth.Enterprise) }},
		{Label: web.Text{ZH: "涉企诉求", EN: "Appeals"}, Href: "/appeals?queue=mine", TestID: "nav-appeals", Show: web.Roles(auth.Enterprise)},
		{Label: web.Text{ZH: "提交诉求", EN: "Submit an appeal"}, Href: "/appeals/new", Show: web.Roles(auth.Enterprise)},
		{Label: web.Text{ZH: "诉求看板", EN: "Appeals dashboard"}, Href: "/appeals/dashboard", Show: staff},
		{Label: web.Text{ZH: "诉求预警与督办", EN: "Appeal warnings"}, Href: "/appeals/alerts", TestID: "nav-appeal-alerts", Show: staff},
		{Label: web.Text{ZH: "共性问题整改", EN: "Common issues"}, Href: "/appeal-issues", TestID: "nav-appeal-issues", Show: staff},
		{Label: web.Text{ZH: "联席会议", EN: "Joint meetings"}, Href: "/appeal-meetings", TestID: "nav-appeal-meetings", Show: staff},
		{Label: web.Text{ZH: "问题线索移交台账", EN: "Clues to discipline inspection"}, Href: "/appeal-clues", TestID: "nav-appeal-clues", Show: staff},
		{Label: web.Text{ZH: "诉求分渠道统计", EN: "Appeals per channel"}, Href: "/appeals/channels", Show: staff},
	}}}
}

func (m *mod) PublicLinks() []web.Link {
	return []web.Link{
		{Label: web.Text{ZH: "涉企诉求典型案例", EN: "Typical appeal cases"}, Href: "/public/cases"},
		{Label: web.Text{ZH: "企业提交诉求（需登录）", EN: "Submit an appeal (sign in)"}, Href: "/appeals/new"},
	}
}

var commands = []module.Command{{
	Name:  "scan",
	Usage: "  run the appeal SLA scan once; prints a JSON summary of alerts sent",
	Run: func(ctx context.Context, c *module.CLI, args []string) error {
		return module.RunJSON(ctx, c, "appeal scan", args, func(ctx context.Context, o *module.Opened) (any, error) {
			svc, _ := module.Service[*appeal.Service](o.Host, "appeal")
			return svc.Scan(auth.WithActor(ctx, auth.System("cli")))
		})
	},
}}

// Start moves files kept before the shared file store into it.
func (m *mod) Start(ctx context.Context) error {
	return module.MoveFiles(ctx, m.log, "appeal", m.svc.MoveFilesToStore)
}
