package calendarh_test

import (
	"net/http"
	"net/url"
	"testing"

	"yingshang/internal/site/sitetest"
)

func TestAuthorisationMatrix(t *testing.T) {
	const (
		ok, none, redirect = http.StatusOK, http.StatusNoContent, http.StatusSeeOther
		unauth, forbid     = http.StatusUnauthorized, http.StatusForbidden
	)
	callers := []string{"", "admin", "supervisor", "sjj-admin", "sjj-staff", "ent"}
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			schedule := `{"years":[{"year":2029,"holidays":[{"name":"元旦","from":"2029-01-01"}],"workdays":[]}]}`
			apiChecks := []struct {
				method, path string
				body         any
				want         [6]int
			}{
				{"GET", "/api/v1/calendar/days?year=2026", nil, [6]int{unauth, ok, ok, ok, ok, ok}},
				{"PUT", "/api/v1/calendar/days/2026-10-12", map[string]string{"kind": "holiday"}, [6]int{unauth, ok, forbid, forbid, forbid, forbid}},
				{"DELETE", "/api/v1/calendar/days/2026-10-12", nil, [6]int{unauth, none, forbid, forbid, forbid, forbid}},
				{"POST", "/api/v1/calendar/import", schedule, [6]int{unauth, ok, forbid, forbid, forbid, forbid}},
				{"GET", "/api/v1/calendar/add?from=2026-09-30&days=5", nil, [6]int{unauth, ok, ok, ok, ok, ok}},
				{"GET", "/api/v1/calendar/between?from=2026-09-30&to=2026-10-13", nil, [6]int{unauth, ok, ok, ok, ok, ok}},
				{"GET", "/api/v1/calendar/check?date=2026-10-10", nil, [6]int{unauth, ok, ok, ok, ok, ok}},
			}
			tokens := map[string]string{}
			clients := map[string]*sitetest.Client{"": env.Anonymous()}
			for _, u := range callers[1:] {
				tokens[u], clients[u] = env.Token(t, u), env.Login(t, u)
			}
			for _, c := range apiChecks {
				for i, u := range callers {
					if r := env.API(t, tokens[u], c.method, c.path, c.body); r.StatusCode != c.want[i] {
						t.Errorf("API %s %s as %q: %d, want %d: %s", c.method, c.path, u, r.StatusCode, c.want[i], r.Body)
					}
				}
			}
			pageChecks := []struct {
				method, path string
				form         url.Values
				want         [6]int
			}{
				{"GET", "/admin/calendar?year=2026", nil, [6]int{redirect, ok, ok, ok, ok, ok}},
				{"POST", "/admin/calendar/days", url.Values{"date": {"2026-10-12"}, "kind": {"holiday"}}, [6]int{redirect, redirect, forbid, forbid, forbid, forbid}},
				{"POST", "/admin/calendar/days/2026-10-12/delete", url.Values{}, [6]int{redirect, redirect, forbid, forbid, forbid, forbid}},
				{"POST", "/admin/calendar/import", url.Values{"text": {"date,kind,name\n2030-01-01,holiday,元旦\n"}}, [6]int{redirect, redirect, forbid, forbid, forbid, forbid}},
			}
			for _, c := range pageChecks {
				for i, u := range callers {
					var r *sitetest.Response
					if c.method == "GET" {
						r = clients[u].Get(t, c.path)
					} else {
						f := url.Values{}
						for k, v := range c.form {
							f[k] = append([]string(nil), v...)
						}
						r = clients[u].PostForm(t, c.path, f)
					}
					if r.StatusCode != c.want[i] {
						t.Errorf("page %s %s as %q: %d, want %d", c.method, c.path, u, r.StatusCode, c.want[i])
					}
				}
			}
		})
	}
}
