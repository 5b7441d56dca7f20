package bideval

import (
	"context"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/web"
)

// Search finds evaluations by project code or name among the projects the
// caller may see (bideval.Projects decides that in SQL).
func (m *mod) Search(ctx context.Context, a *auth.Actor, q string) (*web.SearchGroup, error) {
	if !a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor) {
		return nil, nil
	}
	list, err := m.svc.Projects(ctx)
	if err != nil {
		return nil, err
	}
	g := &web.SearchGroup{Title: web.Text{ZH: "双盲评标", EN: "Double-blind evaluation"}}
	uq := strings.ToUpper(q)
	for _, e := range list {
		if len(g.Items) == web.SearchLimit {
			break
		}
		if strings.Contains(strings.ToUpper(e.ProjectCode), uq) || strings.Contains(e.ProjectName, q) {
			g.Items = append(g.Items, web.CardItem{Text: e.ProjectCode + " " + e.ProjectName, Href: projectURL(e.ProjectID, ""), Step: statusText(e.Status)})
		}
	}
	return g, nil
}
