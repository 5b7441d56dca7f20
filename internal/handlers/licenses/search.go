package licenses

import (
	"context"
	"net/url"
	"strconv"

	"yingshang/internal/auth"
	"yingshang/internal/license"
	"yingshang/internal/web"
)

// Search finds licences by number or holder name in the departments the
// caller's scope covers (in SQL). Only the staff roles search.
func (m *mod) Search(ctx context.Context, a *auth.Actor, q string) (*web.SearchGroup, error) {
	if !a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor) {
		return nil, nil
	}
	list, _, err := m.svc.List(ctx, license.Filter{Q: q, PerPage: web.SearchLimit})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	g := &web.SearchGroup{Title: web.Text{ZH: "证照", EN: "Licences"},
		More: &web.Link{Label: web.Text{ZH: "在证照台账中查看全部", EN: "All matches in the licence ledger"}, Href: "/licenses?q=" + url.QueryEscape(q)}}
	for _, l := range list {
		g.Items = append(g.Items, web.CardItem{Text: l.TypeName + " " + l.Number + " · " + l.HolderName,
			Href: "/licenses/" + strconv.FormatInt(l.ID, 10), Step: licenceStatus(l.Status)})
	}
	return g, nil
}
