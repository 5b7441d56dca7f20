package bideval_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"yingshang/internal/modules"

	"yingshang/internal/account"
	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/bideval"
	"yingshang/internal/db"
	"yingshang/internal/draw"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/web"
)

var (
	usccC = ident.GenerateUSCC(rand.New(rand.NewPCG(4, 4)), "411002")
	usccD = ident.GenerateUSCC(rand.New(rand.NewPCG(4, 5)), "411002")
)

// world adds the trading centre (jyzx-staff), a tenderer entity with its
// account (tend), a second and a third bidder account (entb, entc) and
// seven pool experts with expert accounts.
func world(t *testing.T, env *sitetest.Env) {
	t.Helper()
	ctx := sitetest.System()
	d, err := env.App.Accounts.CreateDepartment(ctx, account.DepartmentInput{ParentID: env.Depts["XC"], Code: "XC-JYZX", Name: "许昌市公共资源交易中心", Kind: "bureau", RegionCode: "411000"})
	if err != nil {
		t.Fatal(err)
	}
	user := func(in account.UserInput) {
		in.Password = sitetest.Password
		u, err := env.App.Accounts.CreateUser(ctx, in)
		if err != nil {
			t.Fatalf("user %s: %v", in.Username, err)
		}
		env.Users[in.Username] = u.ID
	}
	user(account.UserInput{Username: "jyzx-staff", DisplayName: "交易中心工作人员", DepartmentID: d.ID, Roles: []auth.Role{auth.DeptStaff}})
	user(account.UserInput{Username: "entb", DisplayName: "李秀英", EntityID: env.Entities[sitetest.USCCB], Roles: []auth.Role{auth.Enterprise}})
	c, err := env.App.Entities.Create(ctx, entity.Input{USCC: usccC, Name: "许昌市城市建设投资有限公司", Type: "有限责任公司", LegalRepName: "周国庆",
		RegionCode: "411002", IndustryCode: "4813", FoundedOn: "2010-01-01", DepartmentID: env.Depts["XC-SJJ"]})
	if err != nil {
		t.Fatal(err)
	}
	env.Entities[usccC] = c.ID
	dd, err := env.App.Entities.Create(ctx, entity.Input{USCC: usccD, Name: "许昌市第三建筑工程有限公司", Type: "有限责任公司", LegalRepName: "孙海涛",
		RegionCode: "411002", IndustryCode: "4813", FoundedOn: "2012-01-01", DepartmentID: env.Depts["XC-SJJ"]})
	if err != nil {
		t.Fatal(err)
	}
	env.Entities[usccD] = dd.ID
	user(account.UserInput{Username: "tend", DisplayName: "招标人经办", EntityID: c.ID, Roles: []auth.Role{auth.Enterprise}})
	user(account.UserInput{Username: "entc", DisplayName: "孙海涛", EntityID: dd.ID, Roles: []auth.Role{auth.Enterprise}})
	for i := range 7 {
		spec := "A01"
		if i >= 5 {
			spec = "E01"
		}
		name := fmt.Sprintf("expert%d", i)
		user(account.UserInput{Username: name, DisplayName: fmt.Sprintf("评标专家%d", i), Roles: []auth.Role{auth.Expert}})
		if _, err := modules.Get[*draw.Service](env.Modules).CreateExpert(ctx, draw.ExpertInput{Name: fmt.Sprintf("评标专家%d", i), Specialties: []string{spec},
			Username: name, Phone: fmt.Sprintf("1390000000%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
}

func upload(t *testing.T, c *sitetest.Client, path, part, name, body, price string) *sitetest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("part", part)
	_ = mw.WriteField("price_yuan", price)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write([]byte(body))
	_ = mw.Close()
	return c.PostMultipart(t, path, mw.FormDataContentType(), &buf)
}

var (
	hashRe     = regexp.MustCompile(`[0-9a-f]{64}`)
	expertName = regexp.MustCompile(`评标专家[0-9]`)
)

func TestDoubleBlindEvaluationScenario(t *testing.T) {
	for _, engine := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			env := sitetest.New(t, engine)
			world(t, env)
			staff := env.Login(t, "jyzx-staff")
			staffTok := env.Token(t, "jyzx-staff")
			p, err := modules.Get[*draw.Service](env.Modules).CreateProject(sitetest.System(), draw.ProjectInput{Name: "许昌市某道路改造工程", Kind: "works", BudgetYuan: 3_000_000,
				Specialties: []string{"A01"}, TendererUSCC: usccC, Region: "411002", OpeningAt: "2026-12-14T09:00"})
			if err != nil {
				t.Fatal(err)
			}
			pid := fmt.Sprint(p.ID)
			// Settings through the page form, with an error first.
			form := url.Values{"deadline_at": {"2026-12-14T09:00"}, "price_max": {"30"}, "rule": {"trimmed_mean"},
				"key": {"plan", "plan"}, "name_zh": {"方案", "质量"}, "max": {"40", "30"}}
			if res := staff.PostForm(t, "/bideval/projects/"+pid+"/settings", form); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "代码 plan 重复") {
				t.Fatalf("duplicate key: %d", res.StatusCode)
			}
			form["key"] = []string{"plan", "quality"}
			if res := staff.PostForm(t, "/bideval/projects/"+pid+"/settings", form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("settings: %d %s", res.StatusCode, res.Body)
			}
			// Bidder A through the pages, bidder B through the API.
			ent := env.Login(t, "ent")
			if res := ent.Get(t, "/bideval/projects/"+pid); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/bideval/projects/"+pid+"/bid" {
				t.Fatalf("a bidder is not sent to the bid page: %d", res.StatusCode)
			}
			if res := ent.PostForm(t, "/bideval/projects/"+pid+"/register", url.Values{"project_manager": {"张伟"}}); res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "/bid") {
				t.Fatalf("register: %d %s", res.StatusCode, res.Body)
			}
			if res := upload(t, ent, "/bideval/projects/"+pid+"/upload", "technical", "tech.exe", "MZ", ""); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "只接受 PDF、DOCX 或 TXT") {
				t.Fatalf("exe upload: %d", res.StatusCode)
			}
			if res := upload(t, ent, "/bideval/projects/"+pid+"/upload", "technical", "技术标.txt", "本方案由许昌瑞丰商贸编制。", ""); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("technical upload: %d %s", res.StatusCode, res.Body)
			}
			if warn := ent.Get(t, "/bideval/projects/"+pid+"/bid"); !strings.Contains(warn.Body, "技术标中出现了本单位的身份信息（许昌瑞丰商贸") {
				t.Fatal("the bidder is not warned at upload that its technical part names it")
			}
			if res := upload(t, ent, "/bideval/projects/"+pid+"/upload", "commercial", "商务标.txt", "报价", "2980000"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("commercial upload: %d %s", res.StatusCode, res.Body)
			}
			page := ent.Get(t, "/bideval/projects/"+pid+"/bid")
			if page.StatusCode != 200 || len(hashRe.FindAllString(page.Body, -1)) < 2 || !strings.Contains(page.Body, "2026-12-14 09:00") {
				t.Fatalf("bid page: %d", page.StatusCode)
			}
			// The receipt shows the price with separators, never bare digits (issue 13).
			if !strings.Contains(page.Body, "2,980,000.00") || strings.Contains(page.Body, "2980000.00") {
				t.Fatalf("bid page price not formatted:\n%s", page.Body)
			}
			entbTok := env.Token(t, "entb")
			if res := env.API(t, entbTok, "POST", "/api/v1/bideval/projects/"+pid+"/bids", bideval.RegisterInput{}); res.StatusCode != http.StatusCreated {
				t.Fatalf("API register: %d %s", res.StatusCode, res.Body)
			}
			apiUploadAs := func(tok, part, name, body, price string) *sitetest.Response {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				_ = mw.WriteField("part", part)
				_ = mw.WriteField("price_yuan", price)
				fw, _ := mw.CreateFormFile("file", name)
				_, _ = fw.Write([]byte(body))
				_ = mw.Close()
				req, _ := http.NewRequest("POST", env.HTTP.URL+"/api/v1/bideval/projects/"+pid+"/bids/mine/files", &buf)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var b bytes.Buffer
				_, _ = b.ReadFrom(resp.Body)
				return &sitetest.Response{StatusCode: resp.StatusCode, Body: b.String()}
			}
			apiUpload := func(part, name, body, price string) *sitetest.Response {
				return apiUploadAs(entbTok, part, name, body, price)
			}
			var receipt bideval.File
			res := apiUpload("technical", "tech.txt", "施工组织设计：分段施工。", "")
			res.JSON(t, &receipt)
			if res.StatusCode != http.StatusCreated || len(receipt.SHA256) != 64 {
				t.Fatalf("API upload: %d %s", res.StatusCode, res.Body)
			}
			if res := apiUpload("commercial", "c.txt", "报价", "3100000"); res.StatusCode != http.StatusCreated {
				t.Fatalf("API commercial: %d %s", res.StatusCode, res.Body)
			}
			entcTok := env.Token(t, "entc")
			if res := env.API(t, entcTok, "POST", "/api/v1/bideval/projects/"+pid+"/bids", bideval.RegisterInput{}); res.StatusCode != http.StatusCreated {
				t.Fatalf("API register C: %d %s", res.StatusCode, res.Body)
			}
			if res := apiUploadAs(entcTok, "technical", "t.txt", "施工组织设计：流水施工。", ""); res.StatusCode != http.StatusCreated {
				t.Fatalf("C technical: %d %s", res.StatusCode, res.Body)
			}
			if res := apiUploadAs(entcTok, "commercial", "c.txt", "报价", "3300000"); res.StatusCode != http.StatusCreated {
				t.Fatalf("C commercial: %d %s", res.StatusCode, res.Body)
			}
			// Who registered stays secret to the tenderer and the other bidders
			// until the opening (Art.22).
			tendTok := env.Token(t, "tend")
			for who, tok := range map[string]string{"tenderer": tendTok, "bidder": entbTok} {
				var pr draw.Project
				res := env.API(t, tok, "GET", "/api/v1/draw-projects/"+pid, nil)
				res.JSON(t, &pr)
				if res.StatusCode != 200 || len(pr.BidderUSCCs) != 0 || strings.Contains(res.Body, sitetest.USCCA) {
					t.Fatalf("the %s learns the bidders before the opening: %d %s", who, res.StatusCode, res.Body)
				}
			}
			var full draw.Project
			env.API(t, staffTok, "GET", "/api/v1/draw-projects/"+pid, nil).JSON(t, &full)
			if len(full.BidderUSCCs) != 3 {
				t.Fatalf("the centre sees %v", full.BidderUSCCs)
			}
			// The centre sees both bids with hashes and A's leak flag.
			var o bideval.Overview
			env.API(t, staffTok, "GET", "/api/v1/bideval/projects/"+pid, nil).JSON(t, &o)
			if len(o.Bids) != 3 || len(o.Bids[0].Flags) != 1 || o.Bids[0].Flags[0].Term != "许昌瑞丰商贸" {
				t.Fatalf("overview: %+v", o.Bids)
			}
			if res := env.API(t, entbTok, "GET", "/api/v1/bideval/projects/"+pid, nil); res.StatusCode != http.StatusForbidden {
				t.Fatalf("a bidder read the overview: %d", res.StatusCode)
			}
			if sp := staff.Get(t, "/bideval/projects/"+pid); sp.StatusCode != 200 || !strings.Contains(sp.Body, "许昌瑞丰商贸") || !strings.Contains(sp.Body, receipt.SHA256) {
				t.Fatalf("staff page: %d", sp.StatusCode)
			}
			// Experts: drawn (A's and B's credit codes are avoided), first declines, reserve confirms.
			var dr draw.Draw
			env.API(t, staffTok, "POST", "/api/v1/draw-projects/"+pid+"/draws", map[string]any{"purpose": "experts", "reserves": 1}).JSON(t, &dr)
			if res := env.API(t, staffTok, "POST", fmt.Sprintf("/api/v1/draws/run/%d", dr.ID), draw.DrawInput{WitnessName: "王见证", WitnessValue: "11"}); res.StatusCode != 200 {
				t.Fatalf("expert draw: %d %s", res.StatusCode, res.Body)
			}
			if err := modules.Get[*draw.Service](env.Modules).DemoAnswers(sitetest.System(), p.ID); err != nil {
				t.Fatal(err)
			}
			// The public record of the expert draw commits to the bidders
			// without naming them before the opening.
			recBefore := env.API(t, "", "GET", fmt.Sprintf("/api/v1/draws/%d/record", dr.ID), nil)
			verifyBefore := env.Anonymous().Get(t, fmt.Sprintf("/public/draws/%d/verify", dr.ID))
			for _, body := range []string{recBefore.Body, verifyBefore.Body} {
				if strings.Contains(body, sitetest.USCCA) || strings.Contains(body, sitetest.USCCB) || !strings.Contains(body, "bidders_sha256") {
					t.Fatalf("the public record names the bidders before the opening: %s", body)
				}
			}
			// After the deadline.
			env.Clock.Set(time.Date(2026, 12, 14, 1, 0, 0, 0, time.UTC))
			if res := apiUpload("technical", "late.txt", "迟到", ""); res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "2026-12-14 09:00") {
				t.Fatalf("late upload: %d %s", res.StatusCode, res.Body)
			}
			staff = env.Login(t, "jyzx-staff") // the session lapsed in the week that passed
			if res := staff.PostForm(t, "/bideval/projects/"+pid+"/codes", url.Values{}); res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "#codes") {
				t.Fatalf("commit codes: %d %s", res.StatusCode, res.Body)
			}
			ov := env.API(t, staffTok, "GET", "/api/v1/bideval/projects/"+pid, nil)
			ov.JSON(t, &o)
			if o.CodesDraw == nil {
				t.Fatalf("no codes draw: %s", ov.Body)
			}
			codesID := fmt.Sprint(o.CodesDraw.ID)
			if res := staff.PostForm(t, "/bideval/projects/"+pid+"/codes/run", url.Values{"witness_name": {"王见证"}, "witness_value": {"2718"}}); res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "#codes") {
				t.Fatalf("run codes: %d %s", res.StatusCode, res.Body)
			}
			var rec draw.Record
			env.API(t, "", "GET", "/api/v1/draws/"+codesID+"/record", nil).JSON(t, &rec)
			if rec.Seed != "" || len(rec.Picks) != 0 {
				t.Fatalf("the public sees the sealed codes record: %+v", rec)
			}
			if vp := env.Anonymous().Get(t, "/public/draws/"+codesID+"/verify"); !strings.Contains(vp.Body, `data-testid="sealed-record"`) {
				t.Fatal("the verify page does not say the record is sealed")
			}
			// After the opening the expert draw's record discloses the bidder
			// list it committed to, and still verifies.
			var recAfter draw.Record
			env.API(t, "", "GET", fmt.Sprintf("/api/v1/draws/%d/record", dr.ID), nil).JSON(t, &recAfter)
			if recAfter.Disclosure == nil || len(recAfter.Disclosure.Bidders) != 3 || len(draw.Verify(&recAfter)) != 0 {
				t.Fatalf("disclosure after the opening: %+v %v", recAfter.Disclosure, draw.Verify(&recAfter))
			}
			if vp := env.Anonymous().Get(t, fmt.Sprintf("/public/draws/%d/verify", dr.ID)); !strings.Contains(vp.Body, sitetest.USCCA) {
				t.Fatal("the verify page does not show the disclosed bidders after the opening")
			}
			// During the scoring: no bidder learns its code; the tenderer and
			// the bidders see the committee under per-project pseudonyms only.
			for _, tok := range []string{entbTok, entcTok} {
				var mine bideval.Bid
				res := env.API(t, tok, "GET", "/api/v1/bideval/projects/"+pid+"/bids/mine", nil)
				res.JSON(t, &mine)
				if res.StatusCode != 200 || mine.Code != "" || strings.Contains(res.Body, `"code"`) {
					t.Fatalf("a bidder's API tells its code during the scoring: %s", res.Body)
				}
			}
			for who, tok := range map[string]string{"tenderer": tendTok, "bidder": entbTok} {
				var asg []draw.Assignment
				res := env.API(t, tok, "GET", "/api/v1/draw-projects/"+pid+"/experts", nil)
				res.JSON(t, &asg)
				if res.StatusCode != 200 || len(asg) == 0 || expertName.MatchString(res.Body) {
					t.Fatalf("the %s sees the committee during the scoring: %d %s", who, res.StatusCode, res.Body)
				}
				if pg := env.Login(t, map[string]string{"tenderer": "tend", "bidder": "entb"}[who]).Get(t, "/draws/projects/"+pid); pg.StatusCode != 200 || expertName.MatchString(pg.Body) || !strings.Contains(pg.Body, asg[0].Pseudonym) {
					t.Fatalf("the %s's project page shows the committee: %d", who, pg.StatusCode)
				}
			}
			// The committee scores by code.
			members := o.Committee
			if len(members) != 5 {
				t.Fatalf("committee %d", len(members))
			}
			var expertNames []string
			for i := range 7 {
				expertNames = append(expertNames, fmt.Sprintf("expert%d", i))
			}
			usernameOf := map[string]string{}
			for _, n := range expertNames {
				usernameOf[strings.Replace(n, "expert", "评标专家", 1)] = n
			}
			first := env.Login(t, usernameOf[members[0].Name])
			if ip := first.Get(t, "/bideval"); !strings.Contains(ip.Body, "许昌市某道路改造工程") {
				t.Fatal("the expert's list does not show the project")
			}
			sp := first.Get(t, "/bideval/projects/"+pid+"/score")
			if sp.StatusCode != 200 || !strings.Contains(sp.Body, "A01") || strings.Contains(sp.Body, "瑞丰") || strings.Contains(sp.Body, "2980000") || strings.Contains(sp.Body, "2,980,000") {
				t.Fatalf("score page: %d (names or prices leak?)", sp.StatusCode)
			}
			dl := first.Get(t, "/bideval/projects/"+pid+"/codes/A01")
			if dl.StatusCode != 200 || !strings.Contains(dl.Header.Get("Content-Disposition"), "A01.txt") {
				t.Fatalf("download: %d %s", dl.StatusCode, dl.Header.Get("Content-Disposition"))
			}
			fields := url.Values{"action": {"lock"}}
			for _, c := range []string{"A01", "A02", "A03"} {
				for _, k := range []string{"plan", "quality"} {
					fields.Set("pts."+c+"."+k, "25")
					fields.Set("cmt."+c+"."+k, "合理")
				}
			}
			fields.Set("pts.A01.plan", "41")
			if res := first.PostForm(t, "/bideval/projects/"+pid+"/score", fields); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "0 到 40") {
				t.Fatalf("41 of 40: %d", res.StatusCode)
			}
			fields.Set("pts.A01.plan", "35")
			if res := first.PostForm(t, "/bideval/projects/"+pid+"/score", fields); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("lock: %d %s", res.StatusCode, res.Body)
			}
			if res := env.API(t, staffTok, "POST", "/api/v1/bideval/projects/"+pid+"/unmask", nil); res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "尚有 4 位专家（共 5 位）") {
				t.Fatalf("unmask early: %d %s", res.StatusCode, res.Body)
			}
			for _, m := range members[1:] {
				tok := env.Token(t, usernameOf[m.Name])
				in := bideval.SheetInput{Lock: true}
				for _, c := range []string{"A01", "A02", "A03"} {
					for _, k := range []string{"plan", "quality"} {
						in.Scores = append(in.Scores, bideval.Score{Code: c, Criterion: k, Points: 20, Comment: "一般"})
					}
				}
				if res := env.API(t, tok, "PUT", "/api/v1/bideval/projects/"+pid+"/sheet", in); res.StatusCode != 200 {
					t.Fatalf("API lock: %d %s", res.StatusCode, res.Body)
				}
			}
			// A's open leak finding blocks the unmasking until the centre decides it.
			if res := env.API(t, staffTok, "POST", "/api/v1/bideval/projects/"+pid+"/unmask", nil); res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "身份泄露") {
				t.Fatalf("unmasked with an open leak finding: %d %s", res.StatusCode, res.Body)
			}
			if res := env.API(t, staffTok, "POST", fmt.Sprintf("/api/v1/bideval/flags/%d", o.Bids[0].Flags[0].ID),
				bideval.DisposeInput{Disposition: bideval.FlagConfirmed, Note: "技术标出现投标人简称，已遮盖后提交评标委员会"}); res.StatusCode != 200 {
				t.Fatalf("dispose: %d %s", res.StatusCode, res.Body)
			}
			var results bideval.Results
			res = env.API(t, staffTok, "POST", "/api/v1/bideval/projects/"+pid+"/unmask", nil)
			res.JSON(t, &results)
			if res.StatusCode != 200 || len(results.Rows) != 3 || results.Rows[0].Rank != 1 {
				t.Fatalf("unmask: %d %s", res.StatusCode, res.Body)
			}
			var vr struct {
				OK bool `json:"ok"`
			}
			env.API(t, "", "GET", "/api/v1/draws/"+codesID+"/verify", nil).JSON(t, &vr)
			if !vr.OK {
				t.Fatal("the codes draw does not verify publicly after the unmasking")
			}
			// Candidate publicity with an objection before the award.
			award := func() url.Values { return url.Values{"bid_id": {fmt.Sprint(results.Rows[0].BidID)}} } // PostForm adds the client's token
			if res := staff.PostForm(t, "/bideval/projects/"+pid+"/award", award()); res.StatusCode != http.StatusConflict {
				t.Fatalf("awarded without the candidates' publicity: %d", res.StatusCode)
			}
			if res := staff.PostForm(t, "/bideval/projects/"+pid+"/candidates", url.Values{}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("publish candidates: %d %s", res.StatusCode, res.Body)
			}
			cand := env.Anonymous().Get(t, "/public/bideval/"+pid)
			if cand.StatusCode != 200 || !strings.Contains(cand.Body, "中标候选人公示") || strings.Contains(cand.Body, members[0].Name) {
				t.Fatalf("candidates' publicity page: %d (committee named?)", cand.StatusCode)
			}
			entb := env.Login(t, "entb")
			if res := entb.PostForm(t, "/bideval/projects/"+pid+"/objections", url.Values{"body": {"第一名报价明显低于成本"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("objection: %d %s", res.StatusCode, res.Body)
			}
			var objections []bideval.Objection
			env.API(t, staffTok, "GET", "/api/v1/bideval/projects/"+pid+"/objections", nil).JSON(t, &objections)
			if len(objections) != 1 {
				t.Fatalf("objections %+v", objections)
			}
			env.Clock.Advance(3*24*time.Hour + time.Hour)
			staff = env.Login(t, "jyzx-staff")
			if res := staff.PostForm(t, "/bideval/projects/"+pid+"/award", award()); res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "异议未答复") {
				t.Fatalf("awarded with an unanswered objection: %d %s", res.StatusCode, res.Body)
			}
			if res := staff.PostForm(t, fmt.Sprintf("/bideval/projects/%s/objections/%d/answer", pid, objections[0].ID), url.Values{"answer": {"经评标委员会复核，报价未低于成本。"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("answer: %d %s", res.StatusCode, res.Body)
			}
			if res := staff.PostForm(t, "/bideval/projects/"+pid+"/award", award()); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/public/bideval/") {
				t.Fatalf("award: %d %s", res.StatusCode, res.Body)
			}
			pub := env.Anonymous().Get(t, "/public/bideval/"+pid)
			winnerPrice, err := web.Yuan(results.Rows[0].PriceYuan)
			if err != nil || !strings.Contains(winnerPrice, ",") {
				t.Fatalf("winner price %q: %v", winnerPrice, err)
			}
			if pub.StatusCode != 200 || !strings.Contains(pub.Body, members[0].Name) || !strings.Contains(pub.Body, results.Rows[0].Bidder) ||
				!strings.Contains(pub.Body, "/public/draws/"+codesID+"/verify") || strings.Contains(pub.Body, results.Rows[0].PriceYuan+"<") ||
				!strings.Contains(pub.Body, winnerPrice) {
				t.Fatalf("publicity page: %d", pub.StatusCode)
			}
			var notice bideval.Publicity
			env.API(t, "", "GET", "/api/v1/bideval/notices/"+pid, nil).JSON(t, &notice)
			if len(notice.Members) != 5 || notice.Winner != results.Rows[0].Bidder {
				t.Fatalf("notice API %+v", notice)
			}
			doc := env.API(t, "", "GET", "/api/openapi.json", nil)
			if err := api.ValidateDocument([]byte(doc.Body)); err != nil {
				t.Fatalf("OpenAPI document: %v", err)
			}
			for _, op := range []string{"registerBid", "uploadBidPart", "commitCodesDraw", "saveMySheet", "unmaskCodes", "publishCandidates", "fileObjection",
				"answerObjection", "confirmAward", "getAwardNotice"} {
				if !strings.Contains(doc.Body, `"`+op+`"`) {
					t.Fatalf("OpenAPI lacks %s", op)
				}
			}
		})
	}
}
