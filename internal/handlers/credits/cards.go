package credits

import (
	"context"
	"strconv"

	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/web"
)

// Cards gives the caller's credit repair work: staff review the
// applications of their departments (oldest deadline first, with the
// working days left), supervisors watch every open one of the city, and an
// enterprise sees what it must supplement, what is under review and its
// credit grade.
func (m *mod) Cards(ctx context.Context, a *auth.Actor) ([]web.Card, error) {
	staff := a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
	ent := a.Has(auth.Enterprise) && a.EntityID != 0
	if !staff && !ent {
		return nil, nil
	}
	cal, err := m.cal.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := m.svc.Clock.Now()
	items := func(status string) ([]web.CardItem, error) {
		list, err := m.svc.RepairsDue(ctx, status, 8)
		if err != nil {
			return nil, err
		}
		out := make([]web.CardItem, 0, len(list))
		for _, p := range list {
			it := web.CardItem{Text: p.EntityName + " " + p.DecisionNo, Href: "/credit/repairs/" + strconv.FormatInt(p.ID, 10),
				Step: web.Text{ZH: credit.RepairLabel(p.Status, "zh"), EN: credit.RepairLabel(p.Status, "en")}}
			if p.DueAt != nil && p.Status == credit.RepairSubmitted {
				it.SetDue(cal, now, *p.DueAt)
			}
			out = append(out, it)
		}
		return out, nil
	}
	more := &web.Link{Label: web.Text{ZH: "全部修复申请", EN: "All repair applications"}, Href: "/credit/repairs"}
	if staff {
		review, err := items(credit.RepairSubmitted)
		if err != nil {
			return nil, err
		}
		waiting, err := items(credit.RepairMoreInfo)
		if err != nil {
			return nil, err
		}
		kind, title := web.CardTodo, web.Text{ZH: "待审核的信用修复申请", EN: "Repair applications to review"}
		if !a.Has(auth.DeptAdmin, auth.DeptStaff) {
			kind, title = web.CardWatch, web.Text{ZH: "审核中的信用修复申请", EN: "Repair applications under review"}
		}
		return []web.Card{
			{Title: title, Kind: kind, Items: review, Empty: web.Text{ZH: "没有待审核的申请", EN: "No applications to review"}, More: more},
			{Title: web.Text{ZH: "等待企业补充材料的修复申请", EN: "Repairs waiting for the enterprise's material"}, Kind: web.CardWatch, Items: waiting,
				Empty: web.Text{ZH: "暂无", EN: "None"}},
		}, nil
	}
	supplement, err := items(credit.RepairMoreInfo)
	if err != nil {
		return nil, err
	}
	review, err := items(credit.RepairSubmitted)
	if err != nil {
		return nil, err
	}
	grade := web.Card{Title: web.Text{ZH: "我的信用", EN: "My credit"}, Kind: web.CardFigure, Empty: web.Text{ZH: "暂无信用等级", EN: "No credit grade yet"}}
	g, err := m.svc.GradeOf(ctx, a.EntityID)
	if err != nil {
		return nil, err
	}
	if g != nil {
		grade.Items = []web.CardItem{{Label: web.Text{ZH: "信用等级", EN: "Credit grade"}, Value: g.Grade, Href: "/my/credit"}}
	}
	pending, err := m.svc.AssistedList(ctx, credit.AssistedPending)
	if err != nil {
		return nil, err
	}
	confirm := web.Card{Title: web.Text{ZH: "待确认的代办信用修复", EN: "Assisted repairs to confirm"}, Kind: web.CardTodo,
		Empty: web.Text{ZH: "没有待确认的代办申请", EN: "Nothing to confirm"}}
	for _, x := range pending {
		confirm.Items = append(confirm.Items, web.CardItem{Text: x.DecisionNo + " · 代办 by " + x.PointLabel, Href: "/credit/assisted/" + strconv.FormatInt(x.ID, 10),
			Step: web.Text{ZH: credit.AssistedLabel(x.Status, "zh"), EN: credit.AssistedLabel(x.Status, "en")}})
	}
	return []web.Card{confirm,
		{Title: web.Text{ZH: "待补充材料的信用修复", EN: "Credit repairs to supplement"}, Kind: web.CardTodo, Items: supplement,
			Empty: web.Text{ZH: "没有需要补充的材料", EN: "Nothing to supplement"}, More: &web.Link{Label: web.Text{ZH: "我的信用", EN: "My credit"}, Href: "/my/credit"}},
		{Title: web.Text{ZH: "审核中的信用修复", EN: "Credit repairs under review"}, Kind: web.CardWatch, Items: review, Empty: web.Text{ZH: "暂无", EN: "None"}},
		grade,
	}, nil
}
