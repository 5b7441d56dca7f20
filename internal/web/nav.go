package web

import "yingshang/internal/auth"

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

// CardItem is one line of a card, linking straight to its item.
type CardItem struct {
	Text    string
	Href    string
	Note    string // e.g. "还剩 3 个工作日"
	Overdue bool
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
