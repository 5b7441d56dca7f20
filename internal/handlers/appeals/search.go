package appeals

import (
	"context"
	"net/url"
	"strconv"

	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/web"
)

// Search finds appeals by number or words of the title among those the
// caller may see (the ledger's scope, in SQL).
func (m *mod) Search(ctx context.Context, a *auth.Actor, q string) (*web.SearchGroup, error) {
	list, _, err := m.svc.List(ctx, appeal.Filter{Q: q, PerPage: web.SearchLimit})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	g := &web.SearchGroup{Title: web.Text{ZH: "涉企诉求", EN: "Appeals"},
		More: &web.Link{Label: web.Text{ZH: "在诉求台账中查看全部", EN: "All matches in the ledger"}, Href: "/appeals?q=" + url.QueryEscape(q)}}
	for _, ap := range list {
		g.Items = append(g.Items, web.CardItem{Text: ap.Number + " " + ap.Title, Href: "/appeals/" + strconv.FormatInt(ap.ID, 10),
			Step: web.Text{ZH: ap.State.Label("zh"), EN: ap.State.Label("en")}})
	}
	return g, nil
}
