package draws_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"yingshang/internal/modules"

	"yingshang/internal/db"
	"yingshang/internal/draw"
	"yingshang/internal/site/sitetest"
)

// TestPoolsBelongToTheCentre (issue 11, item 6): staff of another
// department hold the same role as the centre's staff, but may not change
// the expert pool, the rooms or the witnesses; nobody may link an expert,
// clerk or witness record to an enterprise account.
func TestPoolsBelongToTheCentre(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	centre(t, env)
	e, err := modules.Get[*draw.Service](env.Modules).CreateExpert(sitetest.System(), draw.ExpertInput{Name: "在册专家", Specialties: []string{"A01"}})
	if err != nil {
		t.Fatal(err)
	}
	eid := fmt.Sprint(e.ID)
	forms := []struct {
		path string
		form url.Values
	}{
		{"/draws/pools/experts", url.Values{"name": {"外部门专家"}, "specialties": {"A01"}}},
		{"/draws/pools/experts/" + eid + "/status", url.Values{"status": {"suspended"}}},
		{"/draws/pools/people", url.Values{"kind": {"witness"}, "name": {"外部门见证人"}}},
		{"/draws/pools/people", url.Values{"kind": {"staff"}, "name": {"外部门受理人"}}},
		{"/draws/pools/rooms", url.Values{"code": {"R9"}, "venue": {"税务局"}, "room_name": {"九号室"}, "capacity": {"5"}}},
		{"/draws/seats", url.Values{"starts_at": {"2026-12-01T09:00:00+08:00"}}},
	}
	for _, user := range []string{"swj-staff", "sjj-admin", "wd-staff"} {
		cl := env.Login(t, user)
		for _, f := range forms {
			if res := cl.PostForm(t, f.path, f.form); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d, want 403", user, f.path, res.StatusCode)
			}
		}
		tok := env.Token(t, user)
		if res := env.API(t, tok, "POST", "/api/v1/draw-experts", draw.ExpertInput{Name: "外部门专家", Specialties: []string{"A01"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST /api/v1/draw-experts: %d, want 403", user, res.StatusCode)
		}
	}
	if got, _ := modules.Get[*draw.Service](env.Modules).Expert(sitetest.System(), e.ID); got.Status != draw.ExpertActive {
		t.Fatalf("another department suspended the expert: %s", got.Status)
	}
	n, _, err := modules.Get[*draw.Service](env.Modules).Experts(sitetest.System(), draw.ExpertFilter{})
	if err != nil || len(n) != 1 {
		t.Fatalf("another department added experts: %d %v", len(n), err)
	}
	// The centre's own staff and the platform admin may.
	staff := env.Login(t, "jyzx-staff")
	if res := staff.PostForm(t, "/draws/pools/experts/"+eid+"/status", url.Values{"status": {"suspended"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("centre staff suspending: %d", res.StatusCode)
	}
	if res := env.Login(t, "admin").PostForm(t, "/draws/pools/people", url.Values{"kind": {"witness"}, "name": {"王见证"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("platform admin adding a witness: %d", res.StatusCode)
	}
	// An enterprise account can never be linked to a pool record.
	tok := env.Token(t, "jyzx-staff")
	res := env.API(t, tok, "POST", "/api/v1/draw-experts", draw.ExpertInput{Name: "投标人冒充", Specialties: []string{"A01"}, Username: "ent"})
	if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "username") {
		t.Errorf("expert linked to an enterprise account: %d %s", res.StatusCode, res.Body)
	}
	if r := staff.PostForm(t, "/draws/pools/people", url.Values{"kind": {"witness"}, "name": {"投标人"}, "username": {"ent"}}); r.StatusCode == http.StatusSeeOther {
		t.Error("witness linked to an enterprise account")
	}
	if _, err := modules.Get[*draw.Service](env.Modules).LinkExpertUser(sitetest.System(), e.ID, "ent"); err == nil {
		t.Error("LinkExpertUser linked an enterprise account")
	}
}

// TestOthersProjectsAreNotFound (issue 11, item 10): someone else's project
// answers exactly like a project that does not exist.
func TestOthersProjectsAreNotFound(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	centre(t, env)
	p, err := modules.Get[*draw.Service](env.Modules).CreateProject(sitetest.System(), draw.ProjectInput{Name: "他人项目", Kind: "goods", BudgetYuan: 100000,
		Specialties: []string{"A01"}, TendererUSCC: sitetest.USCCB, OpeningAt: "2099-01-01T09:00"})
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"ent", "swj-staff"} {
		tok := env.Token(t, user)
		cl := env.Login(t, user)
		for _, id := range []string{fmt.Sprint(p.ID), "987654"} {
			if res := env.API(t, tok, "GET", "/api/v1/draw-projects/"+id, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s GET /api/v1/draw-projects/%s: %d, want 404", user, id, res.StatusCode)
			}
			if res := env.API(t, tok, "GET", "/api/v1/draw-projects/"+id+"/experts", nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s GET .../experts of %s: %d, want 404", user, id, res.StatusCode)
			}
			if res := cl.Get(t, "/draws/projects/"+id); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s GET /draws/projects/%s: %d, want 404", user, id, res.StatusCode)
			}
		}
	}
	if res := env.API(t, env.Token(t, "swj-staff"), "POST", "/api/v1/draw-projects/"+fmt.Sprint(p.ID)+"/draws", map[string]any{"purpose": "experts"}); res.StatusCode != http.StatusNotFound {
		t.Errorf("another department committing a draw: %d, want 404", res.StatusCode)
	}
}
