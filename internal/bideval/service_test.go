package bideval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/draw"
	"yingshang/internal/entity"
	"yingshang/internal/filestore"
	"yingshang/internal/ident"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
	"yingshang/internal/secret"
	"yingshang/internal/yserr"
)

var start = time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai)

type env struct {
	t                        *testing.T
	d                        *db.DB
	clk                      *clock.Fake
	s                        *Service
	staff, tenderer, sup     context.Context
	bidA, bidB, bidC, bidD   context.Context
	uscc                     map[string]string // tenderer, A, B, C
	experts                  map[int64]context.Context
	expertUsers              []int64
	centre                   int64
	strangerExpert, outsider context.Context
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	draw.RegisterMessages()
	RegisterMessages()
	keys, err := secret.Parse("k1:" + secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(start)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(d, log)
	au := &audit.Log{DB: d, Clock: clk}
	n := &notify.Service{DB: d, Audit: au, Keys: keys, Clock: clk, Jobs: q, Log: log, SMS: &notify.LogSMS{Log: log},
		Users: &account.Service{DB: d, Audit: au, Keys: keys, Clock: clk}}
	n.Register(q)
	if err := q.Init(); err != nil {
		t.Fatal(err)
	}
	acc := &account.Service{DB: d, Audit: au, Keys: keys, Clock: clk}
	ents := &entity.Service{DB: d, Audit: au, Keys: keys, Clock: clk}
	ds := &draw.Service{DB: d, Audit: au, Clock: clk, Keys: keys, Notify: n, Accounts: acc, Entities: ents, CentreDept: "XC-JYZX"}
	e := &env{t: t, d: d, clk: clk, uscc: map[string]string{}, experts: map[int64]context.Context{},
		s: &Service{DB: d, Audit: au, Clock: clk, Keys: keys, Notify: n, Accounts: acc, Entities: ents, Draw: ds, Files: filestore.New(d, keys, clk.Now), MaxFileBytes: 1 << 20}}
	e.s.Hook()
	rnd := rand.New(rand.NewPCG(8, 1))
	e.centre = e.exec("INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ('XC-JYZX','公共资源交易中心','office',$1,$1)", start)
	staffID := e.exec("INSERT INTO users (username, display_name, department_id, created_at, updated_at) VALUES ('jyzx','交易中心',$1,$2,$2)", e.centre, start)
	e.staff = auth.WithActor(context.Background(), &auth.Actor{UserID: staffID, Username: "jyzx", Roles: []auth.Role{auth.DeptStaff},
		DepartmentID: e.centre, DeptScope: []int64{e.centre}, Via: "session"})
	supID := e.exec("INSERT INTO users (username, display_name, created_at, updated_at) VALUES ('sup','监督',$1,$1)", start)
	e.sup = auth.WithActor(context.Background(), &auth.Actor{UserID: supID, Username: "sup", Roles: []auth.Role{auth.Supervisor}, Via: "session"})
	ent := func(key, name, rep string) context.Context {
		u := ident.GenerateUSCC(rnd, "411002")
		e.uscc[key] = u
		id := e.exec("INSERT INTO entities (uscc, name, legal_rep_name, created_at, updated_at) VALUES ($1,$2,$3,$4,$4)", u, name, rep, start)
		uid := e.exec("INSERT INTO users (username, display_name, entity_id, created_at, updated_at) VALUES ($1,$2,$3,$4,$4)", "u-"+key, rep, id, start)
		if _, err := d.W(context.Background()).Exec(context.Background(), "INSERT INTO user_roles (user_id, role) VALUES ($1, 'enterprise')", uid); err != nil {
			t.Fatal(err)
		}
		return auth.WithActor(context.Background(), &auth.Actor{UserID: uid, Username: "u-" + key, Roles: []auth.Role{auth.Enterprise}, EntityID: id, Via: "session"})
	}
	e.tenderer = ent("T", "许昌市城市管理局下属示例单位有限公司", "赵立新")
	e.bidA = ent("A", "许昌恒达建设有限公司", "王建国")
	e.bidB = ent("B", "长葛市顺通市政工程有限公司", "李秀英")
	e.bidC = ent("C", "禹州市迟到建筑有限公司", "陈迟到")
	e.bidD = ent("D", "襄城县第四建设有限公司", "吴四海")
	// Pool: 6 technical and 2 economic experts, each with an expert account.
	for i := range 8 {
		spec := "A01"
		if i >= 6 {
			spec = "E01"
		}
		uname := fmt.Sprintf("expert%d", i)
		uid := e.exec("INSERT INTO users (username, display_name, created_at, updated_at) VALUES ($1,$2,$3,$3)", uname, fmt.Sprintf("专家%d", i), start)
		if _, err := d.W(context.Background()).Exec(context.Background(), "INSERT INTO user_roles (user_id, role) VALUES ($1, 'expert')", uid); err != nil {
			t.Fatal(err)
		}
		if _, err := ds.CreateExpert(e.staff, draw.ExpertInput{Name: fmt.Sprintf("专家%d", i), Specialties: []string{spec}, Username: uname,
			Region: "411081", Phone: fmt.Sprintf("1380000%04d", i)}); err != nil {
			t.Fatal(err)
		}
		e.expertUsers = append(e.expertUsers, uid)
		e.experts[uid] = auth.WithActor(context.Background(), &auth.Actor{UserID: uid, Username: uname, Roles: []auth.Role{auth.Expert}, Via: "session"})
	}
	uid := e.exec("INSERT INTO users (username, display_name, created_at, updated_at) VALUES ('lonely','未入库专家',$1,$1)", start)
	e.outsider = auth.WithActor(context.Background(), &auth.Actor{UserID: uid, Username: "lonely", Roles: []auth.Role{auth.Expert}, Via: "session"})
	return e
}

func (e *env) exec(q string, args ...any) int64 {
	e.t.Helper()
	var id int64
	if err := e.d.W(context.Background()).QueryRow(context.Background(), q+" RETURNING id", args...).Scan(&id); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return id
}

// project registers a project (opening 2026-12-22 09:00) with settings.
func (e *env) project(name string) int64 {
	e.t.Helper()
	p, err := e.s.Draw.CreateProject(e.tenderer, draw.ProjectInput{Name: name, Kind: "works", BudgetYuan: 3_000_000,
		Specialties: []string{"A01"}, TendererUSCC: e.uscc["T"], Region: "411002", OpeningAt: "2026-12-22T09:00"})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.s.SetSettings(e.tenderer, p.ID, SettingsInput{Criteria: DefaultCriteria(), Rule: RuleTrimmedMean, PriceMax: 30}); err != nil {
		e.t.Fatal(err)
	}
	return p.ID
}

func code(err error) yserr.Code { return yserr.CodeOf(err) }

func TestSettingsValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		p, err := e.s.Draw.CreateProject(e.tenderer, draw.ProjectInput{Name: "货物采购", Kind: "goods", BudgetYuan: 900_000,
			Specialties: []string{"A01"}, TendererUSCC: e.uscc["T"], OpeningAt: "2026-12-22T09:00"})
		if err != nil {
			t.Fatal(err)
		}
		crit := []Criterion{{Key: "a", NameZH: "甲", Max: 40}, {Key: "a", NameZH: "乙", Max: 40}}
		_, err = e.s.SetSettings(e.tenderer, p.ID, SettingsInput{Criteria: crit, PriceMax: 20, DeadlineAt: "2026-12-23T09:00"})
		ye := yserr.As(err)
		fields := map[string]bool{}
		for _, f := range ye.Fields {
			fields[f.Field] = true
		}
		// duplicate key, goods price weight below 30, deadline after the opening
		if ye.Code != yserr.Invalid || !fields["criteria[1].key"] || !fields["price_max"] || !fields["deadline_at"] {
			t.Fatalf("bad settings accepted or badly reported: %+v", ye.Fields)
		}
		crit[1].Key = "b"
		if _, err := e.s.SetSettings(e.tenderer, p.ID, SettingsInput{Criteria: crit, PriceMax: 30}); !strings.Contains(fmt.Sprint(yserr.As(err).Fields), "110") {
			t.Fatalf("a total of 110 points accepted: %v", err)
		}
		if _, err := e.s.SetSettings(e.bidA, p.ID, SettingsInput{Criteria: DefaultCriteria(), PriceMax: 30}); code(err) != yserr.Forbidden {
			t.Fatalf("a bidder set the evaluation: %v", err)
		}
		st, err := e.s.SetSettings(e.staff, p.ID, SettingsInput{Criteria: []Criterion{{Key: "plan", NameZH: "方案", Max: 70}}, PriceMax: 30})
		if err != nil || st.Status != StatusOpen || !st.DeadlineAt.Equal(st.OpeningAt) || st.TechnicalMax != 70 {
			t.Fatalf("settings: %v %+v", err, st)
		}
	})
}

func TestBidsDeadlineHashesAndLeaks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid := e.project("道路改造工程")
		if _, err := e.s.Upload(e.bidA, pid, PartTechnical, "t.txt", []byte("x"), ""); code(err) != yserr.Conflict {
			t.Fatalf("upload before registering: %v", err)
		}
		if _, err := e.s.Register(e.tenderer, pid, RegisterInput{}); code(err) != yserr.Conflict {
			t.Fatalf("the tenderer registered as a bidder: %v", err)
		}
		if _, err := e.s.Register(e.bidA, pid, RegisterInput{ProjectManager: "周立新"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Register(e.bidA, pid, RegisterInput{}); code(err) != yserr.Conflict {
			t.Fatalf("registered twice: %v", err)
		}
		p, _ := e.s.Draw.LoadProject(context.Background(), pid)
		if !slices.Contains(p.BidderUSCCs, e.uscc["A"]) {
			t.Fatalf("the bidder's code is not among the project's bidders (expert avoidance): %v", p.BidderUSCCs)
		}
		// Type and content checks.
		for name, data := range map[string][]byte{"a.exe": []byte("MZ"), "a.pdf": []byte("not a pdf"), "a.docx": []byte("PK nope"), "a.txt": {0xff, 0xfe, 0}} {
			if name == "a.txt" {
				data = []byte{0x80, 0x81}
			}
			if _, err := e.s.Upload(e.bidA, pid, PartTechnical, name, data, ""); code(err) != yserr.Invalid {
				t.Fatalf("%s accepted: %v", name, err)
			}
		}
		if _, err := e.s.Upload(e.bidA, pid, PartTechnical, "big.txt", make([]byte, 2<<20), ""); code(err) != yserr.Invalid {
			t.Fatalf("oversized file accepted: %v", err)
		}
		if _, err := e.s.Upload(e.bidA, pid, PartCommercial, "c.pdf", pdf("(price) Tj", ""), "-5"); code(err) != yserr.Invalid {
			t.Fatalf("negative price accepted: %v", err)
		}
		// A technical part naming the bidder (spaced out), its credit code and its project manager.
		tech := Docx("施工组织设计", "本项目由 许昌 恒达 建设 负责实施，项目负责人周立新。", "统一社会信用代码 "+e.uscc["A"])
		f, err := e.s.Upload(e.bidA, pid, PartTechnical, "技术标.docx", tech, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(f.SHA256) != 64 || f.Version != 1 || f.TextStatus != "read" {
			t.Fatalf("receipt %+v", f)
		}
		bids, err := e.s.Bids(e.staff, pid)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, g := range bids[0].Flags {
			kinds = append(kinds, g.Kind+":"+g.Term)
		}
		slices.Sort(kinds)
		if want := []string{"name:许昌恒达建设", "person:周立新", "uscc:" + e.uscc["A"]}; !slices.Equal(kinds, want) {
			t.Fatalf("flags %v, want %v", kinds, want)
		}
		if bids[0].Technical.SHA256 != f.SHA256 {
			t.Fatal("staff see another hash than the bidder's receipt")
		}
		if _, err := e.s.Bids(e.bidA, pid); code(err) != yserr.Forbidden {
			t.Fatalf("a bidder listed the bidders: %v", err)
		}
		flag := bids[0].Flags[0]
		if _, err := e.s.Dispose(e.staff, flag.ID, DisposeInput{Disposition: FlagConfirmed}); code(err) != yserr.Invalid {
			t.Fatalf("confirmed without a note: %v", err)
		}
		if _, err := e.s.Dispose(e.bidA, flag.ID, DisposeInput{Disposition: FlagFalsePositive, Note: "误报"}); code(err) != yserr.Forbidden {
			t.Fatalf("a bidder disposed a flag: %v", err)
		}
		if g, err := e.s.Dispose(e.staff, flag.ID, DisposeInput{Disposition: FlagConfirmed, Note: "提交评标委员会"}); err != nil || g.Disposition != FlagConfirmed || g.ReviewedAt == nil {
			t.Fatalf("dispose: %v %+v", err, g)
		}
		// A clean re-upload is version 2; the first is kept.
		f2, err := e.s.Upload(e.bidA, pid, PartTechnical, "技术标.txt", []byte("施工组织设计：分段流水施工。"), "")
		if err != nil || f2.Version != 2 {
			t.Fatalf("re-upload: %v %+v", err, f2)
		}
		c, err := e.s.Upload(e.bidA, pid, PartCommercial, "商务标.pdf", pdf("(Total 3,718,600.00) Tj", ""), "3,718,600.5")
		if err != nil || c.PriceYuan != "3718600.50" {
			t.Fatalf("commercial: %v %+v", err, c)
		}
		mine, err := e.s.MyBid(e.bidA, pid)
		if err != nil || len(mine.Files) != 3 || mine.Technical.Version != 2 || !mine.Complete || mine.Commercial.PriceYuan != "3718600.50" || mine.Flags != nil {
			t.Fatalf("my bid: %v %+v", err, mine)
		}
		bids, _ = e.s.Bids(e.staff, pid)
		if bids[0].Commercial.PriceYuan != "" {
			t.Fatal("the price is shown to staff before the unmasking")
		}
		// After the deadline nothing changes, and the refusal names the deadline.
		e.clk.Set(time.Date(2026, 12, 22, 9, 0, 0, 0, shanghai))
		for what, err := range map[string]error{
			"upload": func() error {
				_, err := e.s.Upload(e.bidA, pid, PartTechnical, "late.txt", []byte("迟到"), "")
				return err
			}(),
			"register": func() error { _, err := e.s.Register(e.bidB, pid, RegisterInput{}); return err }(),
			"settings": func() error {
				_, err := e.s.SetSettings(e.staff, pid, SettingsInput{Criteria: DefaultCriteria(), PriceMax: 30})
				return err
			}(),
		} {
			if code(err) != yserr.Conflict || !strings.Contains(yserr.As(err).ZH, "2026-12-22 09:00") || !strings.Contains(yserr.As(err).EN, "2026-12-22 09:00") {
				t.Fatalf("%s after the deadline: %v", what, err)
			}
		}
		var n int
		if err := d.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_events WHERE action = 'bideval.upload'").Scan(&n); err != nil || n != 3 {
			t.Fatalf("upload audit events: %d %v", n, err)
		}
	})
}

// scored drives a project to the scoring stage: bidders A, B and D with
// both parts, C with the technical part only; experts drawn (the first
// declines, a reserve steps in); the codes drawn. It returns the project and
// the contexts of the committee's members. techA, when given, is A's
// technical part.
func (e *env) scored(t *testing.T, techA ...string) (int64, []context.Context) {
	pid := e.project("雨污分流改造工程")
	for k, bid := range map[string]context.Context{"A": e.bidA, "B": e.bidB, "C": e.bidC, "D": e.bidD} {
		if _, err := e.s.Register(bid, pid, RegisterInput{}); err != nil {
			t.Fatal(err)
		}
		text := "施工方案 " + k
		if k == "A" && len(techA) > 0 {
			text = techA[0]
		}
		if _, err := e.s.Upload(bid, pid, PartTechnical, "t.txt", []byte(text), ""); err != nil {
			t.Fatal(err)
		}
	}
	for bid, price := range map[context.Context]string{e.bidA: "3600000", e.bidB: "4000000", e.bidD: "4500000"} {
		if _, err := e.s.Upload(bid, pid, PartCommercial, "c.txt", []byte("报价"), price); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.CommitCodes(e.staff, pid); code(err) != yserr.Conflict {
		t.Fatalf("codes drawn before the deadline: %v", err)
	}
	d, err := e.s.Draw.CommitExperts(e.staff, pid, draw.ExpertDrawInput{Reserves: 1})
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Minute)
	if _, err := e.s.Draw.Execute(e.staff, d.ID, draw.DrawInput{WitnessName: "见证人", WitnessValue: "314159"}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Draw.DemoAnswers(context.Background(), pid); err != nil {
		t.Fatal(err)
	}
	e.clk.Set(time.Date(2026, 12, 22, 9, 5, 0, 0, shanghai))
	if _, err := e.s.CommitCodes(e.bidA, pid); code(err) != yserr.Forbidden {
		t.Fatalf("a bidder committed the codes draw: %v", err)
	}
	cd, err := e.s.CommitCodes(e.staff, pid)
	if err != nil {
		t.Fatal(err)
	}
	if !cd.Sealed {
		t.Fatal("the codes draw is not sealed")
	}
	if _, err := e.s.CommitCodes(e.staff, pid); code(err) != yserr.Conflict {
		t.Fatalf("a second codes draw: %v", err)
	}
	e.clk.Advance(time.Minute)
	if err := e.s.RunCodes(e.staff, pid, draw.DrawInput{WitnessName: "见证人", WitnessValue: "271828"}); err != nil {
		t.Fatal(err)
	}
	members, err := e.s.committee(context.Background(), pid)
	if err != nil || len(members) != 5 {
		t.Fatalf("committee: %v %d", err, len(members))
	}
	var ctxs []context.Context
	for _, m := range members {
		var uid int64
		if err := e.d.Q(context.Background()).QueryRow(context.Background(), "SELECT user_id FROM draw_experts WHERE id = $1", m.ExpertID).Scan(&uid); err != nil {
			t.Fatal(err)
		}
		ctxs = append(ctxs, e.experts[uid])
	}
	return pid, ctxs
}

// publish publishes the candidates and lets their publicity run out.
func (e *env) publish(pid int64) {
	e.t.Helper()
	if _, err := e.s.PublishCandidates(e.staff, pid); err != nil {
		e.t.Fatal(err)
	}
	e.clk.Advance(3*24*time.Hour + time.Minute)
}

func fullSheet(codes []CodedBid, pts func(code, crit string) float64) SheetInput {
	var in SheetInput
	for _, c := range codes {
		for _, cr := range DefaultCriteria() {
			in.Scores = append(in.Scores, Score{Code: c.Code, Criterion: cr.Key, Points: pts(c.Code, cr.Key), Comment: "评语 " + c.Code + " " + cr.Key})
		}
	}
	return in
}

func TestCodesScoringUnmaskAward(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid, members := e.scored(t)
		st, _ := e.s.settings(context.Background(), pid)
		if st.Status != StatusScoring {
			t.Fatalf("status %s", st.Status)
		}
		// The codes draw went through the engine: sealed for the public and
		// the staff, complete for supervisors, and it verifies.
		anon := context.Background()
		rec, err := e.s.Draw.PublicRecord(anon, st.CodesDrawID)
		if err != nil || rec.Seed != "" || len(rec.Picks) != 0 || len(rec.Candidates.Candidates) != 0 || rec.Commitment.SecretHash == "" {
			t.Fatalf("sealed record shows %v %+v", err, rec)
		}
		if _, err := e.s.Draw.VerifyDraw(e.staff, st.CodesDrawID); code(err) != yserr.Conflict {
			t.Fatalf("staff verified a sealed draw: %v", err)
		}
		full, err := e.s.Draw.PublicRecord(e.sup, st.CodesDrawID)
		if err != nil || len(full.Picks) != 3 || len(full.Candidates.Excluded) != 1 || full.Candidates.Excluded[0].Reasons[0] != ReasonIncomplete {
			t.Fatalf("supervisor's record: %v %+v", err, full)
		}
		if diffs := draw.Verify(full); len(diffs) != 0 {
			t.Fatalf("codes draw does not verify: %v", diffs)
		}
		bids, _ := e.s.Bids(e.staff, pid)
		for _, b := range bids {
			if b.Code != "" {
				t.Fatalf("staff see code %s of %s before the unmasking", b.Code, b.Name)
			}
		}
		supBids, _ := e.s.Bids(e.sup, pid)
		byPseudonym := map[string]string{}
		for _, b := range supBids {
			byPseudonym[b.Pseudonym] = b.Code
		}
		for _, pk := range full.Picks {
			if byPseudonym[pk.ID] != CodeLabel(pk.Order) {
				t.Fatalf("bid %s has code %s, the record says %s", pk.ID, byPseudonym[pk.ID], CodeLabel(pk.Order))
			}
		}
		// Who may score: confirmed members only.
		if _, err := e.s.Codes(e.outsider, pid); code(err) != yserr.Forbidden {
			t.Fatalf("an unlinked expert saw the codes: %v", err)
		}
		var stranger context.Context
		for uid, c := range e.experts {
			if !slices.ContainsFunc(members, func(m context.Context) bool { return auth.From(m).UserID == uid }) {
				stranger = c
			}
		}
		if _, err := e.s.Codes(stranger, pid); code(err) != yserr.Forbidden {
			t.Fatalf("an expert not on the committee (declined or reserve) saw the codes: %v", err)
		}
		if _, err := e.s.Codes(e.bidA, pid); code(err) != yserr.Forbidden {
			t.Fatalf("a bidder saw the codes: %v", err)
		}
		now := e.clk.Now()
		e.clk.Set(start)
		other := e.project("另一个项目")
		e.clk.Set(now)
		if _, err := e.s.MySheet(members[0], other); code(err) != yserr.Forbidden {
			t.Fatalf("a member opened another project's sheet: %v", err)
		}
		codes, err := e.s.Codes(members[0], pid)
		if err != nil || len(codes) != 3 || codes[0].Code != "A01" || codes[2].Code != "A03" {
			t.Fatalf("codes %v %+v", err, codes)
		}
		// Nothing the expert sees links a code to a bidder's receipt, and no
		// bidder learns its code before the unmasking.
		receipts := map[string]bool{}
		for _, b := range supBids {
			if b.Technical != nil {
				receipts[b.Technical.SHA256] = true
			}
		}
		for _, c := range codes {
			raw, _ := json.Marshal(c)
			if receipts[c.ViewID] || !strings.HasPrefix(c.ViewID, "V-") || strings.Contains(string(raw), supBids[0].Technical.SHA256[:12]) {
				t.Fatalf("the expert's view of %s is linkable to a receipt: %+v", c.Code, c)
			}
		}
		for _, bid := range []context.Context{e.bidA, e.bidB, e.bidD} {
			if mine, err := e.s.MyBid(bid, pid); err != nil || mine.Code != "" {
				t.Fatalf("a bidder learns its code %q during the scoring: %v", mine.Code, err)
			}
		}
		name, _, data, err := e.s.TechnicalByCode(members[0], pid, "A02")
		if err != nil || name != "A02.txt" || !strings.HasPrefix(string(data), "施工方案 ") {
			t.Fatalf("download by code: %v %s %q", err, name, data)
		}
		if _, _, _, err := e.s.TechnicalByCode(members[0], pid, "A04"); code(err) != yserr.NotFound {
			t.Fatalf("code A04 (the incomplete bid is not coded): %v", err)
		}
		// Above the maximum, unknown codes, incomplete locks.
		bad := fullSheet(codes, func(string, string) float64 { return 10 })
		bad.Scores[0].Points = 31
		if _, err := e.s.SaveSheet(members[0], pid, bad); code(err) != yserr.Invalid || !strings.Contains(err.Error(), "30") {
			t.Fatalf("31 of 30 points accepted: %v", err)
		}
		if _, err := e.s.SaveSheet(members[0], pid, SheetInput{Scores: []Score{{Code: "A09", Criterion: "plan", Points: 1}}}); code(err) != yserr.Invalid {
			t.Fatalf("a score for an unknown code: %v", err)
		}
		if _, err := e.s.SaveSheet(members[0], pid, SheetInput{Scores: []Score{{Code: "A01", Criterion: "plan", Points: 20}}, Lock: true}); code(err) != yserr.Invalid {
			t.Fatalf("an incomplete sheet locked: %v", err)
		}
		// Technical scores: A01 gets 50 from four members and 60 from one, A02 40, A03 35.
		pts := func(i int) func(string, string) float64 {
			return func(c, k string) float64 {
				base := map[string]float64{"plan": 20, "quality": 15, "schedule": 15}[k]
				if k == "plan" {
					base -= map[string]float64{"A02": 10, "A03": 15}[c]
				}
				if c == "A01" && i == 4 && k == "plan" {
					base += 10
				}
				return base
			}
		}
		draft, err := e.s.SaveSheet(members[0], pid, SheetInput{Scores: fullSheet(codes, pts(0)).Scores[:2]})
		if err != nil || draft.Status != SheetDraft || len(draft.Scores) != 2 {
			t.Fatalf("draft: %v %+v", err, draft)
		}
		for i, m := range members[:4] {
			sh, err := e.s.SaveSheet(m, pid, func() SheetInput { in := fullSheet(codes, pts(i)); in.Lock = true; return in }())
			if err != nil || sh.Status != SheetLocked || len(sh.SHA256) != 64 {
				t.Fatalf("lock %d: %v %+v", i, err, sh)
			}
		}
		if _, err := e.s.SaveSheet(members[0], pid, fullSheet(codes, pts(0))); code(err) != yserr.Conflict {
			t.Fatalf("a locked sheet changed: %v", err)
		}
		// Own scores only until every member has locked.
		if _, err := e.s.CommitteeSheets(members[0], pid); code(err) != yserr.Forbidden {
			t.Fatalf("a member saw the others' scores before all locked: %v", err)
		}
		if _, err := e.s.Unmask(e.staff, pid); code(err) != yserr.Conflict || !strings.Contains(yserr.As(err).EN, "1 of 5") {
			t.Fatalf("unmasked with a sheet missing: %v", err)
		}
		if _, err := e.s.Results(e.staff, pid); code(err) != yserr.Conflict {
			t.Fatalf("results before the unmasking: %v", err)
		}
		if _, err := e.s.SaveSheet(members[4], pid, func() SheetInput { in := fullSheet(codes, pts(4)); in.Lock = true; return in }()); err != nil {
			t.Fatal(err)
		}
		all, err := e.s.CommitteeSheets(members[0], pid)
		if err != nil || len(all) != 5 {
			t.Fatalf("committee sheets after all locked: %v %d", err, len(all))
		}
		if _, err := e.s.Unmask(e.bidA, pid); code(err) != yserr.Forbidden {
			t.Fatalf("a bidder unmasked: %v", err)
		}
		res, err := e.s.Unmask(e.staff, pid)
		if err != nil {
			t.Fatal(err)
		}
		// trimmed mean over 5 totals: A01 (50,50,50,50,60) -> 50; A02 40; A03 35.
		// Prices: A 3,600,000 (lowest, 30), B 4,000,000 -> 27, D 4,500,000 -> 24.
		byBidder := map[string]Row{}
		for _, r := range res.Rows {
			byBidder[r.USCC] = r
		}
		tech := map[string]float64{"A01": 50, "A02": 40, "A03": 35} // the codes are random: each bidder has the score of the code it drew
		for k, price := range map[string]float64{"A": 30, "B": 27, "D": 24} {
			r := byBidder[e.uscc[k]]
			if r.Technical != tech[r.Code] || r.PriceScore != price || r.Total != tech[r.Code]+price {
				t.Fatalf("scores of %s: %+v", k, r)
			}
		}
		if len(res.Rows) != 3 || len(res.Ties) != 0 {
			t.Fatalf("rows %+v ties %v", res.Rows, res.Ties)
		}
		// A01 wins either way (at worst 74 against at best 70).
		if res.Rows[0].Code != "A01" || res.Rows[0].Rank != 1 || res.Rows[1].Rank != 2 || res.Rows[0].Total <= res.Rows[1].Total {
			t.Fatalf("ranking %+v", res.Rows)
		}
		var n int
		if err := d.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_events WHERE action = 'bideval.unmasked'").Scan(&n); err != nil || n != 1 {
			t.Fatalf("unmask audit events: %d %v", n, err)
		}
		if diffs, err := e.s.Draw.VerifyDraw(anon, st.CodesDrawID); err != nil || len(diffs) != 0 {
			t.Fatalf("after the unmasking the public verifies the codes draw: %v %v", err, diffs)
		}
		bids, _ = e.s.Bids(e.staff, pid)
		for _, b := range bids {
			if b.Complete && (b.Code == "" || b.Commercial.PriceYuan == "") {
				t.Fatalf("code or price of %s still hidden from staff after the unmasking", b.Name)
			}
		}
		if _, err := e.s.Publicity(anon, pid); code(err) != yserr.NotFound {
			t.Fatalf("publicity before the award: %v", err)
		}
		first, second := res.Rows[0], res.Rows[1]
		e.publish(pid)
		if _, err := e.s.Award(e.staff, pid, AwardInput{BidID: second.BidID}); code(err) != yserr.Invalid {
			t.Fatalf("second-ranked bid awarded: %v", err)
		}
		if _, err := e.s.Award(e.staff, pid, AwardInput{BidID: first.BidID}); err != nil {
			t.Fatal(err)
		}
		pub, err := e.s.Publicity(anon, pid)
		if err != nil || pub.Stage != "award" || pub.Winner != first.Bidder || len(pub.Members) != 5 || len(pub.Members[0].Totals) != 3 || len(pub.Draws) != 2 {
			t.Fatalf("publicity %v %+v", err, pub)
		}
		if pub.Members[4].Totals[slices.IndexFunc(pub.Results, func(r Row) bool { return r.Code == "A01" })] != 60 {
			t.Fatalf("member scores on the publicity: %+v", pub.Members[4])
		}
		if _, err := e.s.Award(e.staff, pid, AwardInput{BidID: first.BidID}); code(err) != yserr.Conflict {
			t.Fatalf("awarded twice: %v", err)
		}
		// Each evaluated bidder is told its own result, once.
		ctx := context.Background()
		for _, r := range res.Rows {
			var n int
			var body string
			if err := e.d.Q(ctx).QueryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(n.body), '') FROM notifications n JOIN users u ON u.id = n.user_id
				JOIN entities en ON en.id = u.entity_id WHERE n.msg_type = $1 AND en.uscc = $2`, MsgAwarded, r.USCC).Scan(&n, &body); err != nil {
				t.Fatal(err)
			}
			if n != 1 || !strings.Contains(body, "暗标编码 "+r.Code) || !strings.Contains(body, fmt.Sprintf("排名第 %d", r.Rank)) || !strings.Contains(body, first.Bidder) {
				t.Errorf("%s (%s): %d result messages, %q", r.Bidder, r.Code, n, body)
			}
		}
	})
}

func TestTieForFirstNeedsAReason(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid, members := e.scored(t)
		codes, _ := e.s.Codes(members[0], pid)
		// A pays 3,600,000 (30 price points), B 4,000,000 (27): give B's
		// code 3 technical points more, so both total the same.
		bids, _ := e.s.Bids(e.sup, pid)
		codeB := ""
		for _, b := range bids {
			if b.USCC == e.uscc["B"] {
				codeB = b.Code
			}
		}
		for _, m := range members {
			in := fullSheet(codes, func(c, k string) float64 {
				if c == codeB && k == "plan" {
					return 23
				}
				return 20
			})
			in.Lock = true
			if _, err := e.s.SaveSheet(m, pid, in); err != nil {
				t.Fatal(err)
			}
		}
		res, err := e.s.Unmask(e.staff, pid)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Ties) != 1 || len(res.Ties[0]) != 2 || res.Rows[0].Rank != 1 || res.Rows[1].Rank != 1 || !res.Rows[1].Tied {
			t.Fatalf("tie not reported: %+v %+v", res.Rows, res.Ties)
		}
		e.publish(pid)
		if _, err := e.s.Award(e.staff, pid, AwardInput{BidID: res.Rows[1].BidID}); code(err) != yserr.Invalid {
			t.Fatalf("tie awarded without a reason: %v", err)
		}
		if _, err := e.s.Award(e.staff, pid, AwardInput{BidID: res.Rows[1].BidID, Note: "并列第一，经招标人确认按报价低者"}); err != nil {
			t.Fatal(err)
		}
	})
}

// Settings follow the legal minimums: 20 days from the notice (configurable
// per procedure); once a bid exists the deadline only moves later and a
// change of the criteria needs 15 days; each change tells the bidders.
func TestSettingsFollowLegalMinimums(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		p, err := e.s.Draw.CreateProject(e.tenderer, draw.ProjectInput{Name: "道路工程", Kind: "works", BudgetYuan: 3_000_000,
			Specialties: []string{"A01"}, TendererUSCC: e.uscc["T"], OpeningAt: "2026-12-22T09:00"})
		if err != nil {
			t.Fatal(err)
		}
		in := SettingsInput{Criteria: DefaultCriteria(), PriceMax: 30, DeadlineAt: "2026-12-15T09:00"}
		if _, err := e.s.SetSettings(e.tenderer, p.ID, in); code(err) != yserr.Invalid || !strings.Contains(yserr.As(err).ZH, "不得少于 20 日") {
			t.Fatalf("a deadline 14 days after the notice: %v", err)
		}
		in.Procedure = ProcGovConsultation // 10 days
		if _, err := e.s.SetSettings(e.tenderer, p.ID, in); err != nil {
			t.Fatalf("consultation with 14 days: %v", err)
		}
		in.Procedure, in.DeadlineAt = "", "2026-12-22T09:00"
		st, err := e.s.SetSettings(e.tenderer, p.ID, in)
		if err != nil || st.Procedure != ProcGovConsultation || st.NoticeAt == nil || !st.NoticeAt.Equal(start) {
			t.Fatalf("an update keeps the procedure and the notice time: %v %+v", err, st)
		}
		if _, err := e.s.Register(e.bidA, p.ID, RegisterInput{}); err != nil {
			t.Fatal(err)
		}
		// With a bid: the deadline cannot move forward (the three minutes from now).
		e.clk.Advance(24 * time.Hour)
		in.DeadlineAt = e.clk.Now().Add(3 * time.Minute).Format(time.RFC3339)
		if _, err := e.s.SetSettings(e.tenderer, p.ID, in); code(err) != yserr.Invalid {
			t.Fatalf("the deadline pulled forward with a bid: %v", err)
		}
		in.DeadlineAt = "2026-12-21T09:00"
		if _, err := e.s.SetSettings(e.tenderer, p.ID, in); code(err) != yserr.Invalid || !strings.Contains(yserr.As(err).EN, "only move later") {
			t.Fatalf("the deadline moved earlier with a bid: %v", err)
		}
		in.DeadlineAt, in.Procedure = "2026-12-22T09:00", ProcTender
		if _, err := e.s.SetSettings(e.tenderer, p.ID, in); code(err) != yserr.Invalid {
			t.Fatalf("the procedure changed with a bid: %v", err)
		}
		// A change of the criteria 20 days before the deadline is allowed and
		// told to the bidder; 12 days before it is not.
		in.Procedure = ""
		in.Criteria = []Criterion{{Key: "plan", NameZH: "方案", Max: 70}}
		if _, err := e.s.SetSettings(e.tenderer, p.ID, in); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		var n int
		if err := d.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id JOIN entities en ON en.id = u.entity_id
			WHERE n.msg_type = $1 AND en.uscc = $2`, MsgSettingsChanged, e.uscc["A"]).Scan(&n); err != nil || n != 1 {
			t.Fatalf("the bidder was told of the change %d times: %v", n, err)
		}
		e.clk.Set(time.Date(2026, 12, 10, 9, 0, 0, 0, shanghai))
		in.Criteria[0].Max, in.PriceMax = 60, 40
		if _, err := e.s.SetSettings(e.tenderer, p.ID, in); code(err) != yserr.Invalid || !strings.Contains(yserr.As(err).ZH, "15 日") {
			t.Fatalf("criteria changed 12 days before the deadline: %v", err)
		}
		if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE action = 'bideval.settings'").Scan(&n); err != nil || n != 3 {
			t.Fatalf("settings audit events: %d %v", n, err)
		}
		// The opening moves only later once a bid exists; moving it with the
		// deadline gives the change of the criteria its 15 days.
		in.OpeningAt, in.DeadlineAt = "2026-12-20T09:00", "2026-12-20T09:00"
		if _, err := e.s.SetSettings(e.tenderer, p.ID, in); code(err) != yserr.Invalid || !strings.Contains(yserr.As(err).EN, "opening can only move later") {
			t.Fatalf("the opening moved earlier with a bid: %v", err)
		}
		in.OpeningAt, in.DeadlineAt = "2026-12-29T09:00", "2026-12-29T09:00"
		if _, err := e.s.SetSettings(e.tenderer, p.ID, in); err != nil {
			t.Fatalf("criteria changed with the opening and the deadline moved 19 days out: %v", err)
		}
		if moved, _ := e.s.Draw.LoadProject(ctx, p.ID); !moved.OpeningAt.Equal(time.Date(2026, 12, 29, 9, 0, 0, 0, shanghai)) {
			t.Fatalf("the opening did not move: %v", moved.OpeningAt)
		}
		// The minimum is configurable per procedure.
		e.s.MinBidDays = map[string]int{ProcTender: 25}
		q, err := e.s.Draw.CreateProject(e.tenderer, draw.ProjectInput{Name: "另一道路工程", Kind: "works", BudgetYuan: 3_000_000,
			Specialties: []string{"A01"}, TendererUSCC: e.uscc["T"], OpeningAt: "2027-01-01T09:00"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.SetSettings(e.tenderer, q.ID, SettingsInput{Criteria: DefaultCriteria(), PriceMax: 30}); code(err) != yserr.Invalid || !strings.Contains(yserr.As(err).ZH, "25 日") {
			t.Fatalf("22 days accepted with a 25-day minimum: %v", err)
		}
	})
}

// Fewer than three valid bids at the deadline stop the evaluation.
func TestFewerThanThreeValidBidsStopTheEvaluation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid := e.project("小型维修工程")
		for _, bid := range []context.Context{e.bidA, e.bidB, e.bidC} {
			if _, err := e.s.Register(bid, pid, RegisterInput{}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.s.Upload(bid, pid, PartTechnical, "t.txt", []byte("施工方案"), ""); err != nil {
				t.Fatal(err)
			}
		}
		for _, bid := range []context.Context{e.bidA, e.bidB} { // C's bid is incomplete
			if _, err := e.s.Upload(bid, pid, PartCommercial, "c.txt", []byte("报价"), "1000000"); err != nil {
				t.Fatal(err)
			}
		}
		e.clk.Set(time.Date(2026, 12, 22, 9, 5, 0, 0, shanghai))
		if _, err := e.s.CommitCodes(e.staff, pid); code(err) != yserr.Conflict || !strings.Contains(yserr.As(err).ZH, "重新招标") {
			t.Fatalf("codes drawn for two valid bids: %v", err)
		}
		st, _ := e.s.settings(context.Background(), pid)
		if st.Status != StatusFailed || st.FailedReason == "" || st.CodesDrawID != 0 {
			t.Fatalf("the evaluation did not stop: %+v", st)
		}
		if _, err := e.s.CommitCodes(e.staff, pid); code(err) != yserr.Conflict {
			t.Fatalf("a stopped evaluation went on: %v", err)
		}
		var n int
		if err := d.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_events WHERE action = 'bideval.failed'").Scan(&n); err != nil || n != 1 {
			t.Fatalf("failed audit events: %d %v", n, err)
		}
	})
}

// A technical part naming its bidder: the bidder is warned at upload, the
// experts get the redacted text, and the open findings block the unmasking
// until the centre decides each with a reason.
func TestLeakFindingsRedactWarnAndBlockUnmasking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid := e.project("泄露检查工程")
		if _, err := e.s.Register(e.bidA, pid, RegisterInput{}); err != nil {
			t.Fatal(err)
		}
		f, err := e.s.Upload(e.bidA, pid, PartTechnical, "t.txt", []byte("本方案由许昌 恒达建设编制，法定代表人王建国。"), "")
		if err != nil || len(f.Warnings) != 2 {
			t.Fatalf("the bidder is not warned at upload: %v %+v", err, f)
		}
		e.clk.Set(start)
		pid, members := e.scored(t, "本方案由许昌 恒达建设编制，法定代表人王建国。")
		codes, _ := e.s.Codes(members[0], pid)
		var redacted []CodedBid
		for _, c := range codes {
			if c.Redacted {
				redacted = append(redacted, c)
			}
		}
		if len(redacted) != 1 || redacted[0].Ext != ".txt" {
			t.Fatalf("redacted parts: %+v", codes)
		}
		name, mime, data, err := e.s.TechnicalByCode(members[0], pid, redacted[0].Code)
		if err != nil || name != redacted[0].Code+".txt" || !strings.HasPrefix(mime, "text/plain") ||
			string(data) != "本方案由■■ ■■■■编制，法定代表人■■■。" {
			t.Fatalf("the expert got %s %s %q (%v)", name, mime, data, err)
		}
		for _, m := range members {
			in := fullSheet(codes, func(string, string) float64 { return 10 })
			in.Lock = true
			if _, err := e.s.SaveSheet(m, pid, in); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.s.Unmask(e.staff, pid); code(err) != yserr.Conflict || !strings.Contains(yserr.As(err).EN, "2 identity-leak findings") {
			t.Fatalf("unmasked with open leak findings: %v", err)
		}
		bids, _ := e.s.Bids(e.staff, pid)
		for _, b := range bids {
			for _, g := range b.Flags {
				if _, err := e.s.Dispose(e.staff, g.ID, DisposeInput{Disposition: FlagFalsePositive}); code(err) != yserr.Invalid {
					t.Fatalf("a decision without a reason: %v", err)
				}
				if _, err := e.s.Dispose(e.staff, g.ID, DisposeInput{Disposition: FlagConfirmed, Note: "已遮盖，提交评标委员会"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := e.s.Unmask(e.staff, pid); err != nil {
			t.Fatalf("unmasking after every finding was decided: %v", err)
		}
	})
}

// The result is published as candidates for three days with an objection
// window before the award; the committee stays secret until the award.
func TestCandidatePublicityAndObjections(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid, members := e.scored(t)
		codes, _ := e.s.Codes(members[0], pid)
		for _, m := range members {
			in := fullSheet(codes, func(c, _ string) float64 { return map[string]float64{"A01": 20, "A02": 15, "A03": 10}[c] })
			in.Lock = true
			if _, err := e.s.SaveSheet(m, pid, in); err != nil {
				t.Fatal(err)
			}
		}
		res, err := e.s.Unmask(e.staff, pid)
		if err != nil {
			t.Fatal(err)
		}
		first := res.Rows[0]
		if _, err := e.s.Award(e.staff, pid, AwardInput{BidID: first.BidID}); code(err) != yserr.Conflict {
			t.Fatalf("awarded without the candidates' publicity: %v", err)
		}
		if tr, err := e.s.Results(e.tenderer, pid); err != nil || tr.Committee[0].Name != "" {
			t.Fatalf("the tenderer sees the committee before the award: %v %+v", err, tr.Committee)
		}
		if _, err := e.s.Object(e.bidB, pid, ObjectionInput{Body: "评分有误"}); code(err) != yserr.Conflict {
			t.Fatalf("an objection before the publicity: %v", err)
		}
		if _, err := e.s.PublishCandidates(e.bidA, pid); code(err) != yserr.Forbidden {
			t.Fatalf("a bidder published the candidates: %v", err)
		}
		// Staff of a department other than the project's centre may not act.
		other := auth.WithActor(context.Background(), &auth.Actor{UserID: 9999, Username: "swj", Roles: []auth.Role{auth.DeptStaff},
			DepartmentID: 9999, DeptScope: []int64{9999}, Via: "session"})
		if _, err := e.s.PublishCandidates(other, pid); code(err) != yserr.Forbidden {
			t.Fatalf("another department's staff published the candidates: %v", err)
		}
		st, err := e.s.PublishCandidates(e.staff, pid)
		if err != nil || st.Status != StatusPublicity || !st.PublicityUntil.Equal(e.clk.Now().AddDate(0, 0, 3)) {
			t.Fatalf("publish: %v %+v", err, st)
		}
		anon := context.Background()
		pub, err := e.s.Publicity(anon, pid)
		if err != nil || pub.Stage != "candidates" || len(pub.Members) != 0 || pub.Winner != "" || len(pub.Results) != 3 || pub.Results[0].ExpertTotals != nil {
			t.Fatalf("candidates' publicity %v %+v", err, pub)
		}
		if list, err := e.s.Notices(anon); err != nil || len(list) != 1 || list[0].Stage != "candidates" {
			t.Fatalf("notices %v %+v", err, list)
		}
		if _, err := e.s.Object(e.bidC, pid, ObjectionInput{Body: ""}); code(err) != yserr.Invalid {
			t.Fatalf("an empty objection: %v", err)
		}
		if _, err := e.s.Object(e.tenderer, pid, ObjectionInput{Body: "异议"}); code(err) != yserr.Forbidden {
			t.Fatalf("an objection by someone who did not bid: %v", err)
		}
		o, err := e.s.Object(e.bidB, pid, ObjectionInput{Body: "第一名的项目负责人不具备相应资格"})
		if err != nil {
			t.Fatal(err)
		}
		if mine, _ := e.s.Objections(e.bidB, pid); len(mine) != 1 || mine[0].Bidder != "" {
			t.Fatalf("the objector's list %+v", mine)
		}
		if theirs, _ := e.s.Objections(e.bidA, pid); len(theirs) != 0 {
			t.Fatalf("another bidder sees the objection: %+v", theirs)
		}
		if _, err := e.s.Award(e.staff, pid, AwardInput{BidID: first.BidID}); code(err) != yserr.Conflict || !strings.Contains(yserr.As(err).ZH, "公示期至") {
			t.Fatalf("awarded during the publicity: %v", err)
		}
		e.clk.Advance(3*24*time.Hour + time.Minute)
		if _, err := e.s.Object(e.bidB, pid, ObjectionInput{Body: "迟到的异议"}); code(err) != yserr.Conflict {
			t.Fatalf("an objection after the window: %v", err)
		}
		if _, err := e.s.Award(e.staff, pid, AwardInput{BidID: first.BidID}); code(err) != yserr.Conflict || !strings.Contains(yserr.As(err).EN, "1 objections") {
			t.Fatalf("awarded with an objection unanswered: %v", err)
		}
		if _, err := e.s.AnswerObjection(e.bidB, o.ID, AnswerInput{Answer: "自己答复"}); code(err) != yserr.Forbidden {
			t.Fatalf("a bidder answered: %v", err)
		}
		if _, err := e.s.AnswerObjection(other, o.ID, AnswerInput{Answer: "越权答复"}); code(err) != yserr.Forbidden {
			t.Fatalf("another department's staff answered: %v", err)
		}
		if a, err := e.s.AnswerObjection(e.staff, o.ID, AnswerInput{Answer: "经核查，项目负责人资格符合招标文件要求。"}); err != nil || a.AnsweredAt == nil {
			t.Fatalf("answer: %v %+v", err, a)
		}
		if _, err := e.s.Award(e.staff, pid, AwardInput{BidID: first.BidID}); err != nil {
			t.Fatal(err)
		}
		pub, _ = e.s.Publicity(anon, pid)
		if pub.Stage != "award" || len(pub.Members) != 5 || pub.Members[0].Name == "" {
			t.Fatalf("award notice %+v", pub)
		}
	})
}
