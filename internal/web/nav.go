package web

import (
	"fmt"
	"slices"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
)

// Text is a label in both languages.
type Text struct{ ZH, EN string }

// In returns the text in lang ("en" or Chinese).
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.ZH
}

// NavGroup is a module's section of the side menu: an optional heading
// and its items.
type NavGroup struct {
	Title Text
	Items []NavItem
}

// NavItem is one side-menu entry.
type NavItem struct {
	Label  Text
	Href   string
	TestID string
	// Show decides who sees the entry; nil shows it to every signed-in user.
	Show func(a *auth.Actor) bool
}

// Link is a link on the public landing page.
type Link struct {
	Label  Text
	Href   string
	TestID string
}

// Card is a home-page card a module contributes for the signed-in user.
type Card struct {
	Title Text
	// Kind: "todo" (waiting for this person or department), "watch"
	// (waiting for others) or "figure".
	Kind  string
	Items []CardItem
	// Empty is shown when there are no items.
	Empty Text
	More  *Link
}

// Card kinds, in the order the home page shows them.
const (
	CardTodo   = "todo"   // waiting for this person or department
	CardWatch  = "watch"  // waiting for others
	CardFigure = "figure" // the figures the role needs
)

// KindRank orders cards on the home page: to do, watch, figures.
func KindRank(kind string) int {
	switch kind {
	case CardTodo:
		return 0
	case CardWatch:
		return 1
	}
	return 2
}

// CardItem is one line of a card, linking straight to its item.
type CardItem struct {
	// Text is user data (an appeal's number and title, a company name);
	// Label, when set, is shown instead (a text of the platform's own).
	Text  string
	Label Text
	Href  string
	// Step is the item's current step (its status label); Next, when
	// set, what the person must do next.
	Step Text
	Next Text
	// Value is a figure (a count, a grade) shown beside the text.
	Value string
	Note  string // a note of the module's, user data or already in the language
	// Due is the deadline of the item's running clock (nil: none);
	// DaysLeft the working days left by the platform calendar (negative:
	// overdue by that many). Set both with SetDue.
	Due      *time.Time
	DaysLeft int
	Overdue  bool
}

// SetDue sets the item's deadline and its working days left at now, by
// the platform's working-day calendar (internal/workcal): the number of
// working days after today up to and including the deadline's day, so a
// deadline at the end of tomorrow (a working day) leaves 1.
func (i *CardItem) SetDue(cal *calendar.Calendar, now, due time.Time) {
	d := due
	i.Due = &d
	i.DaysLeft = cal.WorkdaysBetween(calendar.FromTime(now, calendar.Shanghai), calendar.FromTime(due, calendar.Shanghai))
	i.Overdue = now.After(due)
}

// DueNote is the item's clock in lang: "还剩 N 个工作日", "今日到期" or
// "已逾期 N 个工作日" ("" without a deadline).
func (i CardItem) DueNote(lang string) string {
	if i.Due == nil {
		return ""
	}
	en := lang == "en"
	switch {
	case i.Overdue && i.DaysLeft >= 0:
		if en {
			return "overdue today"
		}
		return "今日已逾期"
	case i.Overdue || i.DaysLeft < 0:
		if en {
			return fmt.Sprintf("%d working day%s overdue", -i.DaysLeft, plural(-i.DaysLeft))
		}
		return fmt.Sprintf("已逾期 %d 个工作日", -i.DaysLeft)
	case i.DaysLeft == 0:
		if en {
			return "due today"
		}
		return "今日到期"
	}
	if en {
		return fmt.Sprintf("%d working day%s left", i.DaysLeft, plural(i.DaysLeft))
	}
	return fmt.Sprintf("还剩 %d 个工作日", i.DaysLeft)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// SortByDue orders items oldest deadline first; items without a deadline
// keep their order after them.
func SortByDue(items []CardItem) {
	slices.SortStableFunc(items, func(a, b CardItem) int {
		switch {
		case a.Due == nil && b.Due == nil:
			return 0
		case a.Due == nil:
			return 1
		case b.Due == nil:
			return -1
		}
		return a.Due.Compare(*b.Due)
	})
}

// SortCards orders cards by kind (to do, watch, figures), keeping the
// modules' order within a kind.
func SortCards(cards []Card) {
	slices.SortStableFunc(cards, func(a, b Card) int { return KindRank(a.Kind) - KindRank(b.Kind) })
}

// Roles returns a Show function admitting the actors that hold any of roles.
func Roles(roles ...auth.Role) func(a *auth.Actor) bool {
	return func(a *auth.Actor) bool { return a.Has(roles...) }
}

// FilterNav returns the groups and items a may see (groups left empty are dropped).
func FilterNav(groups []NavGroup, a *auth.Actor) []NavGroup {
	var out []NavGroup
	for _, g := range groups {
		var items []NavItem
		for _, it := range g.Items {
			if it.Show == nil || it.Show(a) {
				items = append(items, it)
			}
		}
		if len(items) > 0 {
			out = append(out, NavGroup{Title: g.Title, Items: items})
		}
	}
	return out
}

// SearchGroup is one module's hits in the global search.
type SearchGroup struct {
	Title Text
	Items []CardItem
	// More links to the module's own list filtered by the query.
	More *Link
}

// SearchLimit is how many hits a group shows.
const SearchLimit = 8
