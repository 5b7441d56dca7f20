package draws_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/draw"
	"yingshang/internal/site/sitetest"
)

// TestRoomCalendar: the venue draw books a main and a secondary room; the
// calendar shows both on the opening day, in their rooms, and nothing on
// other days; the enterprise may not see it; bad ranges are refused.
func TestRoomCalendar(t *testing.T) {
	for _, engine := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			env := sitetest.New(t, engine)
			centre(t, env)
			tok := env.Token(t, "jyzx-staff")
			staff := env.Login(t, "jyzx-staff")
			for i := range 3 {
				res := staff.PostForm(t, "/draws/pools/rooms", url.Values{"code": {fmt.Sprintf("R%d", i+1)}, "venue": {"许昌市公共资源交易中心"}, "room_name": {fmt.Sprintf("第%d评标室", i+1)}, "capacity": {"6"}})
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("room: %d %s", res.StatusCode, res.Body)
				}
			}
			ent := env.Login(t, "ent")
			res := ent.PostForm(t, "/draws/projects", url.Values{"name": {"学校改扩建工程"}, "kind": {"works"}, "budget_wan": {"800"},
				"specialties": {"A01"}, "tenderer_uscc": {sitetest.USCCA}, "opening_at": {"2026-11-26T09:00"}})
			m := idRe.FindStringSubmatch(res.Header.Get("Location"))
			if m == nil {
				t.Fatalf("register: %d %s", res.StatusCode, res.Body)
			}
			if res := staff.PostForm(t, "/draws/projects/"+m[1]+"/commit", url.Values{"purpose": {"venues"}, "secondary": {"1"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("commit venues: %d %s", res.StatusCode, res.Body)
			}
			var list struct{ Items []draw.Draw }
			env.API(t, "", "GET", "/api/v1/draws", nil).JSON(t, &list)
			if res := staff.PostForm(t, fmt.Sprintf("/draws/run/%d", list.Items[0].ID), url.Values{"witness_name": {"王见证"}, "witness_value": {"778899"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("run: %d %s", res.StatusCode, res.Body)
			}

			var cal draw.RoomCalendar
			r := env.API(t, tok, "GET", "/api/v1/draw-rooms/calendar?from=2026-11-23&days=7", nil)
			r.JSON(t, &cal)
			if r.StatusCode != 200 || len(cal.Days) != 7 || len(cal.Rooms) != 3 {
				t.Fatalf("calendar: %d %s", r.StatusCode, r.Body)
			}
			roles := map[string]int{}
			for _, room := range cal.Rooms {
				for i, day := range room.Days {
					for _, b := range day {
						if cal.Days[i] != "2026-11-26" || b.ProjectName != "学校改扩建工程" {
							t.Errorf("booking on %s: %+v", cal.Days[i], b)
						}
						roles[b.Role]++
					}
				}
			}
			if roles["main"] != 1 || roles["secondary"] != 1 {
				t.Fatalf("bookings by role: %v", roles)
			}
			page := staff.Get(t, "/draws/rooms?from=2026-11-23")
			if page.StatusCode != 200 || strings.Count(page.Body, `data-testid="room-booking"`) != 2 || !strings.Contains(page.Body, "09:00") {
				t.Fatalf("page: %d %s", page.StatusCode, page.Body)
			}
			if p := staff.Get(t, "/draws/rooms?from=2026-11-30"); strings.Contains(p.Body, `data-testid="room-booking"`) {
				t.Fatal("next week shows this week's bookings")
			}
			if p := ent.Get(t, "/draws/rooms"); p.StatusCode != http.StatusForbidden {
				t.Fatalf("enterprise: %d", p.StatusCode)
			}
			if r := env.API(t, tok, "GET", "/api/v1/draw-rooms/calendar?days=90", nil); r.StatusCode != 400 || !strings.Contains(r.Body, "days") {
				t.Fatalf("90 days: %d %s", r.StatusCode, r.Body)
			}
			if r := env.API(t, tok, "GET", "/api/v1/draw-rooms/calendar?from=2026-13-01", nil); r.StatusCode != 400 || !strings.Contains(r.Body, "from") {
				t.Fatalf("bad date: %d %s", r.StatusCode, r.Body)
			}
		})
	}
}
