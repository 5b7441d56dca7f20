package core

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/entity"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// searchRoles may use the global search in the top bar: the staff roles.
var searchRoles = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor}

// SearchQuery is the global search's query.
type SearchQuery struct {
	Q string `query:"q,required" doc:"诉求编号、统一社会信用代码或企业名称、证照编号、项目编号（2-50 字） / An appeal number, a credit code or company name, a licence number, a project code (2-50 characters)"`
}

// SearchHit is one item found.
type SearchHit struct {
	Text string `json:"text" doc:"编号与名称 / Number and name"`
	Href string `json:"href" doc:"事项页面的路径 / Path of the item's page"`
	Step string `json:"step,omitempty" doc:"当前状态（请求的语言） / Current state, in the request's language"`
}

// SearchGroup is the hits of one module.
type SearchGroup struct {
	Title string      `json:"title"`
	Items []SearchHit `json:"items"`
	More  string      `json:"more,omitempty" doc:"模块自己的列表（按查询筛选） / The module's own list filtered by the query"`
}

// SearchResult is the global search's answer, grouped by module.
type SearchResult struct {
	Q      string        `json:"q"`
	Groups []SearchGroup `json:"groups"`
}

// cleanQuery trims the query and checks its length (runes).
func cleanQuery(q string) (string, error) {
	q = strings.TrimSpace(q)
	if n := utf8.RuneCountInString(q); n < 2 || n > 50 {
		return q, yserr.Field("q", "请输入 2-50 个字的编号或名称", "enter a number or a name of 2 to 50 characters")
	}
	return q, nil
}

// search runs every module's searcher and the market-entity register
// (core), in module order, keeping the groups with hits.
func (h *handlers) search(ctx context.Context, a *auth.Actor, q string) ([]web.SearchGroup, error) {
	var out []web.SearchGroup
	ents, _, err := h.s.App.Entities.Search(ctx, entity.Filter{Q: q, PerPage: web.SearchLimit})
	if err != nil {
		return nil, err
	}
	if len(ents) > 0 {
		g := web.SearchGroup{Title: web.Text{ZH: "经营主体", EN: "Market entities"},
			More: &web.Link{Label: web.Text{ZH: "在经营主体库中查看全部", EN: "All matches in the register"}, Href: "/entities?q=" + url.QueryEscape(q)}}
		for _, e := range ents {
			g.Items = append(g.Items, web.CardItem{Text: e.Name + " " + e.USCC, Href: "/entities/" + strconv.FormatInt(e.ID, 10),
				Step: web.Text{ZH: e.Status.Label("zh"), EN: e.Status.Label("en")}})
		}
		out = append(out, g)
	}
	for _, find := range h.s.Searchers {
		g, err := find(ctx, a, q)
		if err != nil {
			return nil, err
		}
		if g != nil && len(g.Items) > 0 {
			out = append(out, *g)
		}
	}
	return out, nil
}

type searchData struct {
	Q      string
	Groups []web.SearchGroup
}

// searchPage: GET /search?q=, the results grouped by module.
func (h *handlers) searchPage(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("全局搜索", "Search")
	d := &searchData{Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	v.Data = d
	if d.Q == "" {
		return h.s.Render(w, r, http.StatusOK, "core/search", v)
	}
	q, err := cleanQuery(d.Q)
	if err != nil {
		v.Errors = map[string]string{"q": v.Text(web.Text{ZH: yserr.As(err).ZH, EN: yserr.As(err).EN})}
		return h.s.Render(w, r, http.StatusUnprocessableEntity, "core/search", v)
	}
	if d.Groups, err = h.search(r.Context(), auth.From(r.Context()), q); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, "core/search", v)
}

func (h *handlers) apiSearch(w http.ResponseWriter, r *http.Request) error {
	a, err := auth.Require(r.Context(), searchRoles...)
	if err != nil {
		return err
	}
	q, err := cleanQuery(r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	groups, err := h.search(r.Context(), a, q)
	if err != nil {
		return err
	}
	lang := h.s.View(r, "").Lang
	res := SearchResult{Q: q, Groups: []SearchGroup{}}
	for _, g := range groups {
		sg := SearchGroup{Title: g.Title.In(lang), Items: []SearchHit{}}
		if g.More != nil {
			sg.More = g.More.Href
		}
		for _, it := range g.Items {
			sg.Items = append(sg.Items, SearchHit{Text: it.Text, Href: it.Href, Step: it.Step.In(lang)})
		}
		res.Groups = append(res.Groups, sg)
	}
	api.WriteJSON(w, http.StatusOK, res)
	return nil
}
