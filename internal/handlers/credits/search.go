package credits

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/web"
)

// Search finds the credit records of the companies whose credit code is q
// or whose name contains it (credit information is shared among staff).
func (m *mod) Search(ctx context.Context, a *auth.Actor, q string) (*web.SearchGroup, error) {
	if !a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor) {
		return nil, nil
	}
	refs, err := m.svc.Entities.FindRefs(ctx, q, strings.NewReplacer("%", "", "_", "").Replace(q), web.SearchLimit)
	if err != nil || len(refs) == 0 {
		return nil, err
	}
	g := &web.SearchGroup{Title: web.Text{ZH: "公共信用", EN: "Public credit"}}
	for _, e := range refs {
		_, n, err := m.svc.List(ctx, credit.Filter{EntityID: e.ID, PerPage: 1})
		if err != nil {
			return nil, err
		}
		if n == 0 {
			continue
		}
		g.Items = append(g.Items, web.CardItem{Text: e.Name + " " + e.USCC, Href: "/credit?entity_id=" + strconv.FormatInt(e.ID, 10),
			Step: web.Text{ZH: fmt.Sprintf("%d 条信用信息", n), EN: fmt.Sprintf("%d credit records", n)}})
	}
	return g, nil
}
