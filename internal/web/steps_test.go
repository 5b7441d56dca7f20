package web

import (
	"testing"
	"time"

	"yingshang/internal/calendar"
)

func TestStepsAndClock(t *testing.T) {
	cal := calendar.New(nil)
	labels := []Text{{ZH: "提交", EN: "Submitted"}, {ZH: "办理", EN: "Handling"}, {ZH: "答复", EN: "Replied"}}
	// Monday 2026-11-23 10:00 Shanghai; deadline end of Wednesday: 2 working days left.
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	due := calendar.NewDate(2026, 11, 25).AddDays(1).Time(calendar.Shanghai).Add(-time.Nanosecond)
	got := Steps("zh-CN", labels, 1, false, cal, now, &due)
	if len(got) != 3 || got[0].State != "done" || got[1].State != "current" || got[2].State != "todo" || got[1].Clock != "还剩 2 个工作日" {
		t.Fatalf("steps %+v", got)
	}
	// Friday's deadline seen the next Tuesday: 2 working days overdue (Mon, Tue).
	fri := calendar.NewDate(2026, 11, 20).AddDays(1).Time(calendar.Shanghai).Add(-time.Nanosecond)
	got = Steps("en", labels, 1, false, cal, now.AddDate(0, 0, 1), &fri)
	if got[1].Clock != "2 working days overdue" || !got[1].Overdue {
		t.Fatalf("overdue %+v", got[1])
	}
	// Left the path at the first step: later steps dropped.
	got = Steps("en", labels, 0, true, nil, now, nil)
	if len(got) != 1 || got[0].State != "off" || got[0].Clock != "" {
		t.Fatalf("off %+v", got)
	}
	// Due today.
	eod := calendar.NewDate(2026, 11, 23).AddDays(1).Time(calendar.Shanghai).Add(-time.Nanosecond)
	if got := Steps("zh-CN", labels, 1, false, cal, now, &eod); got[1].Clock != "今日到期" {
		t.Fatalf("today %+v", got[1])
	}
}

func TestSortByDue(t *testing.T) {
	a, b := time.Unix(100, 0), time.Unix(50, 0)
	items := []CardItem{{Text: "none"}, {Text: "a", Due: &a}, {Text: "b", Due: &b}}
	SortByDue(items)
	if items[0].Text != "b" || items[1].Text != "a" || items[2].Text != "none" {
		t.Fatalf("%+v", items)
	}
}
