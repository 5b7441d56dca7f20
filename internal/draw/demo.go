package draw

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"yingshang/internal/auth"
)

// Specialties is the demo specialty catalogue (code -> Chinese, English).
var Specialties = map[string][2]string{
	"A01": {"房屋建筑工程", "Building works"},
	"A02": {"市政公用工程", "Municipal works"},
	"B01": {"电子信息系统", "Electronic information systems"},
	"E01": {"工程造价", "Cost engineering"},
	"E02": {"财务会计", "Finance and accounting"},
}

var demoSurnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
var demoGiven = []string{"建国", "秀兰", "志强", "桂英", "德明", "淑珍", "海涛", "丽娟", "文博", "晓燕", "国庆", "玉梅", "春生", "红霞", "立新"}

// LoadDemo creates the pools and one project with every draw done: intake
// staff, witnesses, venues, experts (one declined, a reserve stepped in)
// and seats; plus a second project waiting for its draws.
func (s *Service) LoadDemo(ctx context.Context) error {
	ctx = auth.WithActor(ctx, auth.System("draw.demo"))
	r := rand.New(rand.NewPCG(2026, 4))
	regions := []string{"411002", "411003", "411081", "411082", "410102", "410302", "411102"}
	for i := range 80 {
		spec := []string{"A01", "A02", "B01", "E01", "E02"}[i%5]
		in := ExpertInput{Name: fmt.Sprintf("%c%s", demoSurnames[r.IntN(len(demoSurnames))], demoGiven[r.IntN(len(demoGiven))]),
			Specialties: []string{spec}, Region: regions[r.IntN(len(regions))], Title: []string{"高级工程师", "教授级高工", "高级会计师"}[i%3],
			Phone: fmt.Sprintf("139%08d", r.IntN(100000000))}
		if i%17 == 5 {
			in.Status = ExpertSuspended
		}
		if _, err := s.CreateExpert(ctx, in); err != nil {
			return fmt.Errorf("draw demo: expert: %w", err)
		}
	}
	for i := range 4 {
		if _, err := s.CreatePerson(ctx, "staff", fmt.Sprintf("受理员%c%s", demoSurnames[i], demoGiven[i]), ""); err != nil {
			return err
		}
		if _, err := s.CreatePerson(ctx, "witness", fmt.Sprintf("见证员%c%s", demoSurnames[i+5], demoGiven[i+5]), ""); err != nil {
			return err
		}
	}
	for i := range 6 {
		venue := "许昌市公共资源交易中心（主场）"
		if i >= 3 {
			venue = "许昌市公共资源交易中心（副场）"
		}
		if _, err := s.CreateRoom(ctx, fmt.Sprintf("PB-%02d", i+1), venue, fmt.Sprintf("评标室%d", i+1), 4); err != nil {
			return err
		}
	}
	return s.demoProjects(ctx)
}

func (s *Service) demoProjects(ctx context.Context) error {
	// The tenderer is the demo enterprise's entity when there is one, the
	// bidders the registry's first entities.
	var usccs []string
	users, err := s.Accounts.UserRefsByName(ctx, []string{"enterprise"})
	if err != nil {
		return err
	}
	if u, ok := users["enterprise"]; ok && u.EntityID != 0 {
		e, err := s.Entities.Ref(ctx, u.EntityID, "")
		if err != nil {
			return err
		}
		usccs = append(usccs, e.USCC)
	}
	first, err := s.Entities.RefsAfter(ctx, 0, 3)
	if err != nil {
		return err
	}
	for _, e := range first {
		usccs = append(usccs, e.USCC)
	}
	if len(usccs) < 3 {
		return fmt.Errorf("draw demo: needs entities")
	}
	day := s.Clock.Now().In(shanghai).AddDate(0, 0, 2)
	opening := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, shanghai)
	p, err := s.CreateProject(ctx, ProjectInput{Name: "许昌市城区老旧小区改造工程（一标段）", Kind: "works", BudgetYuan: 8_600_000,
		Specialties: []string{"A01", "A02"}, TendererUSCC: usccs[0], BidderUSCCs: []string{usccs[1], usccs[2]}, Region: "411002",
		CrossRegion: false, OpeningAt: opening.Format(time.RFC3339)})
	if err != nil {
		return fmt.Errorf("draw demo: project: %w", err)
	}
	witness := DrawInput{WitnessName: "见证员", WitnessValue: "580731"}
	steps := []func() (*Draw, error){
		func() (*Draw, error) { return s.CommitPeople(ctx, p.ID, "staff", 1) },
		func() (*Draw, error) { return s.CommitPeople(ctx, p.ID, "witness", 2) },
		func() (*Draw, error) { return s.CommitVenues(ctx, p.ID, p.Committee-1) },
		func() (*Draw, error) { return s.CommitExperts(ctx, p.ID, ExpertDrawInput{Reserves: 2}) },
	}
	for _, step := range steps {
		d, err := step()
		if err != nil {
			return fmt.Errorf("draw demo: %w", err)
		}
		if _, err := s.Execute(ctx, d.ID, witness); err != nil {
			return fmt.Errorf("draw demo: execute %d: %w", d.ID, err)
		}
	}
	if err := s.demoAnswers(ctx, p.ID); err != nil {
		return err
	}
	d, err := s.CommitSeats(ctx, p.OpeningAt)
	if err != nil {
		return fmt.Errorf("draw demo: seats: %w", err)
	}
	if _, err := s.Execute(ctx, d.ID, witness); err != nil {
		return err
	}
	_, err = s.CreateProject(ctx, ProjectInput{Name: "许昌市智慧交通信号控制系统采购", Kind: "goods", BudgetYuan: 12_500_000,
		Specialties: []string{"B01"}, TendererUSCC: usccs[0], Region: "411002", CrossRegion: true,
		OpeningAt: opening.AddDate(0, 0, 5).Format(time.RFC3339)})
	return err
}

// demoAnswers: the first technical expert declines (a reserve is called),
// everyone else called confirms.
func (s *Service) demoAnswers(ctx context.Context, projectID int64) error {
	for round := 0; round < 3; round++ {
		asg, err := s.Assignments(ctx, projectID)
		if err != nil {
			return err
		}
		for i, a := range asg {
			if a.Status != AsgNotified {
				continue
			}
			status := AsgConfirmed
			if round == 0 && i == 0 {
				status = AsgDeclined
			}
			if err := s.DB.WithTx(ctx, func(ctx context.Context) error { return s.settle(ctx, a.ID, status) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// DemoAnswers answers the open invitations of a project as the demo does
// (the first technical expert declines, a reserve steps in, everyone else
// confirms); for other modules' demo data (bideval).
func (s *Service) DemoAnswers(ctx context.Context, projectID int64) error {
	return s.demoAnswers(auth.WithActor(ctx, auth.System("draw.demo")), projectID)
}
