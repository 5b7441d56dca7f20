package notify_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
	"yingshang/internal/secret"
)

var start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// env is a notification service with a working River client.
type env struct {
	t     *testing.T
	d     *db.DB
	s     *notify.Service
	q     *jobs.Queue
	clk   *clock.Fake
	admin context.Context
}

// newEnv starts a service on d; configure sets drivers and options before
// the workers are registered.
func newEnv(t *testing.T, d *db.DB, configure func(s *notify.Service)) *env {
	t.Helper()
	keys, err := secret.Parse("k1:" + secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(start)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(d, log)
	q.Test = true
	s := &notify.Service{DB: d, Audit: &audit.Log{DB: d, Clock: clk}, Keys: keys, Clock: clk, Jobs: q, Log: log,
		Users:      &account.Service{DB: d, Keys: keys, Clock: clk},
		RetryDelay: func(int) time.Duration { return 20 * time.Millisecond }}
	if configure != nil {
		configure(s)
	}
	s.Register(q)
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
		defer c()
		_ = q.Stop(sctx)
		cancel()
	})
	admin := auth.WithActor(context.Background(), &auth.Actor{UserID: 9000, Username: "admin", Name: "平台管理员", Roles: []auth.Role{auth.PlatformAdmin}, Via: "session"})
	return &env{t: t, d: d, s: s, q: q, clk: clk, admin: admin}
}

// user creates an account and returns its id.
func (e *env) user(name, phone, email, lang string) int64 {
	e.t.Helper()
	ctx := context.Background()
	var id int64
	err := e.d.W(ctx).QueryRow(ctx, `INSERT INTO users (username, display_name, phone_enc, phone_mask, phone_hash, email, lang, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING id`,
		name, name, e.s.Keys.Encrypt(phone), ident.MaskMobile(phone), e.s.Keys.Index(phone), email, lang, start).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// as returns a context acting as the user.
func as(userID int64, roles ...auth.Role) context.Context {
	if len(roles) == 0 {
		roles = []auth.Role{auth.Enterprise}
	}
	return auth.WithActor(context.Background(), &auth.Actor{UserID: userID, Username: "u", Roles: roles, Via: "session"})
}

func (e *env) send(m notify.Message) []int64 {
	e.t.Helper()
	ids, err := e.s.Send(context.Background(), m)
	if err != nil {
		e.t.Fatalf("send: %v", err)
	}
	return ids
}

func (e *env) get(id int64) *notify.Notification {
	e.t.Helper()
	n, err := e.s.Get(e.admin, id)
	if err != nil {
		e.t.Fatalf("get %d: %v", id, err)
	}
	return n
}

// wait polls the row until it leaves the queue, with a deadline.
func (e *env) wait(id int64) *notify.Notification {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := e.get(id)
		if n.Status != notify.StatusQueued {
			return n
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("notification %d still queued after 30 s: %+v", id, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runJob enqueues args and waits, polling with a deadline, until that job
// has completed.
func (e *env) runJob(args river.JobArgs) {
	e.t.Helper()
	ctx := context.Background()
	if err := e.q.Enqueue(ctx, args, nil); err != nil {
		e.t.Fatal(err)
	}
	var id int64
	if err := e.d.Q(ctx).QueryRow(ctx, "SELECT MAX(id) FROM river_job WHERE kind = $1", args.Kind()).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var state string
		if err := e.d.Q(ctx).QueryRow(ctx, "SELECT state FROM river_job WHERE id = $1", id).Scan(&state); err != nil {
			e.t.Fatal(err)
		}
		switch state {
		case "completed":
			return
		case "discarded", "cancelled":
			e.t.Fatalf("job %s (%d) ended %s", args.Kind(), id, state)
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job %s (%d) still %s after 30 s", args.Kind(), id, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	ctx := context.Background()
	if err := e.d.Q(ctx).QueryRow(ctx, query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func readLog(t *testing.T, path string) []notify.LogSMSLine {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []notify.LogSMSLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l notify.LogSMSLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

func logSMS(t *testing.T) *notify.LogSMS {
	return &notify.LogSMS{Path: filepath.Join(t.TempDir(), "sms.jsonl"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func statuses(ns []notify.Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Channel+":"+n.Status)
	}
	slices.Sort(out)
	return out
}
