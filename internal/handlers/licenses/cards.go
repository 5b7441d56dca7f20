package licenses

import (
	"context"
	"strconv"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/license"
	"yingshang/internal/web"
)

// cardWindow is how close to expiry an enterprise's licence comes onto its
// home page (calendar days).
const cardWindow = 90

func licenceStatus(st string) web.Text {
	return web.Text{ZH: license.StatusLabel(st, "zh"), EN: license.StatusLabel(st, "en")}
}

// expiry is the end of a licence's last valid day in Shanghai.
func expiry(on string) (time.Time, bool) {
	d, err := calendar.ParseDate(on)
	if err != nil {
		return time.Time{}, false
	}
	return d.AddDays(1).Time(calendar.Shanghai).Add(-time.Nanosecond), true
}

// Cards gives department staff their follow-up list (licences about to
// lapse whose holders must be called, soonest expiry first) and an
// enterprise its licences due within 90 days.
func (m *mod) Cards(ctx context.Context, a *auth.Actor) ([]web.Card, error) {
	cal, err := m.svc.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := m.svc.Clock.Now()
	item := func(l *license.License, href string) web.CardItem {
		it := web.CardItem{Text: l.TypeName + " " + l.Number + " · " + l.HolderName, Href: href, Step: licenceStatus(l.Status)}
		if l.TypeKind != "" && l.TypeKind != license.KindLicence {
			// Another dated obligation (an annual report, a tax item): its kind, and "due" rather than a licence status.
			it.Step = web.Text{ZH: license.KindLabel(l.TypeKind, "zh"), EN: license.KindLabel(l.TypeKind, "en")}
		}
		if due, ok := expiry(l.ExpiresOn); ok {
			it.SetDue(cal, now, due)
		}
		return it
	}
	switch {
	case a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff):
		list, err := m.svc.Followups(ctx, 0, false)
		if err != nil {
			return nil, err
		}
		c := web.Card{Title: web.Text{ZH: "证照到期跟进清单", EN: "Licence follow-up list"}, Kind: web.CardTodo,
			Empty: web.Text{ZH: "跟进清单为空", EN: "The follow-up list is empty"},
			More:  &web.Link{Label: web.Text{ZH: "全部跟进事项", EN: "The whole follow-up list"}, Href: "/licenses/followups"}}
		for _, f := range list {
			if len(c.Items) == 8 {
				break
			}
			c.Items = append(c.Items, item(&f.License, "/licenses/"+strconv.FormatInt(f.ID, 10)))
		}
		web.SortByDue(c.Items)
		return []web.Card{c}, nil
	case a.Has(auth.Enterprise) && a.EntityID != 0:
		list, err := m.svc.Mine(ctx)
		if err != nil {
			return nil, err
		}
		c := web.Card{Title: web.Text{ZH: "即将到期的证照和待办事项", EN: "Licences and obligations falling due"}, Kind: web.CardTodo,
			Empty: web.Text{ZH: "90 天内没有到期的证照或事项", EN: "Nothing falls due within 90 days"},
			More:  &web.Link{Label: web.Text{ZH: "我的证照", EN: "My licences"}, Href: "/my/licenses"}}
		for _, l := range list {
			if (l.Status == license.StatusActive || l.Status == license.StatusLapsed) && l.DaysLeft <= cardWindow && len(c.Items) < 8 {
				c.Items = append(c.Items, item(l, "/my/licenses#license-"+strconv.FormatInt(l.ID, 10)))
			}
		}
		return []web.Card{c}, nil
	}
	return nil, nil
}
