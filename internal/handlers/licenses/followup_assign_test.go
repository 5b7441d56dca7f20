package licenses_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/license"
	"yingshang/internal/site/sitetest"
)

func TestFollowupAssignment(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			admTok := setup(t, env)
			// 2026-12-23 is day -3 of L2: listed (L1 expires that day and lapses).
			scanAt(t, env, "2026-12-16")
			scanAt(t, env, "2026-12-23")
			var list []license.FollowupItem
			env.API(t, admTok, "GET", "/api/v1/license-followups", nil).JSON(t, &list)
			if len(list) == 0 {
				t.Fatal("no follow-up entries")
			}
			fid := list[0].FollowupID
			path := fmt.Sprintf("/api/v1/license-followups/%d/assignee", fid)
			staff := env.Users["sjj-staff"]
			for _, c := range []struct {
				who  string
				to   int64
				want int
			}{
				{"sjj-staff", staff, http.StatusForbidden},
				{"ent", staff, http.StatusForbidden},
				{"sjj-admin", env.Users["swj-staff"], http.StatusBadRequest}, // staff of another department
				{"sjj-admin", env.Users["sjj-admin"], http.StatusBadRequest}, // not staff
				{"sjj-admin", staff, http.StatusNoContent},
			} {
				if r := env.API(t, env.Token(t, c.who), "POST", path, map[string]any{"assignee_id": c.to}); r.StatusCode != c.want {
					t.Fatalf("%s assigns to %d: %d, want %d: %s", c.who, c.to, r.StatusCode, c.want, r.Body)
				}
			}
			if r := env.API(t, admTok, "POST", "/api/v1/license-followups/999999/assignee", map[string]any{"assignee_id": staff}); r.StatusCode != http.StatusNotFound {
				t.Fatalf("unknown entry: %d", r.StatusCode)
			}
			mine := func(who string) []license.FollowupItem {
				var l []license.FollowupItem
				r := env.API(t, env.Token(t, who), "GET", "/api/v1/license-followups?mine=true", nil)
				r.JSON(t, &l)
				return l
			}
			if l := mine("sjj-staff"); len(l) != 1 || l[0].FollowupID != fid || l[0].AssigneeID != staff || l[0].AssigneeName == "" {
				t.Fatalf("sjj-staff's own list: %+v", l)
			}
			if l := mine("wd-staff"); len(l) != 0 {
				t.Fatalf("wd-staff's own list: %+v", l)
			}
			// Pages: the staff member's own list, the admin's form; clearing the assignment.
			st := env.Login(t, "sjj-staff")
			if r := st.Get(t, "/licenses/followups?mine=1"); r.StatusCode != 200 || !strings.Contains(r.Body, "L2") || strings.Contains(r.Body, `data-testid="followups-empty"`) {
				t.Fatalf("staff's own list page: %d\n%s", r.StatusCode, r.Body)
			}
			adm := env.Login(t, "sjj-admin")
			if r := adm.Get(t, "/licenses/followups"); !strings.Contains(r.Body, `data-testid="followup-assign"`) || strings.Contains(r.Body, `data-testid="followup-assignee">未分派`) {
				t.Fatalf("admin's list page:\n%s", r.Body)
			}
			if r := adm.PostForm(t, fmt.Sprintf("/licenses/followups/%d/assign", fid), url.Values{"assignee_id": {"0"}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("clear: %d %s", r.StatusCode, r.Body)
			}
			if r := st.Get(t, "/licenses/followups?mine=1"); !strings.Contains(r.Body, `data-testid="followups-empty"`) {
				t.Fatalf("staff's list after clearing:\n%s", r.Body)
			}
			if r := st.PostForm(t, fmt.Sprintf("/licenses/followups/%d/assign", fid), url.Values{"assignee_id": {fmt.Sprint(staff)}}); r.StatusCode != http.StatusForbidden {
				t.Fatalf("staff assigns by form: %d", r.StatusCode)
			}
			var events int
			fatalIf(t, env.App.DB.Q(t.Context()).QueryRow(t.Context(), "SELECT COUNT(*) FROM audit_events WHERE action = 'license.followup_assign'").Scan(&events))
			if events != 2 {
				t.Fatalf("audit events: %d", events)
			}
		})
	}
}

func fatalIf(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
