package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"

	"yingshang/internal/app"
	"yingshang/internal/appeal"
	"yingshang/internal/db"
	"yingshang/internal/module"
	"yingshang/internal/modules"
	"yingshang/internal/site"
	"yingshang/internal/site/sitetest"
)

// intake: POST /api/v1/appeals from N concurrent clients through the whole
// HTTP stack, against the database's own ceiling for the same transaction
// shape at the same concurrency: INSERT the appeal row, INSERT its audit
// row, commit, from a Go loop over the same connection pool (the target's
// ratio). A third side runs that transaction behind the thinnest HTTP
// handler, for the same clients: its ratio shows how much of the gap is
// the HTTP hop rather than the intake's own work.
func init() {
	Register(&Target{Name: "intake", Summary: "appeal intake POST /api/v1/appeals ÷ bare INSERT appeal + INSERT audit (target ≥ 0.8)",
		Smoke: []string{"-requests", "16", "-clients", "4"},
		Flags: func(fs *flag.FlagSet) func(r *Run) error {
			requests := fs.Int("requests", 2000, "requests per round and side")
			clients := fs.Int("clients", 8, "concurrent clients")
			cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the API rounds to this file")
			memprofile := fs.String("memprofile", "", "write an allocation profile of the run to this file")
			instances := fs.Int("instances", 1, "2: two application instances on one PostgreSQL database against one, the same clients split across them")
			client := fs.String("client", "wire", "the HTTP client: wire (one connection per client, read and written by the client's goroutine, as a load generator's) or net/http (net/http's Client)")
			return func(r *Run) error {
				if *client != "wire" && *client != "net/http" {
					return fmt.Errorf("-client is wire or net/http, not %q", *client)
				}
				if *instances == 2 {
					return benchIntakeInstances(r, *requests, *clients, *client)
				}
				if *instances != 1 {
					return fmt.Errorf("-instances is 1 or 2, not %d", *instances)
				}
				if *memprofile != "" {
					runtime.MemProfileRate = 64 << 10
					defer func() {
						if f, err := os.Create(*memprofile); err == nil {
							_ = pprof.Lookup("allocs").WriteTo(f, 0)
							f.Close()
						}
					}()
				}
				return benchIntake(r, *requests, *clients, *client, *cpuprofile)
			}
		}})
}

func benchIntake(r *Run, requests, clients int, clientKind, cpuprofile string) error {
	env := sitetest.New(r.TB, r.Engine)
	env.Clock.Set(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
	tok := env.Token(r.TB, "ent")
	post, err := newPoster(clientKind, env.HTTP.URL, clients)
	if err != nil {
		return err
	}
	defer post.Close()
	fmt.Fprintf(r.Out, "sizes: %d requests per round and side, %d clients (%s client), %d rounds (A B C A B C: the API, the bare transaction, the bare transaction behind HTTP)\n", requests, clients, clientKind, r.Rounds)
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
			return post.intake("/api/v1/appeals", tok)
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
	// The same bare transaction behind the thinnest HTTP handler (decode
	// the request's JSON, commit, answer JSON), called by the same HTTP
	// client: what an API in this process could reach at best, with the
	// HTTP hop that the baseline leaves out. Its ratio is printed
	// as well, so that a run shows how much of the gap is the hop itself.
	hop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var in struct {
			Kind, Topic, Title, Description string
		}
		if err := json.NewDecoder(req.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		i, _ := strconv.Atoi(req.URL.Query().Get("i"))
		if err := rawIntake(env.App.DB, i); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"number": "RAW-" + strconv.Itoa(i), "kind": in.Kind, "topic": in.Topic, "title": in.Title, "description": in.Description})
	}))
	defer hop.Close()
	hopPost, err := newPoster(clientKind, hop.URL, clients)
	if err != nil {
		return err
	}
	defer hopPost.Close()
	hopped := func(int) (Measure, error) {
		base := seq
		seq += requests
		lat, wall, err := Concurrent(requests, clients, func(i int) error {
			return hopPost.intake("/?i="+strconv.Itoa(base+i), "")
		})
		return Measure{Label: "bare tx behind HTTP", Ops: len(lat), Time: wall, Lat: lat}, err
	}
	ms, err := InterleaveAll(r.Rounds, api, raw, hopped)
	if err != nil {
		return err
	}
	PrintRates(r.Out, "req", ms[0], ms[1])
	PrintRate(r.Out, "req", ms[2])
	PrintRatio(r.Out, ms[0], ms[2])
	if svc, ok := module.Service[*appeal.Service](env.Modules.Host, "appeal"); ok {
		if txs, n := svc.IntakeCommits(); txs > 0 {
			fmt.Fprintf(r.Out, "  intake: %d appeals in %d write transactions (%.2f per commit)\n", n, txs, float64(n)/float64(txs))
		}
	}
	return nil
}

// intakeBody is the appeal every intake bench request submits.
var intakeBody, _ = json.Marshal(map[string]any{"kind": "help", "topic": "纳税", "title": "发票额度调整", "description": "季度开票额度不够用，如何申请调整？"})

// poster sends the intake benches' requests to one server: intakeBody
// POSTed with the bearer token (if any), the answer read to the end, 201
// wanted. Every HTTP side of a bench uses the same kind of client.
type poster struct {
	base   string
	client benchHTTP
}

// benchHTTP is a client of the intake benches (-client): it POSTs a JSON
// body to a path of its server and returns the status and the answer.
type benchHTTP interface {
	post(path, token string, body []byte) (int, []byte, error)
	Close()
}

func newPoster(kind, base string, clients int) (*poster, error) {
	if kind == "net/http" {
		return &poster{base: base, client: &stdClient{base: base, c: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}}}, nil
	}
	w, err := newWireClient(base, clients)
	if err != nil {
		return nil, err
	}
	return &poster{base: base, client: w}, nil
}

func (p *poster) intake(path, token string) error {
	status, answer, err := p.client.post(path, token, intakeBody)
	if err != nil {
		return err
	}
	if status != http.StatusCreated {
		return fmt.Errorf("POST %s%s: %d %s", p.base, path, status, answer)
	}
	return nil
}

// Close closes the kept connections.
func (p *poster) Close() { p.client.Close() }

// stdClient is -client net/http: net/http's Client, a connection kept per
// client.
type stdClient struct {
	base string
	c    *http.Client
}

func (s *stdClient) post(path, token string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest("POST", s.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, err
}

func (s *stdClient) Close() { s.c.CloseIdleConnections() }

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

// benchIntakeInstances is intake -instances 2: a second application
// instance (its own connection pool, modules, job queue client and HTTP
// server, the same keys and configuration, as a second process would
// have) on the first one's PostgreSQL database. A: the clients split
// evenly across the two instances; B: the same clients on the first
// instance alone. Both instances run in this process and so share its two
// cores, as two processes on the same machine would.
func benchIntakeInstances(r *Run, requests, clients int, clientKind string) error {
	if r.Engine != db.Postgres {
		return fmt.Errorf("two instances share a PostgreSQL database; SQLite is one process's (use -engine postgres)")
	}
	env := sitetest.New(r.TB, r.Engine)
	env.Clock.Set(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
	ctx := context.Background()
	d2, err := db.Open(ctx, env.App.DB.Pool.Config().ConnString(), "")
	if err != nil {
		return err
	}
	defer d2.Close()
	cfg := *env.App.Cfg
	a2, err := app.Assemble(&cfg, env.App.Log, "bench", env.Clock, d2, env.App.Keys)
	if err != nil {
		return err
	}
	a2.Jobs.Test = true
	mods2, err := modules.BuildFrom(a2, modules.All)
	if err != nil {
		return err
	}
	if err := a2.Jobs.Init(); err != nil {
		return err
	}
	srv2, err := site.New(a2, mods2)
	if err != nil {
		return err
	}
	second := httptest.NewServer(srv2.Handler())
	defer second.Close()
	tok := env.Token(r.TB, "ent")
	var posters []*poster
	for _, base := range []string{env.HTTP.URL, second.URL} {
		p, err := newPoster(clientKind, base, clients)
		if err != nil {
			return err
		}
		defer p.Close()
		posters = append(posters, p)
	}
	post := func(i int) error { return posters[i].intake("/api/v1/appeals", tok) }
	fmt.Fprintf(r.Out, "sizes: %d requests per round and side, %d clients (%s client), %d rounds (A B A B); A: two instances (pools of %d + %d connections), B: the first alone\n",
		requests, clients, clientKind, r.Rounds, env.App.DB.Pool.Config().MaxConns, d2.Pool.Config().MaxConns)
	two := func(int) (Measure, error) {
		lat, wall, err := Concurrent(requests, clients, func(i int) error { return post(i % 2) })
		return Measure{Label: "two instances", Ops: len(lat), Time: wall, Lat: lat}, err
	}
	one := func(int) (Measure, error) {
		lat, wall, err := Concurrent(requests, clients, func(int) error { return post(0) })
		return Measure{Label: "one instance", Ops: len(lat), Time: wall, Lat: lat}, err
	}
	a, b, err := Interleave(r.Rounds, two, one)
	if err != nil {
		return err
	}
	PrintRates(r.Out, "req", a, b)
	// Every request made one appeal, whichever instance took it.
	var n int
	if err := env.App.DB.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM appeals`).Scan(&n); err != nil {
		return err
	}
	if want := 2 * r.Rounds * requests; n != want {
		return fmt.Errorf("%d appeals after %d requests", n, want)
	}
	return nil
}
