package bideval

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/draw"
)

// LoadDemo adds the evaluation demo on top of the draw module's demo:
//   - an awarded project evaluated two weeks ago: three bidders (bidder1..3)
//     uploaded both parts, one technical part was flagged and disposed, the
//     experts were drawn (one declined, a reserve stepped in), the codes
//     were drawn, the five members (demo users expert1..expert5, linked to
//     the pool records) locked their sheets, the codes were unmasked, the
//     candidates published for three days and the award confirmed — its
//     notice is public;
//   - the draw demo's first project open for bids until its opening:
//     bidder1 has registered and uploaded its technical part.
//
// The past is replayed with the services on a pinned clock, so every
// timestamp is consistent; the audit trail records when the demo was
// loaded.
func (s *Service) LoadDemo(ctx context.Context) error {
	ctx = auth.WithActor(ctx, auth.System("bideval.demo"))
	users, err := s.demoUsers(ctx)
	if err != nil {
		return err
	}
	if err := s.demoAwarded(ctx, users); err != nil {
		return fmt.Errorf("bideval demo: awarded project: %w", err)
	}
	if err := s.demoOpen(ctx, users); err != nil {
		return fmt.Errorf("bideval demo: open project: %w", err)
	}
	return nil
}

type demoUser struct {
	id       int64
	entityID int64
	role     auth.Role
}

func (s *Service) demoUsers(ctx context.Context) (map[string]demoUser, error) {
	out := map[string]demoUser{}
	names := []string{"bidder1", "bidder2", "bidder3", "expert1", "expert2", "expert3", "expert4", "expert5"}
	refs, err := s.Accounts.UserRefsByName(ctx, names)
	if err != nil {
		return nil, fmt.Errorf("bideval demo: users: %w", err)
	}
	for _, name := range names {
		ref, ok := refs[name]
		if !ok {
			return nil, fmt.Errorf("bideval demo: no user %s", name)
		}
		u := demoUser{id: ref.ID, entityID: ref.EntityID}
		u.role = auth.Expert
		if u.entityID != 0 {
			u.role = auth.Enterprise
		}
		out[name] = u
	}
	return out, nil
}

// unboundEntity returns the credit code of the oldest entity no active
// account is bound to (the demo's tenderer).
func (s *Service) unboundEntity(ctx context.Context) (string, error) {
	var after int64
	for {
		refs, err := s.Entities.RefsAfter(ctx, after, 100)
		if err != nil {
			return "", err
		}
		if len(refs) == 0 {
			return "", fmt.Errorf("every entity is bound to an account")
		}
		ids := make([]int64, len(refs))
		for i, r := range refs {
			ids[i] = r.ID
		}
		bound, err := s.Accounts.EntityUsers(ctx, ids)
		if err != nil {
			return "", err
		}
		for _, r := range refs {
			if len(bound[r.ID]) == 0 {
				return r.USCC, nil
			}
		}
		after = ids[len(ids)-1]
	}
}

func (u demoUser) ctx(ctx context.Context, name string) context.Context {
	return auth.WithActor(ctx, &auth.Actor{UserID: u.id, Username: name, Name: name, Roles: []auth.Role{u.role}, EntityID: u.entityID, Via: "session"})
}

// demoAt is a copy of the service (and of the draw engine) on a pinned clock.
func (s *Service) demoAt(t time.Time) (*Service, *clock.Fake) {
	clk := clock.NewFixed(t)
	d := *s.Draw
	d.Clock = clk
	b := *s
	b.Clock, b.Draw = clk, &d
	d.Appliers = map[string]func(context.Context, *draw.Draw, *draw.Record) error{PurposeCodes: b.applyCodes}
	return &b, clk
}

func (s *Service) demoAwarded(ctx context.Context, users map[string]demoUser) error {
	now := s.Clock.Now().In(shanghai)
	day := now.AddDate(0, 0, -35) // the tender notice: at least 20 days before the deadline
	t0 := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, shanghai)
	b, clk := s.demoAt(t0)
	tenderer, err := s.unboundEntity(ctx)
	if err != nil {
		return err
	}
	opening := t0.AddDate(0, 0, 21).Add(-time.Hour) // 09:00 three weeks later
	p, err := b.Draw.CreateProject(ctx, draw.ProjectInput{Name: "许昌市东城区雨污分流改造工程（二标段）", Kind: "works", BudgetYuan: 3_860_000,
		Specialties: []string{"A01", "A02"}, TendererUSCC: tenderer, Region: "411002", OpeningAt: opening.Format(time.RFC3339)})
	if err != nil {
		return err
	}
	if _, err := b.SetSettings(ctx, p.ID, SettingsInput{Criteria: DefaultCriteria(), Rule: RuleTrimmedMean, PriceMax: 30}); err != nil {
		return err
	}
	clk.Set(t0.AddDate(0, 0, 1))
	prices := map[string]string{"bidder1": "3718600.00", "bidder2": "3659200.50", "bidder3": "3802000.00"}
	for i, name := range []string{"bidder1", "bidder2", "bidder3"} {
		u := users[name]
		uctx := u.ctx(ctx, name)
		if _, err := b.Register(uctx, p.ID, RegisterInput{ProjectManager: []string{"周立新", "郭春生", "何玉梅"}[i]}); err != nil {
			return err
		}
		ent, err := s.Entities.Ref(ctx, u.entityID, "")
		if err != nil {
			return err
		}
		entityName, rep := ent.Name, ent.LegalRepName
		body := demoTechnical(i)
		if i == 1 {
			// bidder2's method statement names its legal representative:
			// the leak check flags it.
			body = append(body, "本方案由"+rep+"审定。")
		}
		if _, err := b.Upload(uctx, p.ID, PartTechnical, "技术标.docx", Docx(body...), ""); err != nil {
			return err
		}
		clk.Set(clk.Now().Add(20 * time.Minute))
		if _, err := b.Upload(uctx, p.ID, PartCommercial, "商务标.pdf", demoPDF(entityName+" bid price "+prices[name]), prices[name]); err != nil {
			return err
		}
	}
	overview, err := b.Overview(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, bid := range overview.Bids {
		for _, f := range bid.Flags {
			if _, err := b.Dispose(ctx, f.ID, DisposeInput{Disposition: FlagConfirmed, Note: "已提示评标委员会：技术标中出现投标人法定代表人姓名，由评标委员会按评标办法处理。"}); err != nil {
				return err
			}
		}
	}
	// Experts drawn the day before the opening; one declines, a reserve steps in.
	clk.Set(opening.Add(-24 * time.Hour))
	witness := draw.DrawInput{WitnessName: "见证员孙德明", WitnessValue: "803914"}
	for _, commit := range []func() (*draw.Draw, error){
		func() (*draw.Draw, error) { return b.Draw.CommitPeople(ctx, p.ID, "staff", 1) },
		func() (*draw.Draw, error) { return b.Draw.CommitExperts(ctx, p.ID, draw.ExpertDrawInput{Reserves: 2}) },
	} {
		d, err := commit()
		if err != nil {
			return err
		}
		clk.Set(clk.Now().Add(2 * time.Minute))
		if _, err := b.Draw.Execute(ctx, d.ID, witness); err != nil {
			return err
		}
	}
	clk.Set(clk.Now().Add(30 * time.Minute))
	if err := b.Draw.DemoAnswers(ctx, p.ID); err != nil {
		return err
	}
	members, err := b.committee(ctx, p.ID)
	if err != nil {
		return err
	}
	if len(members) != p.Committee {
		return fmt.Errorf("committee of %d, %d confirmed", p.Committee, len(members))
	}
	experts := []string{"expert1", "expert2", "expert3", "expert4", "expert5"}
	for i, m := range members {
		if _, err := b.Draw.LinkExpertUser(ctx, m.ExpertID, experts[i]); err != nil {
			return err
		}
		// The demo account takes the pool record's name.
		if err := s.Accounts.SetDisplayName(ctx, users[experts[i]].id, m.Name); err != nil {
			return err
		}
	}
	// After the deadline: the codes, the scores, the unmasking, the award.
	clk.Set(opening.Add(30 * time.Minute))
	if _, err := b.CommitCodes(ctx, p.ID); err != nil {
		return err
	}
	clk.Set(clk.Now().Add(2 * time.Minute))
	if err := b.RunCodes(ctx, p.ID, draw.DrawInput{WitnessName: "见证员孙德明", WitnessValue: "190527"}); err != nil {
		return err
	}
	st, err := b.settings(ctx, p.ID)
	if err != nil {
		return err
	}
	codes, err := b.codedBids(ctx, p.ID)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(2026, 8))
	for i := range members {
		clk.Set(clk.Now().Add(25 * time.Minute))
		u := users[experts[i]]
		var in SheetInput
		for ci, c := range codes {
			for _, cr := range st.Criteria {
				quality := []float64{0.86, 0.78, 0.81}[ci%3] + float64(r.IntN(9)-4)/100
				pts := round2(float64(int(cr.Max*quality*2+0.5)) / 2)
				in.Scores = append(in.Scores, Score{Code: c.Code, Criterion: cr.Key, Points: pts, Comment: demoComment(cr.Key, quality)})
			}
		}
		in.Lock = true
		if _, err := b.SaveSheet(u.ctx(ctx, experts[i]), p.ID, in); err != nil {
			return err
		}
	}
	clk.Set(clk.Now().Add(20 * time.Minute))
	res, err := b.Unmask(ctx, p.ID)
	if err != nil {
		return err
	}
	clk.Set(clk.Now().Add(40 * time.Minute))
	if _, err := b.PublishCandidates(ctx, p.ID); err != nil {
		return err
	}
	clk.Set(clk.Now().AddDate(0, 0, b.publicityDays()).Add(time.Hour))
	award := AwardInput{BidID: res.Rows[0].BidID}
	if res.Rows[0].Tied {
		award.Note = "并列第一，按评标办法以投标报价较低者确定。"
	}
	_, err = b.Award(ctx, p.ID, award)
	return err
}

// demoOpen opens the draw demo's first project for bids until its
// opening; bidder1 has registered and uploaded its technical part.
func (s *Service) demoOpen(ctx context.Context, users map[string]demoUser) error {
	id, err := s.Draw.ProjectIDByName(ctx, "许昌市城区老旧小区改造工程（一标段）")
	if err != nil {
		return err
	}
	if id == 0 {
		return fmt.Errorf("the draw demo's project is missing")
	}
	// The tender notice was published 19 days ago (the deadline, at the
	// opening in two days, leaves the legal 20 days).
	b, _ := s.demoAt(s.Clock.Now().AddDate(0, 0, -19))
	if _, err := b.SetSettings(ctx, id, SettingsInput{Criteria: DefaultCriteria(), Rule: RuleTrimmedMean, PriceMax: 30}); err != nil {
		return err
	}
	u := users["bidder1"]
	uctx := u.ctx(ctx, "bidder1")
	if _, err := s.Register(uctx, id, RegisterInput{ProjectManager: "周立新"}); err != nil {
		return err
	}
	_, err = s.Upload(uctx, id, PartTechnical, "技术标-施工组织设计.docx", Docx(demoTechnical(0)...), "")
	return err
}

func demoTechnical(i int) []string {
	return []string{
		"第一章 施工组织设计",
		[]string{"本工程采用分段流水施工，管网改造与路面恢复同步推进。", "本工程划分三个施工区段，雨污管道先行、道路恢复随后。", "采用非开挖顶管与明挖结合的施工工艺。"}[i%3],
		"第二章 质量与安全保障措施：建立质量责任制，关键工序旁站监理，每日班前安全交底。",
		"第三章 工期与进度计划：计划工期 180 日历天，设置开工、主体完工、竣工验收三个关键节点。",
	}
}

func demoComment(key string, q float64) string {
	level := "较好"
	switch {
	case q >= 0.86:
		level = "优秀"
	case q < 0.8:
		level = "一般"
	}
	return map[string]string{"plan": "技术方案完整，针对性", "quality": "质量安全措施具体，可操作性", "schedule": "进度计划合理，关键节点"}[key] + level
}

// Docx builds a minimal .docx with one paragraph per line (demo data and tests).
func Docx(paragraphs ...string) []byte {
	var body bytes.Buffer
	for _, p := range paragraphs {
		body.WriteString("<w:p><w:r><w:t>")
		_ = xml.EscapeText(&body, []byte(p))
		body.WriteString("</w:t></w:r></w:p>")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`))
	w, _ = zw.Create("word/document.xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>%s</w:body></w:document>`, body.String())
	_ = zw.Close()
	return buf.Bytes()
}

// demoPDF is a one-page PDF showing a line of Latin text.
func demoPDF(line string) []byte {
	ascii := []rune{}
	for _, r := range line {
		if r < 128 && r != '(' && r != ')' && r != '\\' {
			ascii = append(ascii, r)
		}
	}
	content := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", string(ascii))
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offs := []int{}
	obj := func(s string) {
		offs = append(offs, b.Len())
		b.WriteString(s)
	}
	obj("1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n")
	obj("2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n")
	obj("3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj\n")
	obj(fmt.Sprintf("4 0 obj << /Length %d >> stream\n%s\nendstream endobj\n", len(content), content))
	obj("5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}
