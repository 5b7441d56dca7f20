package appeals

import (
	"context"
	"strconv"

	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/web"
)

// listTitles name the workbench lists (appeal.Workbench) on the home page.
var listTitles = map[string]web.Text{
	"overdue":    {ZH: "逾期诉求（全市）", EN: "Overdue appeals (city-wide)"},
	"supervised": {ZH: "已升级、督办中的诉求", EN: "Escalated and supervised appeals"},
	"dispatch":   {ZH: "待受理、交办的诉求", EN: "Appeals to accept and assign"},
	"followup":   {ZH: "待回访的诉求", EN: "Appeals awaiting a follow-up call"},
	"handle":     {ZH: "本部门待答复的诉求", EN: "Appeals my department must answer"},
	"waiting":    {ZH: "等待企业补充或评价的诉求", EN: "Appeals waiting for the enterprise"},
	"rate":       {ZH: "待我评价或补充的诉求", EN: "Appeals to rate or supplement"},
	"mine":       {ZH: "我的诉求进展", EN: "My appeals in progress"},
}

// Cards gives the caller's appeal lists: what waits for the caller, oldest
// deadline first with the working days left, and what waits for others.
func (m *mod) Cards(ctx context.Context, a *auth.Actor) ([]web.Card, error) {
	wb, err := m.svc.Workbench(ctx)
	if err != nil || wb.ToDoTitle == "" {
		return nil, err
	}
	cal, err := m.cal.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := m.svc.Clock.Now()
	items := func(list []appeal.WorkItem) []web.CardItem {
		out := make([]web.CardItem, 0, len(list))
		for _, w := range list {
			it := web.CardItem{Text: w.Number + " " + w.Title, Href: "/appeals/" + strconv.FormatInt(w.ID, 10),
				Step: web.Text{ZH: w.State.Label("zh"), EN: w.State.Label("en")}}
			if w.Due != nil {
				it.SetDue(cal, now, *w.Due)
			}
			out = append(out, it)
		}
		return out
	}
	more := &web.Link{Label: web.Text{ZH: "全部诉求", EN: "All appeals"}, Href: "/appeals"}
	if wb.ToDoTitle == "rate" {
		more.Href = "/appeals?queue=mine"
	}
	return []web.Card{
		{Title: listTitles[wb.ToDoTitle], Kind: web.CardTodo, Items: items(wb.ToDo), Empty: web.Text{ZH: "没有待办的诉求", EN: "No appeals waiting for you"}, More: more},
		{Title: listTitles[wb.WatchTitle], Kind: web.CardWatch, Items: items(wb.Watch), Empty: web.Text{ZH: "暂无", EN: "None"}},
	}, nil
}
