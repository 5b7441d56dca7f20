package draw_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/draw"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
	"yingshang/internal/secret"
	"yingshang/internal/yserr"
)

var start = time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

type env struct {
	t                 *testing.T
	d                 *db.DB
	clk               *clock.Fake
	s                 *draw.Service
	centre, other     int64
	staff, ent        context.Context
	tenderer, bidder  string
	otherUSCC         string
	staffUser, entUID int64
}

func newEnv(t *testing.T, d *db.DB) *env {
	draw.RegisterMessages()
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
	e := &env{t: t, d: d, clk: clk, s: &draw.Service{DB: d, Audit: au, Clock: clk, Keys: keys, Notify: n,
		Accounts: &account.Service{DB: d, Audit: au, Keys: keys, Clock: clk}, Entities: &entity.Service{DB: d, Audit: au, Keys: keys, Clock: clk}, CentreDept: "XC-JYZX"}}
	rnd := rand.New(rand.NewPCG(4, 2))
	e.tenderer, e.bidder, e.otherUSCC = ident.GenerateUSCC(rnd, "411002"), ident.GenerateUSCC(rnd, "411002"), ident.GenerateUSCC(rnd, "411002")
	e.centre = e.exec("INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ('XC-JYZX','公共资源交易中心','office',$1,$1)", start)
	e.other = e.exec("INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ('XC-SJJ','市场监管局','bureau',$1,$1)", start)
	entity := e.exec("INSERT INTO entities (uscc, name, created_at, updated_at) VALUES ($1,'许昌示例建设有限公司',$2,$2)", e.tenderer, start)
	e.staffUser = e.exec("INSERT INTO users (username, display_name, department_id, created_at, updated_at) VALUES ('jyzx-staff','交易中心',$1,$2,$2)", e.centre, start)
	e.entUID = e.exec("INSERT INTO users (username, display_name, entity_id, created_at, updated_at) VALUES ('tenderer','招标人',$1,$2,$2)", entity, start)
	e.staff = auth.WithActor(context.Background(), &auth.Actor{UserID: e.staffUser, Username: "jyzx-staff", Roles: []auth.Role{auth.DeptStaff},
		DepartmentID: e.centre, DeptScope: []int64{e.centre}, Via: "session"})
	e.ent = auth.WithActor(context.Background(), &auth.Actor{UserID: e.entUID, Username: "tenderer", Roles: []auth.Role{auth.Enterprise},
		EntityID: entity, Via: "session"})
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

// pool adds n technical (A01) and m economic (E01) clean experts plus one
// of each avoidance case; it returns the pseudonyms of the avoided ones.
func (e *env) pool(n, m int) map[string]string {
	e.t.Helper()
	add := func(in draw.ExpertInput) string {
		x, err := e.s.CreateExpert(e.staff, in)
		if err != nil {
			e.t.Fatal(err)
		}
		return x.Pseudonym
	}
	for i := range n {
		add(draw.ExpertInput{Name: fmt.Sprintf("技术专家%d", i), Specialties: []string{"A01"}, Region: "411081", Phone: "1380000" + fmt.Sprintf("%04d", i)})
	}
	for i := range m {
		add(draw.ExpertInput{Name: fmt.Sprintf("经济专家%d", i), Specialties: []string{"E01"}, Region: "411081"})
	}
	return map[string]string{
		draw.ReasonEmployerTenderer: add(draw.ExpertInput{Name: "招标人员工", Specialties: []string{"A01"}, EmployerUSCC: e.tenderer}),
		draw.ReasonEmployerBidder:   add(draw.ExpertInput{Name: "投标人员工", Specialties: []string{"A01"}, EmployerUSCC: e.bidder}),
		draw.ReasonRelation:         add(draw.ExpertInput{Name: "关联专家", Specialties: []string{"A01"}, Relations: []string{e.bidder}}),
		draw.ReasonNotActive:        add(draw.ExpertInput{Name: "暂停专家", Specialties: []string{"A01"}, Status: draw.ExpertSuspended}),
		draw.ReasonSameRegion:       add(draw.ExpertInput{Name: "本地专家", Specialties: []string{"E01"}, Region: "411002"}),
		draw.ReasonUnavailable:      add(draw.ExpertInput{Name: "请假专家", Specialties: []string{"A01"}, UnavailableTo: "2026-12-31"}),
	}
}

func (e *env) project() *draw.Project {
	e.t.Helper()
	p, err := e.s.CreateProject(e.ent, draw.ProjectInput{Name: "许昌市某道路改造工程", Kind: "works", BudgetYuan: 3_000_000,
		Specialties: []string{"A01"}, TendererUSCC: e.tenderer, BidderUSCCs: []string{e.bidder}, Region: "411002",
		CrossRegion: true, OpeningAt: "2026-12-03T09:00"})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

var tokenRe = regexp.MustCompile(`/draws/answer/([0-9a-f]{32})`)

// token returns the answer token sent for an assignment.
func (e *env) token(asgID int64) string {
	e.t.Helper()
	var body string
	if err := e.d.Q(context.Background()).QueryRow(context.Background(), `SELECT body FROM notifications WHERE object_type = 'draw_assignment'
		AND object_id = $1 AND channel = 'sms' ORDER BY id DESC LIMIT 1`, fmt.Sprint(asgID)).Scan(&body); err != nil {
		e.t.Fatalf("no message for assignment %d: %v", asgID, err)
	}
	m := tokenRe.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no link in %q", body)
	}
	return m[1]
}

func TestExpertDrawWithAvoidanceReplacementAndVerification(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		avoided := e.pool(12, 4)
		p := e.project()
		if p.Committee != 5 || p.Status != "registered" {
			t.Fatalf("project %+v", p)
		}
		if _, err := e.s.CommitExperts(e.ent, p.ID, draw.ExpertDrawInput{}); !yserr.Is(err, yserr.Forbidden) {
			t.Fatalf("tenderer committed a draw: %v", err)
		}
		dr, err := e.s.CommitExperts(e.staff, p.ID, draw.ExpertDrawInput{Reserves: 2})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := e.s.PublicRecord(context.Background(), dr.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Every avoidance case is excluded with its reason, under the
		// expert's pseudonym on this project.
		for reason, ps := range avoided {
			if ps, err = e.s.ProjectAlias(e.staff, p.ID, ps); err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(rec.Candidates.Excluded, func(x draw.Exclusion) bool { return x.ID == ps })
			if i < 0 || !slices.Contains(rec.Candidates.Excluded[i].Reasons, reason) {
				t.Fatalf("%s (%s) not excluded with reason %s: %+v", ps, reason, reason, rec.Candidates.Excluded)
			}
		}
		if len(rec.Candidates.Candidates) != 16 || rec.Seed != "" {
			t.Fatalf("frozen list: %d candidates, seed %q", len(rec.Candidates.Candidates), rec.Seed)
		}
		if _, err := e.s.Execute(e.staff, dr.ID, draw.DrawInput{WitnessName: "见证人"}); !yserr.Is(err, yserr.Invalid) {
			t.Fatalf("draw without witness value: %v", err)
		}
		e.clk.Advance(time.Minute)
		if _, err := e.s.Execute(e.staff, dr.ID, draw.DrawInput{WitnessName: "王见证", WitnessValue: "271828"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Execute(e.staff, dr.ID, draw.DrawInput{WitnessName: "王见证", WitnessValue: "1"}); !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("second execution: %v", err)
		}
		if diffs, err := e.s.VerifyDraw(context.Background(), dr.ID); err != nil || len(diffs) != 0 {
			t.Fatalf("stored record does not verify: %v %v", err, diffs)
		}
		// The summary (read without the list and the record) after the run:
		// the commitment as committed, the project, the new status.
		sum, err := e.s.Draw(context.Background(), dr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sum.ID != dr.ID || sum.Purpose != dr.Purpose || sum.ProjectID != p.ID || sum.ProjectCode != p.Code || sum.ParentID != 0 ||
			sum.Status != "drawn" || sum.DrawnAt == nil || !sum.CommittedAt.Equal(dr.CommittedAt) || sum.Sealed != dr.Sealed ||
			!reflect.DeepEqual(sum.Commitment, dr.Commitment) {
			t.Fatalf("summary after the run: %+v, committed as %+v", sum, dr)
		}
		if _, err := e.s.Draw(context.Background(), dr.ID+1000); !yserr.Is(err, yserr.NotFound) {
			t.Fatalf("summary of a missing draw: %v", err)
		}
		asg, err := e.s.Assignments(e.staff, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		status := func(a []draw.Assignment) string {
			var s []string
			for _, x := range a {
				s = append(s, fmt.Sprintf("%s%d:%s", x.Group[:1], x.Order, x.Status))
			}
			return strings.Join(s, " ")
		}
		if got := status(asg); got != "t1:notified t2:notified t3:notified t4:notified t5:standby t6:standby e1:notified e2:standby" {
			t.Fatalf("assignments: %s", got)
		}
		// Sealed: the tenderer sees no names.
		sealed, err := e.s.Assignments(e.ent, p.ID)
		if err != nil || sealed[0].Name != "" || asg[0].Name == "" {
			t.Fatalf("sealing: %v %+v / %+v", err, sealed[0], asg[0])
		}
		// The first technical expert declines: reserve t5 is called.
		if err := e.s.Answer(context.Background(), e.token(asg[0].ID), false); err != nil {
			t.Fatal(err)
		}
		if err := e.s.Answer(context.Background(), e.token(asg[1].ID), true); err != nil {
			t.Fatal(err)
		}
		if err := e.s.Answer(context.Background(), e.token(asg[1].ID), false); !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("answered twice: %v", err)
		}
		asg, _ = e.s.Assignments(e.staff, p.ID)
		if got := status(asg); got != "t1:declined t2:confirmed t3:notified t4:notified t5:notified t6:standby e1:notified e2:standby" || asg[4].ReplacesID != asg[0].ID {
			t.Fatalf("after decline: %s (t5 replaces %d)", got, asg[4].ReplacesID)
		}
		// Silence: after the deadline the periodic job expires t3, t4, t5, e1
		// and calls t6 and e2.
		e.clk.Advance(3 * time.Hour)
		if n, err := e.s.ExpireDue(context.Background()); err != nil || n != 4 {
			t.Fatalf("expired %d %v", n, err)
		}
		asg, _ = e.s.Assignments(e.staff, p.ID)
		if got := status(asg); got != "t1:declined t2:confirmed t3:expired t4:expired t5:expired t6:notified e1:expired e2:notified" {
			t.Fatalf("after expiry: %s", got)
		}
		if err := e.s.Answer(context.Background(), e.token(asg[2].ID), true); !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("late answer: %v", err)
		}
		// Reserves are exhausted for 3 technical seats: a linked redraw.
		re, err := e.s.CommitExperts(e.staff, p.ID, draw.ExpertDrawInput{})
		if err != nil {
			t.Fatal(err)
		}
		rr, _ := e.s.PublicRecord(context.Background(), re.ID)
		if re.ParentID != dr.ID || len(rr.Spec.Groups) != 1 || rr.Spec.Groups[0].Count != 2 {
			t.Fatalf("redraw %+v spec %+v", re, rr.Spec.Groups)
		}
		for _, x := range asg {
			if x.Group != "technical" {
				continue
			}
			if !slices.ContainsFunc(rr.Candidates.Excluded, func(ex draw.Exclusion) bool { return ex.ID == x.Pseudonym }) {
				t.Fatalf("already drawn %s is a redraw candidate", x.Pseudonym)
			}
		}
		if _, err := e.s.Execute(e.staff, re.ID, draw.DrawInput{WitnessName: "王见证", WitnessValue: "161803"}); err != nil {
			t.Fatal(err)
		}
		if diffs, _ := e.s.VerifyDraw(context.Background(), re.ID); len(diffs) != 0 {
			t.Fatal(diffs)
		}
		list, total, err := e.s.Draws(context.Background(), 0, 1, 10)
		if err != nil || total != 2 || list[0].ID != re.ID {
			t.Fatalf("public list: %v %d %+v", err, total, list)
		}
		var events int
		_ = d.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_events WHERE action LIKE 'draw.%'").Scan(&events)
		if events < 20 {
			t.Fatalf("only %d draw audit events", events)
		}
	})
}

func TestTooFewCandidatesRefusesWithReasons(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.pool(3, 1)
		p := e.project()
		_, err := e.s.CommitExperts(e.staff, p.ID, draw.ExpertDrawInput{})
		if !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("want conflict, got %v", err)
		}
		zh, en := yserr.Texts(err)
		for _, want := range []string{"technical experts: 4 needed, 3 eligible", "employer is a bidder: 1", "declared relation: 1", "not active or penalised: 1"} {
			if !strings.Contains(en, want) {
				t.Fatalf("explanation %q lacks %q", en, want)
			}
		}
		// The Chinese text names the group and the reasons in Chinese: no
		// group name or reason code leaks into it (issue 13).
		for _, want := range []string{"技术类专家需要 4 人，符合条件 3 人", "工作单位为投标人 1 人", "申报了利害关系 1 人", "非在库正常状态或受处罚 1 人"} {
			if !strings.Contains(zh, want) {
				t.Fatalf("Chinese explanation %q lacks %q", zh, want)
			}
		}
		for _, raw := range []string{"technical", "economic", "needs", "eligible", "excluded", "employer_is_bidder", "declared_relation", "not_active"} {
			if strings.Contains(zh, raw) {
				t.Fatalf("Chinese explanation %q shows the raw %q", zh, raw)
			}
		}
		var n int
		_ = d.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM draws").Scan(&n)
		if n != 0 {
			t.Fatalf("a refused draw left %d rows", n)
		}
	})
}

func TestSixRandomsVenuesPeopleAndSeats(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.pool(12, 4)
		for i := range 3 {
			if _, err := e.s.CreatePerson(e.staff, "staff", fmt.Sprintf("受理员%d", i), ""); err != nil {
				t.Fatal(err)
			}
			if _, err := e.s.CreatePerson(e.staff, "witness", fmt.Sprintf("见证员%d", i), ""); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 4 {
			if _, err := e.s.CreateRoom(e.staff, fmt.Sprintf("R%d", i), "许昌市公共资源交易中心", fmt.Sprintf("评标室%d", i), 3); err != nil {
				t.Fatal(err)
			}
		}
		run := func(dr *draw.Draw, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.s.Execute(e.staff, dr.ID, draw.DrawInput{WitnessName: "见证", WitnessValue: "42"}); err != nil {
				t.Fatal(err)
			}
			if diffs, _ := e.s.VerifyDraw(context.Background(), dr.ID); len(diffs) != 0 {
				t.Fatal(diffs)
			}
		}
		p1, p2 := e.project(), e.project()
		run(e.s.CommitPeople(e.staff, p1.ID, "staff", 1))
		run(e.s.CommitPeople(e.staff, p1.ID, "witness", 2))
		run(e.s.CommitVenues(e.staff, p1.ID, 1))
		run(e.s.CommitVenues(e.staff, p2.ID, 1))
		// All four rooms are booked at that time now.
		if _, err := e.s.CommitVenues(e.staff, p2.ID, 0); !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("double booking: %v", err)
		}
		ppl, _ := e.s.ProjectPeople(e.staff, p1.ID)
		if len(ppl) != 3 {
			t.Fatalf("people %+v", ppl)
		}
		run(e.s.CommitExperts(e.staff, p1.ID, draw.ExpertDrawInput{}))
		run(e.s.CommitExperts(e.staff, p2.ID, draw.ExpertDrawInput{}))
		// 2 projects x 5 experts cannot fit 4 rooms apart: said so.
		if _, err := e.s.CommitSeats(e.staff, p1.OpeningAt); !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("impossible seating: %v", err)
		}
		e.exec("INSERT INTO draw_rooms (code, venue, name, capacity, status, created_at) VALUES ('R9','副场','评标室9',2,'active',$1)", start)
		e.exec("INSERT INTO draw_bookings (room_id, project_id, role, starts_at, ends_at, created_at) VALUES ((SELECT id FROM draw_rooms WHERE code='R9'),$1,'secondary',$2,$3,$4)",
			p2.ID, p1.OpeningAt, p1.OpeningAt.Add(4*time.Hour), start)
		run(e.s.CommitSeats(e.staff, p1.OpeningAt))
		rooms := map[string]int{}
		for _, p := range []*draw.Project{p1, p2} {
			asg, _ := e.s.Assignments(e.staff, p.ID)
			seen := map[string]bool{}
			for _, a := range asg {
				if a.Reserve {
					continue
				}
				if a.Room == "" || seen[a.Room] {
					t.Fatalf("project %s: room %q repeated or empty", p.Code, a.Room)
				}
				seen[a.Room] = true
				rooms[a.Room]++
			}
		}
		for r, n := range rooms {
			if n > 3 || (r == "R9" && n > 2) {
				t.Fatalf("room %s holds %d", r, n)
			}
		}
	})
}

func TestImportExpertsAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		sheet := func(rows [][]any) *bytes.Buffer {
			f := excelize.NewFile()
			for i, row := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if err := f.Write(&buf); err != nil {
				t.Fatal(err)
			}
			return &buf
		}
		header := []any{"姓名", "专业代码", "手机号", "工作单位统一社会信用代码", "工作单位名称", "所在地区代码", "职称", "关联单位统一社会信用代码", "状态"}
		bad := sheet([][]any{header, {"甲", "A01", "", "", "", "411002", "高工", "", ""}, {"乙", "a 01!", "", "", "", "", "", "", ""}})
		if _, err := e.s.ImportExperts(e.staff, bad); !yserr.Is(err, yserr.Invalid) || !strings.Contains(err.Error(), "3") {
			t.Fatalf("bad row: %v", err)
		}
		if _, total, _ := e.s.Experts(e.staff, draw.ExpertFilter{}); total != 0 {
			t.Fatalf("a failed import left %d experts", total)
		}
		good := sheet([][]any{header, {"甲", "A01", "13800000001", e.bidder, "某公司", "411002", "高工", "", ""},
			{"乙", "E01,E02", "", "", "", "411081", "", e.tenderer, "suspended"}})
		res, err := e.s.ImportExperts(e.staff, good)
		if err != nil || res.Created != 2 {
			t.Fatalf("import: %v %+v", err, res)
		}
		list, _, _ := e.s.Experts(e.staff, draw.ExpertFilter{})
		if len(list) != 2 || list[1].Status != draw.ExpertSuspended || len(list[1].Specialties) != 2 || list[1].Relations[0] != e.tenderer || list[0].EmployerUSCC != e.bidder {
			t.Fatalf("imported %+v", list)
		}
		if _, err := e.s.ImportExperts(e.ent, sheet([][]any{header})); !yserr.Is(err, yserr.Forbidden) {
			t.Fatalf("enterprise import: %v", err)
		}
		// The import kit reads a GBK CSV too; a missing required column names it.
		gbk, err := simplifiedchinese.GBK.NewEncoder().String("姓名,专业代码,所在地区代码\n丙,A02,411002\n")
		if err != nil {
			t.Fatal(err)
		}
		if res, err := e.s.ImportExperts(e.staff, strings.NewReader(gbk)); err != nil || res.Created != 1 {
			t.Fatalf("GBK CSV: %v %+v", err, res)
		}
		if _, err := e.s.ImportExperts(e.staff, strings.NewReader("姓名,手机号\n丁,13800000002\n")); !yserr.Is(err, yserr.Invalid) ||
			yserr.As(err).Field != "专业代码" {
			t.Fatalf("missing column: %v", err)
		}
		if _, err := e.s.ImportExperts(e.staff, sheet([][]any{header})); !yserr.Is(err, yserr.Invalid) {
			t.Fatalf("empty sheet: %v", err)
		}
	})
}

// The tenderer and the bidders learn neither the committee nor the other
// bidders before the law allows: no names before the result, per-project
// pseudonyms, no bidder list before the opening; the public record commits
// to the bidder list and discloses it after the opening (issue 11, items 2-3).
func TestCommitteeAndBiddersSecretUntilAllowed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		// Eight technical candidates and five technical picks per project
		// (four members and a reserve): the two committees must share an
		// expert, which the pseudonym check below needs.
		e.pool(8, 3)
		p := e.project()
		other := e.project()
		if got, err := e.s.Project(e.ent, p.ID); err != nil || len(got.BidderUSCCs) != 0 {
			t.Fatalf("the tenderer sees the bidders before the opening: %v %v", err, got.BidderUSCCs)
		}
		if got, _ := e.s.Project(e.staff, p.ID); !slices.Equal(got.BidderUSCCs, []string{e.bidder}) {
			t.Fatalf("the centre does not see the bidders: %v", got.BidderUSCCs)
		}
		if list, _ := e.s.Projects(e.ent); len(list) != 2 || len(list[0].BidderUSCCs) != 0 {
			t.Fatalf("the project list tells the tenderer the bidders: %+v", list)
		}
		run := func(p *draw.Project) {
			dr, err := e.s.CommitExperts(e.staff, p.ID, draw.ExpertDrawInput{Reserves: 1})
			if err != nil {
				t.Fatal(err)
			}
			e.clk.Advance(time.Minute)
			if _, err := e.s.Execute(e.staff, dr.ID, draw.DrawInput{WitnessName: "王见证", WitnessValue: "271828"}); err != nil {
				t.Fatal(err)
			}
		}
		run(p)
		run(other)
		list, _, _ := e.s.Draws(context.Background(), p.ID, 1, 10)
		rec, err := e.s.PublicRecord(context.Background(), list[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		raw := fmt.Sprint(rec.Spec.Rules, rec.Candidates, rec.Picks)
		if strings.Contains(raw, e.bidder) || rec.Disclosure != nil || len(rec.Spec.Rules[draw.RuleBiddersHash]) != 64 {
			t.Fatalf("the public record before the opening: bidder named %v, disclosure %+v, rules %v",
				strings.Contains(raw, e.bidder), rec.Disclosure, rec.Spec.Rules)
		}
		if diffs := draw.Verify(rec); len(diffs) != 0 {
			t.Fatalf("stage 1 record does not verify: %v", diffs)
		}
		// Committee: names for the centre only, even after the opening;
		// pseudonyms differ between projects and from the pool's.
		e.clk.Set(time.Date(2026, 12, 3, 10, 0, 0, 0, start.Location()))
		staffView, _ := e.s.Assignments(e.staff, p.ID)
		for _, who := range []context.Context{e.ent, context.Background()} {
			view, err := e.s.Assignments(who, p.ID)
			if who == e.ent && (err != nil || len(view) != len(staffView)) {
				t.Fatalf("tenderer's view: %v", err)
			}
			for _, a := range view {
				if a.Name != "" || a.ExpertID != 0 {
					t.Fatalf("the committee leaks after the opening: %+v", a)
				}
			}
		}
		var picked []string
		for _, pk := range rec.Picks {
			picked = append(picked, pk.ID)
		}
		otherDept := auth.WithActor(context.Background(), &auth.Actor{UserID: e.staffUser, Username: "sjj", Roles: []auth.Role{auth.DeptStaff},
			DepartmentID: e.other, DeptScope: []int64{e.other}, Via: "session"})
		for who, ctx := range map[string]context.Context{"tenderer": e.ent, "another department's staff": otherDept} {
			if names, err := e.s.Names(ctx, list[0].ID, picked); err != nil || len(names) != 0 {
				t.Fatalf("the %s reads the committee's names on the record: %v %v", who, err, names)
			}
		}
		if names, _ := e.s.Names(e.staff, list[0].ID, picked); len(names) != len(picked) {
			t.Fatalf("the centre gets %d names for %d picks", len(names), len(picked))
		}
		otherView, _ := e.s.Assignments(e.staff, other.ID)
		byExpert := map[int64]string{}
		for _, a := range otherView {
			byExpert[a.ExpertID] = a.Pseudonym
		}
		shared := 0
		for _, a := range staffView {
			x, err := e.s.Expert(e.staff, a.ExpertID)
			if err != nil || a.Pseudonym == x.Pseudonym {
				t.Fatalf("the stable pool pseudonym is shown on the project: %v %s", err, a.Pseudonym)
			}
			if ps, ok := byExpert[a.ExpertID]; ok {
				shared++
				if ps == a.Pseudonym {
					t.Fatalf("expert %d has the same pseudonym %s on two projects", a.ExpertID, ps)
				}
			}
		}
		if shared == 0 {
			t.Fatal("no expert was drawn for both projects; the test proves nothing")
		}
		// After the opening the bidders are known and the record discloses
		// the committed list, which verifies; a changed list does not.
		if got, _ := e.s.Project(e.ent, p.ID); !slices.Equal(got.BidderUSCCs, []string{e.bidder}) {
			t.Fatalf("bidders after the opening: %v", got.BidderUSCCs)
		}
		rec, _ = e.s.PublicRecord(context.Background(), list[0].ID)
		if rec.Disclosure == nil || !slices.Equal(rec.Disclosure.Bidders, []string{e.bidder}) {
			t.Fatalf("no disclosure after the opening: %+v", rec.Disclosure)
		}
		if diffs := draw.Verify(rec); len(diffs) != 0 {
			t.Fatalf("stage 2 record does not verify: %v", diffs)
		}
		rec.Disclosure.Bidders = []string{e.otherUSCC}
		if diffs := draw.Verify(rec); len(diffs) != 1 || !strings.Contains(diffs[0], "bidder list") {
			t.Fatalf("a changed bidder list verifies: %v", diffs)
		}
	})
}

// TestRecordStoresTheListOnce: a drawn draw's record_json no longer
// repeats the candidate list (candidates_json holds it, in canonical
// JSON), and the published record is byte for byte the record the draw
// returned; a row in the earlier form (encoding/json list, record with
// the list) publishes the same bytes.
func TestRecordStoresTheListOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.pool(12, 4)
		p := e.project()
		dr, err := e.s.CommitExperts(e.staff, p.ID, draw.ExpertDrawInput{Reserves: 2})
		if err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(time.Minute)
		rec, err := e.s.Execute(e.staff, dr.ID, draw.DrawInput{WitnessName: "王见证", WitnessValue: "314159"})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(rec)
		ctx := context.Background()
		var listJSON, recordJSON string
		if err := d.Q(ctx).QueryRow(ctx, "SELECT candidates_json, record_json FROM draws WHERE id = $1", dr.ID).Scan(&listJSON, &recordJSON); err != nil {
			t.Fatal(err)
		}
		if canon, _ := draw.Canonical(rec.Candidates); listJSON != string(canon) {
			t.Fatalf("candidates_json is not the list's canonical JSON:\n%s\n%s", listJSON, canon)
		}
		if strings.Contains(recordJSON, `"candidates"`) || len(rec.Candidates.Candidates) != 16 {
			t.Fatalf("record_json repeats the list (%d candidates): %s", len(rec.Candidates.Candidates), recordJSON)
		}
		published := func(form string) {
			t.Helper()
			got, err := e.s.PublicRecord(ctx, dr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := json.Marshal(got); !bytes.Equal(b, want) {
				t.Fatalf("%s: published record\n%s\ndiffers from the drawn record\n%s", form, b, want)
			}
			if diffs, err := e.s.VerifyDraw(ctx, dr.ID); err != nil || len(diffs) != 0 {
				t.Fatalf("%s: %v %v", form, err, diffs)
			}
		}
		published("stored once")
		oldList, _ := json.Marshal(rec.Candidates)
		if _, err := d.W(ctx).Exec(ctx, "UPDATE draws SET candidates_json = $1, record_json = $2 WHERE id = $3", string(oldList), string(want), dr.ID); err != nil {
			t.Fatal(err)
		}
		published("earlier form")
	})
}
