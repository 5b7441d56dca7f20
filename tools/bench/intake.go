package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

// intake: POST /api/v1/appeals from N concurrent clients through the whole
// HTTP stack, against the database's own ceiling for the same transaction
// shape at the same concurrency: INSERT the appeal row, INSERT its audit
// row, commit, from a Go loop over the same connection pool.
func init() {
	Register(&Target{Name: "intake", Summary: "appeal intake POST /api/v1/appeals ÷ bare INSERT appeal + INSERT audit (target ≥ 0.8)",
		Smoke: []string{"-requests", "16", "-clients", "4"},
		Flags: func(fs *flag.FlagSet) func(r *Run) error {
			requests := fs.Int("requests", 2000, "requests per round and side")
			clients := fs.Int("clients", 8, "concurrent clients")
			cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the API rounds to this file")
			return func(r *Run) error { return benchIntake(r, *requests, *clients, *cpuprofile) }
		}})
}

func benchIntake(r *Run, requests, clients int, cpuprofile string) error {
	env := sitetest.New(r.TB, r.Engine)
	env.Clock.Set(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
	tok := env.Token(r.TB, "ent")
	body := map[string]any{"kind": "help", "topic": "纳税", "title": "发票额度调整", "description": "季度开票额度不够用，如何申请调整？"}
	fmt.Fprintf(r.Out, "sizes: %d requests per round and side, %d clients, %d rounds (A B A B)\n", requests, clients, r.Rounds)
	var prof *os.File
	api := func(int) (Measure, error) {
		if cpuprofile != "" && prof == nil {
			var err error
			if prof, err = os.Create(cpuprofile); err != nil {
				return Measure{}, err
			}
			if err := pprof.StartCPUProfile(prof); err != nil {
				return Measure{}, err
			}
		}
		lat, wall, err := Concurrent(requests, clients, func(int) error {
			resp := env.API(r.TB, tok, "POST", "/api/v1/appeals", body)
			if resp.StatusCode != 201 {
				return fmt.Errorf("POST /api/v1/appeals: %d %s", resp.StatusCode, resp.Body)
			}
			return nil
		})
		return Measure{Label: "API POST /api/v1/appeals", Ops: len(lat), Time: wall, Lat: lat}, err
	}
	seq := 0
	raw := func(int) (Measure, error) {
		if prof != nil {
			pprof.StopCPUProfile()
			prof.Close()
			prof = nil
			cpuprofile = ""
		}
		base := seq
		seq += requests
		lat, wall, err := Concurrent(requests, clients, func(i int) error { return rawIntake(env.App.DB, base+i) })
		return Measure{Label: "bare INSERT appeal + audit tx", Ops: len(lat), Time: wall, Lat: lat}, err
	}
	a, b, err := Interleave(r.Rounds, api, raw)
	if err != nil {
		return err
	}
	PrintRates(r.Out, "req", a, b)
	return nil
}

// rawIntake is the ceiling's transaction: the appeal row and its audit
// row, committed.
func rawIntake(d *db.DB, i int) error {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	return d.WithTx(ctx, func(ctx context.Context) error {
		var id int64
		if err := d.W(ctx).QueryRow(ctx, `INSERT INTO appeals (number, year, channel, kind, topic, title, description, state, version,
			clock_start, submitted_at, created_at, updated_at, reply_alert, fu_alert) VALUES ($1, 2027, 'web', 'help', '纳税', 'raw', 'raw insert', 'submitted', 1, $2, $2, $2, $2, 3, 3)
			RETURNING id`, "RAW-"+strconv.Itoa(i), now).Scan(&id); err != nil {
			return err
		}
		_, err := d.W(ctx).Exec(ctx, `INSERT INTO audit_events (at, actor_name, action, object_type, object_id, before_digest, after_digest)
			VALUES ($1, 'bench', 'appeal.submit', 'appeal', $2, '', 'x')`, now, strconv.FormatInt(id, 10))
		return err
	})
}
