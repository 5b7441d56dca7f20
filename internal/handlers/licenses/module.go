package licenses

import (
	"context"
	"embed"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/jobs"
	"yingshang/internal/license"
	"yingshang/internal/module"
	"yingshang/internal/server"
	"yingshang/internal/web"
)

//go:embed templates
var templates embed.FS

// Module is licence-expiry reminders (证照到期提醒, 许证闹钟): catalogues,
// staged reminders, follow-up lists, renewals, person holders.
var Module = module.Info{
	Name:      "license",
	Title:     module.Text{ZH: "证照到期提醒", EN: "Licence reminders"},
	Schema:    license.Schema,
	Templates: module.Templates(templates),
	Labels:    labels,
	Commands:  commands,
	New: func(h *module.Host) (module.Module, error) {
		return &mod{svc: &license.Service{DB: h.DB, Accounts: h.Accounts, Entities: h.Entities, Audit: h.Audit, Clock: h.Clock, Keys: h.Keys, Notify: h.Notify, Calendar: h.Calendar,
			Jobs: h.Jobs, Codes: &account.PhoneCodes{Accounts: h.Accounts, Notify: h.Notify}, BaseURL: h.Cfg.BaseURL}}, nil
	},
}

type mod struct{ svc *license.Service }

func (m *mod) Info() module.Info                  { return Module }
func (m *mod) Service() any                       { return m.svc }
func (m *mod) RegisterMessages()                  { license.RegisterMessages() }
func (m *mod) RegisterJobs(q *jobs.Queue)         { m.svc.RegisterJobs(q) }
func (m *mod) Mount(s *server.Server)             { Mount(s, m.svc) }
func (m *mod) LoadDemo(ctx context.Context) error { return m.svc.LoadDemo(ctx) }

// RegisterStates registers licences for the audit deep check.
func (m *mod) RegisterStates(st *audit.States) { m.svc.RegisterStates(st) }

func (m *mod) Nav() []web.NavGroup {
	staff := web.Roles(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
	return []web.NavGroup{{Title: web.Text{ZH: "证照到期提醒", EN: "Licence reminders"}, Items: []web.NavItem{
		{Label: web.Text{ZH: "证照台账", EN: "Licences"}, Href: "/licenses", TestID: "nav-licenses", Show: staff},
		{Label: web.Text{ZH: "待跟进清单", EN: "Follow-up list"}, Href: "/licenses/followups", TestID: "nav-license-followups",
			Show: web.Roles(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)},
		{Label: web.Text{ZH: "提醒事项目录", EN: "Reminder catalogue"}, Href: "/licenses/catalogue", Show: staff},
		{Label: web.Text{ZH: "导入证照台账", EN: "Import ledger"}, Href: "/licenses/import", Show: web.Roles(auth.PlatformAdmin, auth.DeptAdmin)},
		{Label: web.Text{ZH: "证照提醒看板", EN: "Reminder dashboard"}, Href: "/licenses/dashboard", TestID: "nav-license-dashboard",
			Show: web.Roles(auth.PlatformAdmin, auth.DeptAdmin, auth.Supervisor)},
		{Label: web.Text{ZH: "我的证照", EN: "My licences"}, Href: "/my/licenses", TestID: "nav-my-licenses", Show: web.Roles(auth.Enterprise)},
	}}}
}

func (m *mod) PublicLinks() []web.Link {
	return []web.Link{{Label: web.Text{ZH: "个人持证人查询证照", EN: "Licences of person holders"}, Href: "/licenses/holder", TestID: "public-license-holder"},
		{Label: web.Text{ZH: "证照到期提醒事项目录", EN: "Licence reminder catalogue"}, Href: "/licenses/reminder-catalogue", TestID: "public-license-catalogue"}}
}

var commands = []module.Command{{
	Name:  "scan",
	Usage: "  run the licence expiry scan once; prints JSON counts per stage",
	Run: func(ctx context.Context, c *module.CLI, args []string) error {
		return module.RunJSON(ctx, c, "license scan", args, func(ctx context.Context, o *module.Opened) (any, error) {
			svc, _ := module.Service[*license.Service](o.Host, "license")
			return svc.Scan(ctx)
		})
	},
}}
