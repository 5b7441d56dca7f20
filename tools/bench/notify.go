package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/notify"
	"yingshang/internal/site/sitetest"
)

// notify: notification deliveries per second of one process (in-app row +
// SMS through the log driver, the SMS delivered by a River job), next to
// the rate at which the same messages are written (Notify.Send, the
// baseline). Each round first writes a backlog of messages with the queue
// stopped (B, timed), then starts the queue and times until every SMS row
// left "queued" (A). Targets: ≥ 1,000 deliveries/s on SQLite, ≥ 2,000 on
// PostgreSQL.
func init() {
	Register(&Target{Name: "notify", Summary: "notification deliveries/s per process (in-app + SMS log driver) ÷ message writes/s (targets ≥ 1,000 / 2,000 per s)",
		Smoke: []string{"-messages", "20"},
		Flags: func(fs *flag.FlagSet) func(r *Run) error {
			messages := fs.Int("messages", 5000, "messages per round (each one in-app row and one SMS)")
			workers := fs.Int("workers", 0, "job workers (0: the engine's default)")
			fetch := fs.Duration("fetch-interval", 0, "job fetch interval (0: the engine's default)")
			return func(r *Run) error { return benchNotify(r, *messages, *workers, *fetch) }
		}})
}

func benchNotify(r *Run, messages, workers int, fetch time.Duration) error {
	env := sitetest.New(r.TB, r.Engine)
	q := env.App.Jobs
	q.Test = false
	q.Workers, q.FetchInterval = workers, fetch
	w, f := q.Settings()
	fmt.Fprintf(r.Out, "sizes: %d messages per round (in-app + SMS each), %d job workers, fetch interval %s, %d rounds (A B A B)\n", messages, w, f, r.Rounds)
	admin := sitetest.System()
	ctx := context.Background()
	queued := func() (int, error) {
		var n int
		err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status = 'queued'").Scan(&n)
		return n, err
	}
	var backlog int
	write := func(int) (Measure, error) {
		t0 := time.Now()
		const perTx = 100
		for i := 0; i < messages; i += perTx {
			err := env.App.DB.WithTx(admin, func(ctx context.Context) error {
				for j := i; j < min(i+perTx, messages); j++ {
					_, err := env.App.Notify.Send(ctx, notify.Message{Type: notify.TypeTest, Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
						To:   []notify.Recipient{{UserID: env.Users["ent"], Phone: "13937451234"}},
						Data: map[string]any{"sender": "bench", "time": "2026-11-23 09:00", "note": fmt.Sprint("第", j, "条")}})
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return Measure{}, err
			}
		}
		backlog = messages
		return Measure{Label: "Notify.Send (writes)", Ops: 2 * messages, Time: time.Since(t0)}, nil
	}
	deliver := func(int) (Measure, error) {
		if backlog == 0 { // A runs first: write its backlog untimed
			if _, err := write(0); err != nil {
				return Measure{}, err
			}
		}
		t0 := time.Now()
		qctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if err := q.Start(qctx); err != nil {
			return Measure{}, err
		}
		for {
			n, err := queued()
			if err != nil {
				return Measure{}, err
			}
			if n == 0 {
				break
			}
			if time.Since(t0) > 10*time.Minute {
				return Measure{}, fmt.Errorf("%d SMS still queued after 10 minutes", n)
			}
			time.Sleep(5 * time.Millisecond)
		}
		el := time.Since(t0)
		sctx, c := context.WithTimeout(ctx, time.Minute)
		defer c()
		if err := q.Stop(sctx); err != nil {
			return Measure{}, err
		}
		var failed int
		if err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE channel = 'sms' AND status <> 'sent'").Scan(&failed); err != nil {
			return Measure{}, err
		}
		if failed > 0 {
			return Measure{}, fmt.Errorf("%d SMS rows not sent", failed)
		}
		n := backlog
		backlog = 0
		// Deliveries: the SMS sent by jobs and the in-app rows, which are
		// delivered when written.
		return Measure{Label: "deliveries (in-app + SMS jobs)", Ops: 2 * n, Time: el}, nil
	}
	a, b, err := Interleave(r.Rounds, deliver, write)
	if err != nil {
		return err
	}
	PrintRates(r.Out, "msg", a, b)
	target := 1000.0
	if r.Engine == db.Postgres {
		target = 2000
	}
	fmt.Fprintf(r.Out, "  deliveries %.0f/s against the target %.0f/s: %s\n", a.PerSec(), target, map[bool]string{true: "met", false: "NOT met"}[a.PerSec() >= target])
	return nil
}
