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

	"yingshang/internal/app"
)

// Set holds the built modules.
type Set struct {
	app *app.App
	// demo loaders, run in order by LoadDemo
	demos []func(ctx context.Context) error
}

// Build constructs every module on a and registers its jobs with a.Jobs.
// Call it once per App, before the job queue is initialised or started.
func Build(a *app.App) (*Set, error) {
	m := &Set{app: a}
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
