package appeals

import (
	"context"
	"strconv"
	"time"

	"yingshang/internal/calendar"

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
	if err != nil {
		return nil, err
	}
	cal, err := m.cal.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := m.svc.Clock.Now()
	tasks, err := m.taskCard(ctx, cal, now)
	if err != nil || wb.ToDoTitle == "" {
		return tasks, err
	}
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
	return append([]web.Card{
		{Title: listTitles[wb.ToDoTitle], Kind: web.CardTodo, Items: items(wb.ToDo), Empty: web.Text{ZH: "没有待办的诉求", EN: "No appeals waiting for you"}, More: more},
		{Title: listTitles[wb.WatchTitle], Kind: web.CardWatch, Items: items(wb.Watch), Empty: web.Text{ZH: "暂无", EN: "None"}},
	}, tasks...), nil
}

// taskCard is the open joint-meeting decisions of the caller's
// departments with their working days left ("还剩 N 个工作日", "已逾期");
// no card when there are none.
func (m *mod) taskCard(ctx context.Context, cal *calendar.Calendar, now time.Time) ([]web.Card, error) {
	list, err := m.svc.MyTasks(ctx)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	items := make([]web.CardItem, 0, len(list))
	for _, t := range list {
		it := web.CardItem{Text: t.Decision, Href: "/appeal-meetings/" + strconv.FormatInt(t.MeetingID, 10), Note: t.MeetingTitle,
			Step: web.Text{ZH: appeal.TaskStatusLabel(t.Status, "zh"), EN: appeal.TaskStatusLabel(t.Status, "en")}}
		it.SetDue(cal, now, t.Due)
		items = append(items, it)
	}
	return []web.Card{{Title: web.Text{ZH: "联席会议决定事项（本部门）", EN: "Joint-meeting decisions (my department)"}, Kind: web.CardTodo, Items: items,
		Empty: web.Text{ZH: "没有待办的决定事项", EN: "No decisions waiting"}, More: &web.Link{Label: web.Text{ZH: "全部联席会议", EN: "All joint meetings"}, Href: "/appeal-meetings"}}}, nil
}
