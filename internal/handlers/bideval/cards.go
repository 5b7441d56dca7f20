package bideval

import (
	"context"

	"yingshang/internal/auth"
	"yingshang/internal/bideval"
	"yingshang/internal/web"
)

// Cards gives each party of an evaluation its projects and next step:
// an expert the sheets to score, a bidder the bids to upload before the
// deadline and the publicities it may object to, the centre's staff the
// projects waiting for them, a supervisor every running evaluation.
func (m *mod) Cards(ctx context.Context, a *auth.Actor) ([]web.Card, error) {
	if !a.Has(auth.Expert, auth.Enterprise, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor) {
		return nil, nil
	}
	list, err := m.svc.Projects(ctx)
	if err != nil {
		return nil, err
	}
	cal, err := m.cal.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := m.svc.Clock.Now()
	todo := web.Card{Title: web.Text{ZH: "评标：待我处理", EN: "Evaluations: my next steps"}, Kind: web.CardTodo,
		Empty: web.Text{ZH: "没有等待您处理的评标项目", EN: "No evaluation waits for you"},
		More:  &web.Link{Label: web.Text{ZH: "全部评标项目", EN: "All evaluations"}, Href: "/bideval"}}
	watch := web.Card{Title: web.Text{ZH: "评标：我的项目", EN: "Evaluations: my projects"}, Kind: web.CardWatch,
		Empty: web.Text{ZH: "暂无", EN: "None"}}
	expert := a.Has(auth.Expert) && !a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	bidder := a.Has(auth.Enterprise) && !a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
	for _, e := range list {
		it := web.CardItem{Text: e.ProjectCode + " " + e.ProjectName, Href: projectURL(e.ProjectID, ""), Step: statusText(e.Status)}
		mine := false
		switch {
		case expert:
			if e.Status == bideval.StatusScoring && e.SheetStatus != "locked" {
				mine, it.Href = true, projectURL(e.ProjectID, "/score")
				it.Next = web.Text{ZH: "评分并锁定评分表", EN: "score and lock your sheet"}
			}
		case bidder:
			switch {
			case e.Status == bideval.StatusOpen && e.MyBid:
				mine, it.Href = true, projectURL(e.ProjectID, "/bid")
				it.Next = web.Text{ZH: "截止前上传或核对投标文件", EN: "upload or check your bid before the deadline"}
				it.SetDue(cal, now, e.DeadlineAt)
			case e.Status == bideval.StatusOpen:
				it.Href = projectURL(e.ProjectID, "/bid")
				it.Next = web.Text{ZH: "可报名投标", EN: "open for your bid"}
				it.SetDue(cal, now, e.DeadlineAt)
			case e.Status == bideval.StatusPublicity && e.MyBid:
				mine = true
				it.Next = web.Text{ZH: "查看公示，如有异议在公示期内提出", EN: "read the publicity; object within its period"}
				if e.PublicityUntil != nil {
					it.SetDue(cal, now, *e.PublicityUntil)
				}
			}
		default:
			switch e.Status {
			case bideval.StatusClosed:
				mine = a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
				it.Next = web.Text{ZH: "抽取暗标编码", EN: "draw the blind codes"}
			case bideval.StatusUnmasked:
				mine = a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
				it.Next = web.Text{ZH: "公示中标候选人", EN: "publish the candidates"}
			case bideval.StatusPublicity:
				mine = a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff) && e.PublicityUntil != nil && now.After(*e.PublicityUntil)
				if mine {
					it.Next = web.Text{ZH: "公示期满，确认中标人", EN: "publicity over: confirm the award"}
				}
			}
		}
		if mine && len(todo.Items) < 8 {
			todo.Items = append(todo.Items, it)
		} else if !mine && len(watch.Items) < 8 {
			watch.Items = append(watch.Items, it)
		}
	}
	web.SortByDue(todo.Items)
	web.SortByDue(watch.Items)
	if !expert && !bidder && !a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff) {
		return []web.Card{watch}, nil // a supervisor watches; nothing waits for it
	}
	return []web.Card{todo, watch}, nil
}
