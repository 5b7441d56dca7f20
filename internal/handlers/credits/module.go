package credits

import (
	"context"
	"embed"
	"log/slog"
	"yingshang/internal/config"
	"yingshang/internal/entity"
	"yingshang/internal/yserr"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/jobs"
	"yingshang/internal/module"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/workcal"
)

//go:embed templates
var templates embed.FS

// Module is public credit (公共信用): records and their publicity periods,
// repair, grades, checks by scene and commitments.
var Module = module.Info{
	Name:      "credit",
	Title:     module.Text{ZH: "公共信用", EN: "Public credit"},
	Schema:    credit.Schema,
	Templates: module.Templates(templates),
	Labels:    labels,
	Commands:  commands,
	Settings: []config.Option{{Name: "credit-office", Default: "",
		Usage: "credit module: department code of the credit office (信用办), which does first reviews of repair applications, records external outcomes and publishes the red and black lists; empty leaves that to platform admins"},
		{Name: "credit-home-region", Default: "",
			Usage: "credit module: the installation's own region (GB/T 2260 code, e.g. 411000), whose businesses the public credit search lists first; empty takes the region of the top-level department",
			Check: func(v string) error {
				if v != "" && entity.RegionPrefix(v) == "" {
					return yserr.New(yserr.Invalid, "须为六位行政区划代码", "must be a six-digit GB/T 2260 region code")
				}
				return nil
			}}},
	New: func(h *module.Host) (module.Module, error) {
		return &mod{svc: &credit.Service{DB: h.DB, Accounts: h.Accounts, Entities: h.Entities, Audit: h.Audit, Files: h.Files, Clock: h.Clock, Notify: h.Notify, Calendar: h.Calendar, BaseURL: h.Cfg.BaseURL,
			HomeRegion: h.Cfg.Setting("credit-home-region"), CreditOfficeCode: h.Cfg.Setting("credit-office")}, log: h.Log, cal: h.Calendar}, nil
	},
}

type mod struct {
	svc *credit.Service
	log *slog.Logger
	cal *workcal.Service
}

func (m *mod) Info() module.Info                  { return Module }
func (m *mod) Service() any                       { return m.svc }
func (m *mod) RegisterMessages()                  { credit.RegisterMessages() }
func (m *mod) RegisterJobs(q *jobs.Queue)         { m.svc.RegisterJobs(q) }
func (m *mod) Mount(s *server.Server)             { Mount(s, m.svc) }
func (m *mod) LoadDemo(ctx context.Context) error { return m.svc.LoadDemo(ctx) }

func (m *mod) Nav() []web.NavGroup {
	staff := web.Roles(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
	return []web.NavGroup{{Title: web.Text{ZH: "公共信用", EN: "Public credit"}, Items: []web.NavItem{
		{Label: web.Text{ZH: "信用信息", EN: "Credit records"}, Href: "/credit", Show: staff},
		{Label: web.Text{ZH: "信用修复申请", EN: "Repair applications"}, Href: "/credit/repairs", Show: staff},
		{Label: web.Text{ZH: "信用核查", EN: "Credit checks"}, Href: "/credit/checks", Show: staff},
		{Label: web.Text{ZH: "信用承诺", EN: "Commitments"}, Href: "/credit/commitments", Show: staff},
		{Label: web.Text{ZH: "信用治理看板", EN: "Governance dashboard"}, Href: "/credit/governance", Show: staff},
		{Label: web.Text{ZH: "代办信用修复", EN: "Assisted repair"}, Href: "/credit/assisted", Show: web.Roles(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor, auth.Enterprise)},
		{Label: web.Text{ZH: "红黑榜", EN: "Red and black lists"}, Href: "/credit/lists", Show: staff},
		{Label: web.Text{ZH: "双公示及时率", EN: "Dual publicity timeliness"}, Href: "/credit/publicity", Show: staff},
		// Staff may read the rule tables but neither change nor need them daily.
		{Label: web.Text{ZH: "信用规则表", EN: "Credit rule tables"}, Href: "/credit/rules", Show: web.Roles(auth.PlatformAdmin, auth.DeptAdmin, auth.Supervisor)},
		{Label: web.Text{ZH: "我的信用", EN: "My credit"}, Href: "/my/credit", Show: web.Roles(auth.Enterprise)},
	}}}
}

func (m *mod) PublicLinks() []web.Link {
	return []web.Link{
		{Label: web.Text{ZH: "信用信息公示", EN: "Public credit information"}, Href: "/public/credit"},
		{Label: web.Text{ZH: "信用报告核验", EN: "Verify a credit report"}, Href: "/public/credit/verify"},
		{Label: web.Text{ZH: "信用承诺公示", EN: "Public commitments"}, Href: "/public/credit/commitments"},
		{Label: web.Text{ZH: "红黑榜", EN: "Red and black lists"}, Href: "/public/credit/lists"},
	}
}

// Start moves files kept before the shared file store into it.
func (m *mod) Start(ctx context.Context) error {
	return module.MoveFiles(ctx, m.log, "credit", m.svc.MoveFilesToStore)
}

// RegisterStates registers the module's audited objects for the deep check.
func (m *mod) RegisterStates(st *audit.States) { m.svc.RegisterStates(st) }
