package app

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/jobs"
)

// MaintenanceArgs is the hourly housekeeping job: purge expired sessions
// and SMS codes, and checkpoint/optimise the SQLite database.
type MaintenanceArgs struct{}

// Kind names the job.
func (MaintenanceArgs) Kind() string { return "system.maintenance" }

type maintenanceWorker struct {
	river.WorkerDefaults[MaintenanceArgs]
	app *App
}

func (w *maintenanceWorker) Work(ctx context.Context, _ *river.Job[MaintenanceArgs]) error {
	return w.app.Maintain(ctx)
}

// Maintain runs the housekeeping once.
func (a *App) Maintain(ctx context.Context) error {
	n, err := a.Accounts.PurgeSessions(ctx)
	if err != nil {
		return err
	}
	if _, err := a.Accounts.PurgeThrottle(ctx); err != nil {
		return err
	}
	codes, err := a.Accounts.PurgePhoneCodes(ctx)
	if err != nil {
		return err
	}
	if err := a.DB.Maintain(ctx); err != nil {
		return err
	}
	a.Log.Info("maintenance", "sessions_purged", n, "sms_codes_purged", codes)
	return nil
}

func (a *App) registerMaintenance() {
	jobs.Register(a.Jobs, &maintenanceWorker{app: a})
	a.Jobs.Every(time.Hour, func() river.JobArgs { return MaintenanceArgs{} }, false)
}
