package bideval

import (
	"context"
	"embed"
	"log/slog"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/bideval"
	"yingshang/internal/config"
	"yingshang/internal/draw"
	"yingshang/internal/module"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/workcal"
)

//go:embed templates
var templates embed.FS

// Module is double-blind evaluation (双盲评标) on the draw module's
// projects: sealed bids, virtual codes drawn by the draw engine, scoring
// by code, audited unmasking and the award notice.
var Module = module.Info{
	Name:      "bideval",
	Title:     module.Text{ZH: "双盲评标", EN: "Double-blind evaluation"},
	Requires:  []string{"draw"},
	Schema:    bideval.Schema,
	Templates: module.Templates(templates),
	Labels:    labels,
	New: func(h *module.Host) (module.Module, error) {
		d, ok := module.Service[*draw.Service](h, "draw")
		if !ok {
			return nil, module.ErrMissing("bideval", "draw")
		}
		minDays, err := config.ParseDays(h.Cfg.TenderMinDays)
		if err != nil {
			return nil, err
		}
		svc := &bideval.Service{DB: h.DB, Accounts: h.Accounts, Entities: h.Entities, Audit: h.Audit, Files: h.Files, Clock: h.Clock, Keys: h.Keys, Notify: h.Notify, Draw: d,
			MaxFileBytes: h.Cfg.UploadLimit, MinBidDays: minDays, PublicityDays: h.Cfg.CandidatePublicityDays}
		svc.Hook()
		return &mod{svc: svc, log: h.Log, cal: h.Calendar}, nil
	},
}

type mod struct {
	svc *bideval.Service
	log *slog.Logger
	cal *workcal.Service
}

func (m *mod) Info() module.Info                  { return Module }
func (m *mod) Service() any                       { return m.svc }
func (m *mod) RegisterMessages()                  { bideval.RegisterMessages() }
func (m *mod) Mount(s *server.Server)             { Mount(s, m.svc) }
func (m *mod) LoadDemo(ctx context.Context) error { return m.svc.LoadDemo(ctx) }

func (m *mod) Nav() []web.NavGroup {
	return []web.NavGroup{{Title: web.Text{ZH: "双盲评标", EN: "Double-blind evaluation"}, Items: []web.NavItem{
		{Label: web.Text{ZH: "我的评标", EN: "My evaluations"}, Href: "/bideval", TestID: "nav-my-evaluations", Show: web.Roles(auth.Expert)},
		{Label: web.Text{ZH: "评标项目", EN: "Evaluations"}, Href: "/bideval", TestID: "nav-bideval",
			Show: web.Roles(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor, auth.Enterprise)},
		{Label: web.Text{ZH: "中标结果公示", EN: "Award notices"}, Href: "/public/bideval"},
	}}}
}

func (m *mod) PublicLinks() []web.Link {
	return []web.Link{{Label: web.Text{ZH: "中标结果公示", EN: "Award notices"}, Href: "/public/bideval"}}
}

// Start moves files kept before the shared file store into it.
func (m *mod) Start(ctx context.Context) error {
	return module.MoveFiles(ctx, m.log, "bideval", m.svc.MoveFilesToStore)
}

// RegisterStates registers the module's audited objects for the deep check.
func (m *mod) RegisterStates(st *audit.States) { m.svc.RegisterStates(st) }
