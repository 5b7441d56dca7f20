// Package modules builds the business modules (appeals, credit, draws,
// licence reminders, ...) on top of the platform core, registers their
// jobs, and loads their demo data. The server (internal/site), the
// command line and the demo all build them here, so every entry point
// runs the same modules.
//
// A module's service package never imports internal/app: Build passes it
// the core services it needs as explicit fields.
package modules

import (
	"context"

	"yingshang/internal/account"
	"yingshang/internal/app"
	"yingshang/internal/appeal"
	"yingshang/internal/bideval"
	"yingshang/internal/credit"
	"yingshang/internal/draw"
	"yingshang/internal/license"
)

// Set holds the built modules.
type Set struct {
	// Appeal is the enterprise appeals module (issue 3).
	Appeal *appeal.Service
	// Credit is the public credit module (issue 6).
	Credit *credit.Service
	// Draw is the verifiable random selection module, six randoms (issue 4).
	Draw *draw.Service
	// License is the licence expiry reminders module (issue 5).
	License *license.Service
	// Bideval is double-blind evaluation on the draw module's projects (issue 4).
	Bideval *bideval.Service

	app *app.App
	// demo loaders, run in order by LoadDemo
	demos []func(ctx context.Context) error
}

// Build constructs every module on a and registers its jobs with a.Jobs.
// Call it once per App, before the job queue is initialised or started.
func Build(a *app.App) (*Set, error) {
	m := &Set{app: a}

	// appeal: enterprise appeals, SLA clocks, alerts, Open311 (issue 3).
	appeal.RegisterMessageTypes()
	m.Appeal = &appeal.Service{DB: a.DB, Audit: a.Audit, Clock: a.Clock, Keys: a.Keys, Calendar: a.Calendar, Notify: a.Notify,
		Entities: a.Entities, DataDir: a.Cfg.DataDir}
	m.Appeal.RegisterJobs(a.Jobs)
	m.demos = append(m.demos, m.Appeal.LoadDemo)

	// credit: public credit records, repair, grades, checks (issue 6).
	credit.RegisterTypes()
	m.Credit = &credit.Service{DB: a.DB, Audit: a.Audit, Clock: a.Clock, Notify: a.Notify, Calendar: a.Calendar, BaseURL: a.Cfg.BaseURL}
	m.Credit.Register(a.Jobs)
	m.demos = append(m.demos, m.Credit.LoadDemo)

	// draw: verifiable random selection, six randoms, expert replacement (issue 4).
	draw.RegisterMessages()
	m.Draw = &draw.Service{DB: a.DB, Audit: a.Audit, Clock: a.Clock, Keys: a.Keys, Notify: a.Notify,
		CentreDept: "XC-JYZX", BaseURL: a.Cfg.BaseURL}
	m.Draw.RegisterJobs(a.Jobs)
	m.demos = append(m.demos, m.Draw.LoadDemo)

	// bideval: double-blind evaluation, virtual codes drawn by the draw engine (issue 4).
	bideval.RegisterMessages()
	m.Bideval = &bideval.Service{DB: a.DB, Audit: a.Audit, Clock: a.Clock, Keys: a.Keys, Notify: a.Notify, Draw: m.Draw,
		MaxFileBytes: a.Cfg.UploadLimit}
	m.Bideval.Hook()
	m.demos = append(m.demos, m.Bideval.LoadDemo)

	// license: licence expiry reminders, follow-up lists, renewals (issue 5).
	license.RegisterMessages()
	m.License = &license.Service{DB: a.DB, Audit: a.Audit, Clock: a.Clock, Keys: a.Keys, Notify: a.Notify, Calendar: a.Calendar, Jobs: a.Jobs,
		Codes: &account.PhoneCodes{Accounts: a.Accounts, Notify: a.Notify}, BaseURL: a.Cfg.BaseURL}
	m.License.RegisterJobs(a.Jobs)
	m.demos = append(m.demos, m.License.LoadDemo)

	// The audited objects of the modules, for the audit deep check.
	m.Credit.RegisterStates(a.Audit.States)
	m.Draw.RegisterStates(a.Audit.States)
	m.Bideval.RegisterStates(a.Audit.States)
	return m, nil
}

// LoadDemo loads every module's demo data (called once, when the core demo
// data set is first created).
func (m *Set) LoadDemo(ctx context.Context) error {
	for _, f := range m.demos {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}
