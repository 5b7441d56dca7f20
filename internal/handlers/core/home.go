package core

import (
	"fmt"
	"net/http"

	"yingshang/internal/auth"
	"yingshang/internal/dashboard"
	"yingshang/internal/web"
)

type homeData struct {
	// Cards are the switched-on modules' cards for this user (to do,
	// watch, figures), in module order.
	Cards                  []web.Card
	Overview               *dashboard.Overview
	Entity                 any
	SizeChart, RegionChart map[string]any
}

func (h *handlers) home(w http.ResponseWriter, r *http.Request) error {
	a := auth.From(r.Context())
	v := h.s.View(r, "")
	if a == nil {
		v.Title = v.T("首页", "Home")
		return h.s.Render(w, r, http.StatusOK, "core/landing", v)
	}
	v.Title = v.T("工作台", "Dashboard")
	d := &homeData{}
	// The city-wide counts are the administrators' figures; staff and
	// supervisors open on their to-do lists (the modules' cards).
	if a.Has(auth.PlatformAdmin, auth.DeptAdmin) {
		o, err := h.s.App.Dash.Overview(r.Context(), v.Lang)
		if err != nil {
			return err
		}
		d.Overview = o
		d.SizeChart = pie(v.T("企业规模", "Size class"), o.BySize)
		d.RegionChart = bars(o.ByRegion)
	}
	if a.Has(auth.Enterprise) && a.EntityID != 0 {
		e, err := h.s.App.Entities.Get(r.Context(), a.EntityID)
		if err != nil {
			return err
		}
		d.Entity = e
	}
	for _, cards := range h.s.Cards {
		cs, err := cards(r.Context(), a)
		if err != nil {
			return err
		}
		d.Cards = append(d.Cards, cs...)
	}
	msgs, err := h.messagesCard(r, a)
	if err != nil {
		return err
	}
	if msgs != nil {
		d.Cards = append(d.Cards, *msgs)
	}
	web.SortCards(d.Cards)
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, "core/home", v)
}

// messagesCard lists the caller's unread in-app messages, each opening
// its item (and marking it read); nil when there are none.
func (h *handlers) messagesCard(r *http.Request, a *auth.Actor) (*web.Card, error) {
	if a.UserID == 0 {
		return nil, nil
	}
	items, _, unread, err := h.s.App.Notify.Inbox(r.Context(), true, 1, 5)
	if err != nil || unread == 0 {
		return nil, err
	}
	c := &web.Card{Title: web.Text{ZH: fmt.Sprintf("未读消息（%d）", unread), EN: fmt.Sprintf("Unread messages (%d)", unread)}, Kind: web.CardFigure,
		More: &web.Link{Label: web.Text{ZH: "全部消息", EN: "All messages"}, Href: "/inbox"}}
	for _, n := range items {
		text := n.Subject
		if text == "" {
			text = n.Body
		}
		if r := []rune(text); len(r) > 40 {
			text = string(r[:40]) + "…"
		}
		c.Items = append(c.Items, web.CardItem{Text: text, Href: fmt.Sprintf("/inbox/%d/open", n.ID)})
	}
	return c, nil
}

// pie and bars build ECharts options; the page hands them to app.js.
func pie(name string, cs []dashboard.Count) map[string]any {
	data := make([]map[string]any, len(cs))
	for i, c := range cs {
		data[i] = map[string]any{"name": c.Label, "value": c.N}
	}
	return map[string]any{
		"tooltip": map[string]any{"trigger": "item"},
		// The legend scrolls on one line at the bottom and the ring sits above
		// it, small enough that its outside labels never reach the legend on
		// a phone (about 320 px of chart).
		"legend": map[string]any{"bottom": 0, "type": "scroll"},
		"series": []any{map[string]any{"name": name, "type": "pie", "center": []string{"50%", "44%"}, "radius": []string{"28%", "50%"},
			"label": map[string]any{"formatter": "{b}\n{d}%"}, "data": data}},
	}
}

func bars(cs []dashboard.Count) map[string]any {
	labels := make([]string, len(cs))
	vals := make([]int64, len(cs))
	for i, c := range cs {
		labels[i], vals[i] = c.Label, c.N
	}
	return map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"grid":    map[string]any{"left": 90, "right": 20, "top": 10, "bottom": 30},
		"xAxis":   map[string]any{"type": "value"},
		"yAxis":   map[string]any{"type": "category", "data": labels, "inverse": true},
		"series":  []any{map[string]any{"type": "bar", "data": vals, "itemStyle": map[string]any{"color": "#b4232a"}}},
	}
}
