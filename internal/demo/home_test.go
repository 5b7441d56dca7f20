package demo_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"net/http"
	"net/http/httptest"
	"net/url"
	"yingshang/internal/app"
	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/demo"
	"yingshang/internal/module"
	"yingshang/internal/modules"
	"yingshang/internal/site"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// cardsOf collects every module's home-page cards for a demo user.
func cardsOf(t *testing.T, ctx context.Context, mods *modules.Set) []web.Card {
	t.Helper()
	a := auth.From(ctx)
	var out []web.Card
	for _, m := range mods.List {
		if c, ok := m.(module.Carder); ok {
			cs, err := c.Cards(ctx, a)
			if err != nil {
				t.Fatalf("%s cards for %s: %v", m.Info().Name, a.Username, err)
			}
			out = append(out, cs...)
		}
	}
	return out
}

func card(cards []web.Card, kind, zhPrefix string) *web.Card {
	for i := range cards {
		if cards[i].Kind == kind && strings.HasPrefix(cards[i].Title.ZH, zhPrefix) {
			return &cards[i]
		}
	}
	return nil
}

// appealIDs reads the appeal ids of a card's items and checks that they are
// ordered oldest deadline first with a working-day note.
func appealIDs(t *testing.T, c *web.Card) []int64 {
	t.Helper()
	var ids []int64
	var last *time.Time
	for _, it := range c.Items {
		id, err := strconv.ParseInt(strings.TrimPrefix(it.Href, "/appeals/"), 10, 64)
		if err != nil || !strings.HasPrefix(it.Href, "/appeals/") {
			t.Fatalf("%s: item does not link to its appeal: %+v", c.Title.ZH, it)
		}
		ids = append(ids, id)
		if it.Due != nil {
			if last != nil && it.Due.Before(*last) {
				t.Fatalf("%s: not oldest deadline first: %v after %v", c.Title.ZH, it.Due, last)
			}
			last = it.Due
			note := it.DueNote("zh-CN")
			if !strings.Contains(note, "工作日") && !strings.Contains(note, "今日") {
				t.Fatalf("%s: note %q", c.Title.ZH, note)
			}
		} else if last != nil {
			last = &time.Time{} // items without a deadline come last
			last = nil
		}
	}
	return ids
}

// want lists what appeal.List gives the user for f: the reference the
// card must agree with (the same items, at most WorkbenchSize).
func want(t *testing.T, ctx context.Context, svc *appeal.Service, f appeal.Filter, keep func(*appeal.Appeal) bool) map[int64]bool {
	t.Helper()
	f.PerPage = 500
	list, _, err := svc.List(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]bool{}
	for i := range list {
		if keep(&list[i]) {
			out[list[i].ID] = true
		}
	}
	return out
}

func check(t *testing.T, who string, c *web.Card, ids []int64, ref map[int64]bool) {
	t.Helper()
	if len(ids) != min(len(ref), appeal.WorkbenchSize) {
		t.Fatalf("%s %s: %d items, the ledger has %d (%v)", who, c.Title.ZH, len(ids), len(ref), ids)
	}
	for _, id := range ids {
		if !ref[id] {
			t.Fatalf("%s %s: appeal %d does not belong", who, c.Title.ZH, id)
		}
	}
}

func states(s ...appeal.State) func(*appeal.Appeal) bool {
	return func(a *appeal.Appeal) bool {
		for _, st := range s {
			if a.State == st {
				return true
			}
		}
		return false
	}
}

// TestHomeCards checks the home page of each demo role: the right items
// (as the ledger lists them), oldest deadline first, each linking to its
// item.
func TestHomeCards(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, mods, _ := sitetest.Assemble(t, d)
		res, err := demo.Load(ctx, a, mods)
		if err != nil {
			t.Fatal(err)
		}
		svc := modules.Get[*appeal.Service](mods)
		as := func(username string) context.Context {
			actor, err := a.Accounts.ActorOf(ctx, username, "session")
			if err != nil {
				t.Fatal(err)
			}
			return auth.WithActor(ctx, actor)
		}

		// Enterprise: appeals to rate or supplement, then its others.
		ent := as("enterprise")
		cards := cardsOf(t, ent, mods)
		c := card(cards, web.CardTodo, "待我评价")
		if c == nil {
			t.Fatalf("enterprise has no appeal to-do card: %+v", cards)
		}
		check(t, "enterprise", c, appealIDs(t, c), want(t, ent, svc, appeal.Filter{Queue: "mine"}, states(appeal.Replied, appeal.WaitingEnterprise)))
		if len(c.Items) == 0 {
			t.Fatal("the demo enterprise has no appeal to rate or supplement")
		}
		if card(cards, web.CardTodo, "即将到期的证照") == nil || card(cards, web.CardFigure, "我的信用") == nil {
			t.Fatalf("enterprise cards: licences or credit missing: %+v", cards)
		}

		// Department staff: the appeals its department leads and must answer.
		staff := as("sjj-staff")
		cards = cardsOf(t, staff, mods)
		c = card(cards, web.CardTodo, "本部门待答复")
		if c == nil {
			t.Fatalf("staff has no appeal to-do card: %+v", cards)
		}
		check(t, "sjj-staff", c, appealIDs(t, c), want(t, staff, svc, appeal.Filter{Queue: "department"},
			states(appeal.Assigned, appeal.InProgress, appeal.Reopened, appeal.Escalated)))
		if card(cards, web.CardTodo, "待审核的信用修复") == nil || card(cards, web.CardTodo, "证照到期跟进") == nil {
			t.Fatalf("staff cards: repairs or follow-ups missing: %+v", cards)
		}

		// Supervisor: every overdue appeal of the city.
		sup := as("supervisor")
		cards = cardsOf(t, sup, mods)
		c = card(cards, web.CardTodo, "逾期诉求")
		if c == nil {
			t.Fatalf("supervisor has no overdue card: %+v", cards)
		}
		check(t, "supervisor", c, appealIDs(t, c), want(t, sup, svc, appeal.Filter{Overdue: true}, func(*appeal.Appeal) bool { return true }))
		if len(c.Items) == 0 {
			t.Fatal("the demo has no overdue appeal for the supervisor")
		}
		for _, it := range c.Items {
			if !it.Overdue {
				t.Fatalf("supervisor's overdue card lists %+v", it)
			}
		}

		searchAndPages(t, a, mods, res, svc, as)

		// Expert and bidder: their projects, each with a next step or a state.
		for _, u := range []string{"expert1", "bidder1"} {
			cards = cardsOf(t, as(u), mods)
			todo, watch := card(cards, web.CardTodo, "评标"), card(cards, web.CardWatch, "评标")
			if todo == nil || watch == nil || len(todo.Items)+len(watch.Items) == 0 {
				t.Fatalf("%s: no evaluation cards or items: %+v", u, cards)
			}
			for _, it := range append(todo.Items, watch.Items...) {
				if !strings.HasPrefix(it.Href, "/bideval/projects/") || it.Step.ZH == "" {
					t.Fatalf("%s: item %+v", u, it)
				}
			}
			for _, it := range todo.Items {
				if it.Next.ZH == "" {
					t.Fatalf("%s: a to-do without its next step: %+v", u, it)
				}
			}
		}
	})
}

// searchAndPages signs the demo people in over HTTP: every role's home page
// renders with its cards; the global search finds an appeal by its number
// for those who may see it only, and is refused to an enterprise.
func searchAndPages(t *testing.T, a *app.App, mods *modules.Set, res *demo.Result, svc *appeal.Service, as func(string) context.Context) {
	t.Helper()
	srv, err := site.New(a, mods)
	if err != nil {
		t.Fatal(err)
	}
	env := &sitetest.Env{App: a, Modules: mods, Server: srv, HTTP: httptest.NewServer(srv.Handler())}
	defer env.HTTP.Close()
	pw := map[string]string{}
	for _, l := range res.Logins {
		pw[l.Username] = l.Password
	}
	login := func(u string) *sitetest.Client {
		c := env.Anonymous()
		if r := c.PostForm(t, "/login", url.Values{"username": {u}, "password": {pw[u]}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("login %s: %d", u, r.StatusCode)
		}
		return c
	}
	for _, u := range []string{"admin", "supervisor", "sjj-staff", "enterprise", "expert1", "bidder1"} {
		c := login(u)
		for _, lang := range []string{"zh-CN", "en"} {
			c.Get(t, "/lang?to="+lang+"&back=/")
			home := c.Get(t, "/")
			if home.StatusCode != 200 || !strings.Contains(home.Body, `data-testid="home-card"`) {
				t.Fatalf("%s home (%s): %d", u, lang, home.StatusCode)
			}
			if lang == "en" && strings.Contains(home.Body, "个工作日") {
				t.Fatalf("%s English home shows a Chinese clock", u)
			}
		}
	}
	// An appeal the market-regulation staff may not see.
	all, _, err := svc.List(as("admin"), appeal.Filter{PerPage: 500})
	if err != nil {
		t.Fatal(err)
	}
	var hidden, shown *appeal.Appeal
	for i := range all {
		_, err := svc.Get(as("sjj-staff"), all[i].ID)
		switch {
		case yserr.Is(err, yserr.NotFound) || yserr.Is(err, yserr.Forbidden):
			if hidden == nil {
				hidden = &all[i]
			}
		case err == nil:
			if shown == nil {
				shown = &all[i]
			}
		default:
			t.Fatal(err)
		}
	}
	if hidden == nil || shown == nil {
		t.Fatalf("demo appeals: hidden %v shown %v", hidden, shown)
	}
	staff, sup := login("sjj-staff"), login("supervisor")
	for _, c := range []struct {
		who    *sitetest.Client
		name   string
		number string
		id     int64
		found  bool
	}{{staff, "sjj-staff", shown.Number, shown.ID, true}, {staff, "sjj-staff", hidden.Number, hidden.ID, false}, {sup, "supervisor", hidden.Number, hidden.ID, true}} {
		r := c.who.Get(t, "/search?q="+url.QueryEscape(c.number))
		link := `href="/appeals/` + strconv.FormatInt(c.id, 10) + `"`
		if r.StatusCode != 200 || strings.Contains(r.Body, link) != c.found {
			t.Fatalf("%s searching %s: status %d, found %v, want %v", c.name, c.number, r.StatusCode, !c.found, c.found)
		}
	}
	// Step bars on the items' pages: the appeal, a repair and a licence of
	// the staff's cards, an evaluation of the admin's.
	pages := []string{"/appeals/" + strconv.FormatInt(shown.ID, 10)}
	for _, c := range cardsOf(t, as("sjj-staff"), mods) {
		for _, it := range c.Items {
			if strings.HasPrefix(it.Href, "/credit/repairs/") || strings.HasPrefix(it.Href, "/licenses/") {
				pages = append(pages, it.Href)
				break
			}
		}
	}
	if len(pages) < 3 {
		t.Fatalf("no repair or licence on the staff's cards: %v", pages)
	}
	for _, p := range pages {
		r := staff.Get(t, p)
		if r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="stepbar"`) || !strings.Contains(r.Body, `data-testid="step-current"`) {
			t.Fatalf("%s: %d, no step bar with a current step", p, r.StatusCode)
		}
	}
	admin := login("admin")
	for _, c := range cardsOf(t, as("admin"), mods) {
		for _, it := range c.Items {
			if strings.HasPrefix(it.Href, "/bideval/projects/") {
				if r := admin.Get(t, it.Href); r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="stepbar"`) {
					t.Fatalf("%s: %d, no step bar", it.Href, r.StatusCode)
				}
			}
		}
	}
	ent := login("enterprise")
	if r := ent.Get(t, "/search?q="+url.QueryEscape(shown.Number)); r.StatusCode != http.StatusForbidden {
		t.Fatalf("enterprise search: %d", r.StatusCode)
	}
	if r := staff.Get(t, "/search?q=x"); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `value="x"`) {
		t.Fatalf("one-character search: %d", r.StatusCode)
	}
}
