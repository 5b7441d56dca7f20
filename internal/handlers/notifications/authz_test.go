package notifications_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"yingshang/internal/notify"
	"yingshang/internal/site/sitetest"
)

// callers in the order of the expected statuses below; "" is anonymous.
var callers = []string{"", "admin", "supervisor", "sjj-admin", "sjj-staff", "ent"}

type check struct {
	method, path string
	body         any        // API: JSON body
	form         url.Values // pages: form fields
	want         [6]int     // per caller
}

const (
	ok       = http.StatusOK
	created  = http.StatusCreated
	none     = http.StatusNoContent
	redirect = http.StatusSeeOther
	bad      = http.StatusBadRequest
	unauth   = http.StatusUnauthorized
	forbid   = http.StatusForbidden
	notFound = http.StatusNotFound
	conflict = http.StatusConflict
)

func TestAuthorisationMatrix(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			// An in-app message of the admin's: readable by its owner, by
			// supervisors in the outbox, and by nobody else.
			x := sendTest(t, env, notify.Recipient{UserID: env.Users["admin"]}, "", notify.ChannelInApp)[0]
			own := fmt.Sprintf("/api/v1/notifications/%d", x)
			tpl := "/api/v1/notification-templates/system.test/email/en"
			apiChecks := []check{
				{"GET", "/api/v1/notifications/inbox", nil, nil, [6]int{unauth, ok, ok, ok, ok, ok}},
				{"POST", "/api/v1/notifications/read-all", nil, nil, [6]int{unauth, ok, ok, ok, ok, ok}},
				{"POST", own + "/read", nil, nil, [6]int{unauth, ok, notFound, notFound, notFound, notFound}},
				{"GET", own, nil, nil, [6]int{unauth, ok, ok, notFound, notFound, notFound}},
				{"GET", "/api/v1/notifications", nil, nil, [6]int{unauth, ok, ok, forbid, forbid, forbid}},
				{"GET", "/api/v1/notifications/stats", nil, nil, [6]int{unauth, ok, ok, forbid, forbid, forbid}},
				{"POST", own + "/retry", nil, nil, [6]int{unauth, conflict, forbid, forbid, forbid, forbid}},
				{"POST", "/api/v1/notifications/test", map[string]any{"to": map[string]any{"user_id": env.Users["admin"]}, "channels": []string{"inapp"}}, nil,
					[6]int{unauth, created, forbid, forbid, forbid, forbid}},
				{"POST", "/api/v1/notifications/sms-receipts", map[string]any{"id": "nope", "status": "delivered"}, nil,
					[6]int{unauth, notFound, forbid, forbid, forbid, forbid}},
				{"GET", "/api/v1/notification-templates", nil, nil, [6]int{unauth, ok, ok, forbid, forbid, forbid}},
				{"PUT", tpl, map[string]string{"subject": "Test", "body": "Test by {{.sender}}"}, nil, [6]int{unauth, ok, forbid, forbid, forbid, forbid}},
				{"DELETE", tpl, nil, nil, [6]int{unauth, none, forbid, forbid, forbid, forbid}},
				{"GET", "/api/v1/webhooks", nil, nil, [6]int{unauth, ok, ok, forbid, forbid, forbid}},
				{"POST", "/api/v1/webhooks", map[string]any{"name": "", "url": "", "events": []string{}}, nil, [6]int{unauth, bad, forbid, forbid, forbid, forbid}},
				{"POST", "/api/v1/webhooks/999/active", map[string]bool{"active": true}, nil, [6]int{unauth, notFound, forbid, forbid, forbid, forbid}},
				{"DELETE", "/api/v1/webhooks/999", nil, nil, [6]int{unauth, notFound, forbid, forbid, forbid, forbid}},
			}
			tokens := map[string]string{}
			for _, u := range callers[1:] {
				tokens[u] = env.Token(t, u)
			}
			for _, c := range apiChecks {
				for i, u := range callers {
					if r := env.API(t, tokens[u], c.method, c.path, c.body); r.StatusCode != c.want[i] {
						t.Errorf("API %s %s as %q: %d, want %d: %s", c.method, c.path, u, r.StatusCode, c.want[i], r.Body)
					}
				}
			}

			page := fmt.Sprintf("/admin/outbox/%d", x)
			slot := "/admin/templates/system.test/email/en"
			pageChecks := []check{
				{"GET", "/inbox", nil, nil, [6]int{redirect, ok, ok, ok, ok, ok}},
				{"GET", fmt.Sprintf("/inbox/%d", x), nil, nil, [6]int{redirect, ok, notFound, notFound, notFound, notFound}},
				{"POST", "/inbox/read-all", nil, url.Values{}, [6]int{redirect, redirect, redirect, redirect, redirect, redirect}},
				{"GET", "/admin/outbox", nil, nil, [6]int{redirect, ok, ok, forbid, forbid, forbid}},
				{"GET", page, nil, nil, [6]int{redirect, ok, ok, forbid, forbid, forbid}},
				{"POST", page + "/retry", nil, url.Values{}, [6]int{redirect, conflict, forbid, forbid, forbid, forbid}},
				{"POST", "/admin/outbox/test", nil, url.Values{"channels": {"inapp"}}, [6]int{redirect, bad, forbid, forbid, forbid, forbid}},
				{"GET", "/admin/templates", nil, nil, [6]int{redirect, ok, ok, forbid, forbid, forbid}},
				{"GET", slot, nil, nil, [6]int{redirect, ok, forbid, forbid, forbid, forbid}},
				{"POST", slot, nil, url.Values{"action": {"preview"}, "subject": {"T"}, "body": {"B"}}, [6]int{redirect, ok, forbid, forbid, forbid, forbid}},
				{"POST", slot + "/reset", nil, url.Values{}, [6]int{redirect, redirect, forbid, forbid, forbid, forbid}},
				{"GET", "/admin/webhooks", nil, nil, [6]int{redirect, ok, ok, forbid, forbid, forbid}},
				{"POST", "/admin/webhooks", nil, url.Values{}, [6]int{redirect, bad, forbid, forbid, forbid, forbid}},
				{"POST", "/admin/webhooks/999/active", nil, url.Values{"active": {"false"}}, [6]int{redirect, notFound, forbid, forbid, forbid, forbid}},
				{"POST", "/admin/webhooks/999/delete", nil, url.Values{}, [6]int{redirect, notFound, forbid, forbid, forbid, forbid}},
			}
			clients := map[string]*sitetest.Client{"": env.Anonymous()}
			for _, u := range callers[1:] {
				clients[u] = env.Login(t, u)
			}
			for _, c := range pageChecks {
				for i, u := range callers {
					var r *sitetest.Response
					if c.method == "GET" {
						r = clients[u].Get(t, c.path)
					} else {
						r = clients[u].PostForm(t, c.path, cloneForm(c.form))
					}
					if r.StatusCode != c.want[i] {
						t.Errorf("page %s %s as %q: %d, want %d", c.method, c.path, u, r.StatusCode, c.want[i])
					}
				}
			}
		})
	}
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
