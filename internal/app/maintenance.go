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

// SequencerArgs is the audit log's sequencer: it integrates committed events
// into the Merkle tree and signs a checkpoint. River's elected leader
// enqueues it, so one instance at a time runs it; should two runs overlap,
// the tree head's row lock makes the second wait for the first.
type SequencerArgs struct{}

// Kind names the job.
func (SequencerArgs) Kind() string { return "audit.sequencer" }

type sequencerWorker struct {
	river.WorkerDefaults[SequencerArgs]
	app *App
}

func (w *sequencerWorker) Work(ctx context.Context, _ *river.Job[SequencerArgs]) error {
	n, err := w.app.Audit.IntegrateAll(ctx)
	if n > 0 {
		w.app.Log.Debug("audit log", "integrated", n)
	}
	return err
}

// SequencerInterval is how often the sequencer runs.
const SequencerInterval = 5 * time.Second

func (a *App) registerSequencer() {
	jobs.Register(a.Jobs, &sequencerWorker{app: a})
	a.Jobs.Every(SequencerInterval, func() river.JobArgs { return SequencerArgs{} }, true)
}

// registerStates adds the core's audited objects to the deep check.
func (a *App) registerStates() {
	a.Entities.RegisterStates(a.Audit.States)
	a.Accounts.RegisterStates(a.Audit.States)
}
