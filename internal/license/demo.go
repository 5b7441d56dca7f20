package license

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/clock"
	"yingshang/internal/ident"
)

// demoTypes is the demo catalogue: department code -> types.
var demoTypes = []struct {
	dept string
	in   TypeInput
}{
	{"XC-SJJ", TypeInput{Code: "SP-JY", Name: "食品经营许可证", LegalBasis: "《食品经营许可和备案管理办法》第二十九条", ValidityMonths: 60,
		ChannelsOnline: "河南政务服务网“食品经营许可延续”", ChannelsOffline: "许昌市民之家二楼市场监管窗口", Materials: "食品经营许可延续申请书；营业执照复印件；原许可证正副本",
		Fees: "不收费", Phone: "0374-2961234", Address: "许昌市魏都区龙兴路市民之家", ServiceURL: "https://www.hnzwfw.gov.cn/", Active: true}},
	{"XC-SJJ", TypeInput{Code: "YP-JY", Name: "药品经营许可证", LegalBasis: "《药品经营和使用质量监督管理办法》第二十一条", ValidityMonths: 60,
		ChannelsOnline: "河南省药品监督管理局网上办事大厅", ChannelsOffline: "许昌市民之家二楼药品窗口", Materials: "换证申请表；质量管理文件目录；执业药师注册证",
		Fees: "不收费", Phone: "0374-2961235", Address: "许昌市魏都区龙兴路市民之家", Active: true}},
	{"XC-SWJ", TypeInput{Code: "CPY-LS", Name: "成品油零售经营批准证书", ValidityMonths: 60, ChannelsOffline: "许昌市商务局行政审批科",
		Materials: "换证申请；安全评价报告；消防验收意见", Fees: "不收费", Phone: "0374-2965678", Address: "许昌市建安大道商务局三楼", Active: true}},
	{"XC-ZWFW", TypeInput{Code: "GGCS-WS", Name: "公共场所卫生许可证", ValidityMonths: 48, ChannelsOnline: "许昌政务服务网", ChannelsOffline: "市民之家一楼综合窗口",
		Materials: "延续申请；从业人员健康合格证明；卫生检测报告", Fees: "不收费", Phone: "0374-12345", Address: "许昌市魏都区龙兴路市民之家", Remind1Days: 45, Remind2Days: 15, FollowupDays: 5, Active: true}},
	// Other deadlines than licences (kinds.go): the annual report and the
	// tax office's 许税闹钟.
	{"XC-SJJ", TypeInput{Code: "NB-QY", Name: "企业年度报告", Kind: KindAnnualReport, LegalBasis: "《企业信息公示暂行条例》第八条",
		ChannelsOnline: "国家企业信用信息公示系统（河南）", ChannelsOffline: "许昌市民之家二楼市场监管窗口", Materials: "上一年度资产、经营和社保信息",
		Fees: "不收费", Phone: "0374-2961236", Address: "许昌市魏都区龙兴路市民之家", Remind1Days: 30, Remind2Days: 10, FollowupDays: 5, Active: true}},
	{"XC-SWJ", TypeInput{Code: "SS-ZZS", Name: "增值税及附加税费申报", Kind: KindTax, LegalBasis: "《中华人民共和国税收征收管理法》第二十五条",
		ChannelsOnline: "河南省电子税务局", ChannelsOffline: "许昌市民之家一楼税务窗口", Materials: "申报表；发票汇总",
		Fees: "不收费", Phone: "12366", Address: "许昌市魏都区龙兴路市民之家", Remind1Days: 10, Remind2Days: 3, FollowupDays: 1, Active: true}},
}

// demoObligations are the dated obligations of the demo (kinds other than
// licences): type code -> days from today to the deadline.
var demoObligations = map[string][]int{"NB-QY": {8, 20, 27, 33}, "SS-ZZS": {2, 5, 9, 12}}

// LoadDemo loads the demo catalogue and licences relative to the service
// clock: licences falling in every stage over the next 60 days, the past
// 35 days of daily scans replayed (so some are already reminded and one
// has lapsed), some renewed, and three licences of the demo enterprise
// account's entity.
func (s *Service) LoadDemo(ctx context.Context) error {
	ctx = auth.WithActor(ctx, auth.System("license.demo"))
	types := map[string]*Type{}
	for _, dt := range demoTypes {
		dept, err := s.Accounts.DepartmentByCode(ctx, dt.dept)
		if err == nil && dept == 0 {
			err = errors.New("no such department")
		}
		if err != nil {
			return fmt.Errorf("license demo: department %s: %w", dt.dept, err)
		}
		in := dt.in
		in.DepartmentID = dept
		t, err := s.SaveType(ctx, 0, in)
		if err != nil {
			return fmt.Errorf("license demo: type %s: %w", in.Code, err)
		}
		types[in.Code] = t
	}
	ents, err := s.demoHolders(ctx)
	if err != nil {
		return err
	}
	today := s.today()
	r := rand.New(rand.NewPCG(2026, 5))
	codes := []string{"SP-JY", "YP-JY", "CPY-LS", "GGCS-WS"}
	offsets := []int{-2, 0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 23, 26, 29, 30, 32, 35, 40, 44, 48, 52, 56, 60}
	byType := map[string][]LicenseInput{}
	for i, off := range offsets {
		code := codes[i%len(codes)]
		in := LicenseInput{TypeCode: code, Number: fmt.Sprintf("%s-%s-%04d", code, today.String()[:4], 101+i),
			Phone: fmt.Sprintf("139%08d", r.IntN(100000000)), IssuedOn: today.AddDays(off - 5*365).String(), ExpiresOn: today.AddDays(off).String()}
		if i%5 == 3 {
			in.HolderName = []string{"王秀兰", "李建国", "张桂英", "刘德明", "陈淑珍", "杨志强"}[i%6]
			in.HolderCode = ident.GenerateIDCard(r, "411002", time.Date(1938+r.IntN(30), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC), i%2 == 0)
			in.Elderly, in.Disabled = true, i%10 == 3
		} else {
			h := ents[1+i%(len(ents)-1)]
			in.HolderName, in.HolderCode = h.name, h.uscc
		}
		byType[code] = append(byType[code], in)
	}
	// The demo enterprise: one at the 7-day stage, one at 30 days, one later.
	for i, off := range []int{6, 25, 45} {
		code := codes[i%2]
		byType[code] = append(byType[code], LicenseInput{TypeCode: code, Number: fmt.Sprintf("%s-%s-%04d", code, today.String()[:4], 901+i),
			HolderName: ents[0].name, HolderCode: ents[0].uscc, IssuedOn: today.AddDays(off - 5*365).String(), ExpiresOn: today.AddDays(off).String()})
	}
	for _, code := range []string{"NB-QY", "SS-ZZS"} { // in order: the demo is the same every time
		for i, off := range demoObligations[code] {
			// The demo enterprise first; no "-0" in the number: demoRenewals renews licences only.
			h := ents[i%len(ents)]
			byType[code] = append(byType[code], LicenseInput{TypeCode: code, Number: fmt.Sprintf("%s-%s-%d", code, today.String()[:4], 501+i),
				HolderName: h.name, HolderCode: h.uscc, IssuedOn: today.AddDays(off - 365).String(), ExpiresOn: today.AddDays(off).String()})
		}
	}
	for _, code := range append(codes, "NB-QY", "SS-ZZS") {
		t := types[code]
		rep, err := s.Add(ctx, t.DepartmentID, byType[code], ModeAllOrNothing)
		if err != nil {
			return err
		}
		if rep.Bad > 0 {
			return fmt.Errorf("license demo: bad rows %+v", rep.Rows)
		}
	}
	if err := s.replayScans(ctx, today, 35); err != nil {
		return err
	}
	return s.demoRenewals(ctx, types, today)
}

type demoHolder struct {
	id         int64
	uscc, name string
}

// demoHolders returns the demo enterprise account's entity first, then
// other registered entities.
func (s *Service) demoHolders(ctx context.Context) ([]demoHolder, error) {
	own, err := s.Accounts.UserEntity(ctx, "enterprise")
	if err != nil {
		return nil, err
	}
	ids, err := s.Entities.IDsWithStatus(ctx, 40, "active")
	if err != nil {
		return nil, err
	}
	if own != 0 {
		ids = append([]int64{own}, ids...)
	}
	refs, err := s.Entities.Refs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []demoHolder
	for _, id := range ids {
		if e, ok := refs[id]; ok {
			out = append(out, demoHolder{id: e.ID, uscc: e.USCC, name: e.Name})
		}
	}
	if len(out) < 5 {
		return nil, fmt.Errorf("license demo: too few entities (%d)", len(out))
	}
	return out, nil
}

// replayScans runs the daily scan for each of the past days (at 09:30)
// and then once as of now, as if the platform had been running.
func (s *Service) replayScans(ctx context.Context, today calendar.Date, days int) error {
	past := *s
	for d := days; d >= 1; d-- {
		y, m, dd := today.AddDays(-d).Date()
		past.Clock = clock.NewFixed(time.Date(y, m, dd, 9, 30, 0, 0, calendar.Shanghai))
		if _, err := past.Scan(ctx); err != nil {
			return err
		}
	}
	_, err := s.Scan(ctx)
	return err
}

// demoRenewals renews a few licences: by the department, by importing the
// new licence, and a holder's answer awaiting confirmation.
func (s *Service) demoRenewals(ctx context.Context, types map[string]*Type, today calendar.Date) error {
	list, err := s.queryLicenses(ctx, "SELECT "+licenseCols+licenseFrom+" WHERE l.status = 'active' AND l.number LIKE $1 ORDER BY l.expires_on, l.id", "%-0%")
	if err != nil {
		return err
	}
	renewed := 0
	for _, l := range list {
		if l.DaysLeft < 9 || l.DaysLeft > 30 || renewed >= 3 {
			continue
		}
		renewed++
		if renewed == 1 {
			in := LicenseInput{TypeCode: l.TypeCode, Number: l.Number + "-R", HolderName: l.HolderName, IssuedOn: today.String(),
				ExpiresOn: today.AddDays(5 * 365).String()}
			e, err := s.Entities.Ref(ctx, l.EntityID, "")
			if err != nil {
				continue
			}
			in.HolderCode = e.USCC
			if _, err := s.Add(ctx, l.DepartmentID, []LicenseInput{in}, ModeAllOrNothing); err != nil {
				return err
			}
			continue
		}
		if err := s.SetStatus(ctx, l.ID, StatusRenewed, "演示：已办理延续"); err != nil {
			return err
		}
	}
	return nil
}
