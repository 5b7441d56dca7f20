package site_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"yingshang/internal/modules"

	"yingshang/internal/account"
	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/draw"
	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
)

// callers of the write matrix: anonymous, one user per role, and staff of
// several departments (the trading centre's jyzx-staff is added below).
var callers = []string{"", "admin", "supervisor", "sjj-admin", "sjj-staff", "swj-staff", "wd-staff", "ent", "jyzx-staff"}

// callerRoles are the roles of each caller.
var callerRoles = map[string][]auth.Role{
	"admin": {auth.PlatformAdmin}, "supervisor": {auth.Supervisor}, "sjj-admin": {auth.DeptAdmin},
	"sjj-staff": {auth.DeptStaff}, "swj-staff": {auth.DeptStaff}, "wd-staff": {auth.DeptStaff},
	"ent": {auth.Enterprise}, "jyzx-staff": {auth.DeptStaff},
}

// scopedElsewhere names, for each write operation that department staff
// or admins may call, where its department check is tested, when it is not
// in the department table of TestWriteMatrix. A new department-scoped
// write operation fails the test until it is added to one or the other.
var scopedElsewhere = map[string]string{
	"importPolicyFacts":           "not department-scoped: yearly facts belong to entities, and every department may report them (the source records the department); policy TestImportFacts refuses enterprises",
	"createDepartment":            "handlers/accounts TestDepartmentPages (a dept admin creates below its own department only)",
	"updateUser":                  "handlers/accounts TestAuthorisationMatrix (mayManage on the old and new department)",
	"setUserStatus":               "handlers/accounts TestAuthorisationMatrix",
	"approveBinding":              "handlers/accounts TestAuthorisationMatrix (bindings of entities in scope)",
	"rejectBinding":               "handlers/accounts TestAuthorisationMatrix",
	"createEntity":                "handlers/entities TestAuthorisationMatrix (new entities land in the actor's scope)",
	"updateEntity":                "handlers/entities TestAuthorisationMatrix (wd-staff vs sjj-staff on a WD-SJJ entity)",
	"importEntities":              "entity import tests (rows land in the actor's department)",
	"executeDraw":                 "draw staff(): the draw's project department; seat draws the centre (TestPoolsBelongToTheCentre)",
	"setEvaluationSettings":       "bideval: centre staff in scope of the project (bideval.go centre())",
	"disposeLeakFlag":             "bideval: centre staff in scope of the project",
	"commitCodesDraw":             "bideval: centre staff in scope of the project",
	"linkCommitteeMember":         "bideval: centre staff in scope of the project",
	"unmaskCodes":                 "bideval: centre staff in scope of the project",
	"confirmAward":                "bideval: centre staff in scope of the project",
	"publishCandidates":           "bideval: centre staff in scope of the project (TestCandidatePublicityAndObjections)",
	"answerObjection":             "bideval: centre staff in scope of the project (TestCandidatePublicityAndObjections)",
	"importLicenses":              "license import tests (importActor: department in scope)",
	"setLicenseStatus":            "handlers/licenses TestAuthorisationMatrix (writable(): not found out of scope)",
	"confirmLicenseRenewal":       "handlers/licenses TestAuthorisationMatrix",
	"recordLicenseContact":        "handlers/licenses TestAuthorisationMatrix",
	"assignLicenseFollowup":       "handlers/licenses TestFollowupAssignment (AssignFollowup: the entry's department in scope; staff of that department only)",
	"updateLicenseType":           "license import tests (SaveType: both departments in scope)",
	"importCreditRecords":         "credit import tests (staff(): the deciding department in scope)",
	"correctCreditRecord":         "handlers/credits TestAuthorisationMatrix (wd-staff 403 on an XC-SJJ record)",
	"setCreditObligations":        "handlers/credits TestAuthorisationMatrix",
	"reviewCreditRepair":          "credit repair tests (staffOnly: the record's department in scope)",
	"createCreditReport":          "credit report tests (readers; enterprise limited to its own entity)",
	"creditCheck":                 "not department data: a check reads public credit",
	"resolveCreditCommitment":     "credit commitment tests (the commitment's department in scope)",
	"answerCreditAssisted":        "enterprise only (credit TestAssistedRepair: another enterprise gets 404)",
	"recordCreditExternalOutcome": "credit TestStagedReview (credit office only: other departments' staff 403)",
	"setCreditListEntry":          "credit TestCommitmentsListsPublicity (credit office only)",
	"createAppealRoute":           "appeals: dispatchers of the business-environment office only (roleSet)",
	"deleteAppealRoute":           "appeals: dispatchers only",
	"publishAppealCase":           "appeals: dispatchers only",
	"createAppealCommonIssue":     "appeal TestCommonIssue (dispatchers only: sjj-staff 403)",
	"stepAppealCommonIssue":       "appeal TestCommonIssue, handlers/appeals TestSeedSteps (the responsible department: swj-staff 403)",
	"publishProcureIntention":     "procure TestPlansToPooledContracts: the intention belongs to the caller's own department",
	"submitProcurePlan":           "procure TestPlansToPooledContracts: the plan belongs to the caller's own department; a unit lists only its own",
	"confirmProcurePool":          "procure TestPlansToPooledContracts: only the plan's department answers (wd-staff 404 on an XC-SJJ line)",
	"setProcurePoolLead":          "procure: finance bureau only (financeActor), as createProcurePool in the table",
	"createProcureProject":        "procure TestPlansToPooledContracts: a pooled project only by the lead unit (swj-staff 403)",
	"evaluateProcureBids":         "procure TestPlansToPooledContracts: the project's department scope (swj-staff 404)",
	"awardProcureProject":         "procure: the project's department scope (projectForStaff, as evaluateProcureBids)",
	"advanceProcureContract":      "procure TestPlansToPooledContracts: the contract's department (wd-staff 404 on an XC-SJJ contract)",
	"answerProcureChallenge":      "procure TestTenderDeductionAndChallenges: the project's department (sjj-staff 404 on an XC-SWJ project)",
	"decideProcureComplaint":      "procure TestTenderDeductionAndChallenges: finance bureau only (swj-staff 403)",
	"setProcureAgency":            "procure TestMutualRating: the project's department scope (sjj-staff 404 on an XC-SWJ project)",
	"rateProcureParty":            "procure TestMutualRating: only the project's purchaser unit, agency and winning supplier (another unit, a losing bidder, a supervisor 403)",
	"importProcureRatingTemplate": "procure TestRatingTemplateImport: finance bureau only (swj-staff 403)",
	"commitProcureCommittee":      "procure TestCommitteeAvoidance, handlers/procure TestCommitteePagesAndAPI: the project's department scope (another unit 404)",
	"runProcureCommittee":         "handlers/procure TestCommitteePagesAndAPI: the project's department scope (swj-staff 404 on an XC-SJJ project)",
	"evaluateProcureLot":          "procure TestLotsAwardedPerLot: the project's department scope (sjj-staff 404 on an XC-SWJ project)",
	"awardProcureLot":             "procure: the project's department scope (projectForStaff, as evaluateProcureLot)",
	"setProcureScoringIndicators": "procure TestExpertsScoreOnline, handlers/procure TestExpertSheetsOverHTTP: the project's department scope (sjj-staff 404 on an XC-SWJ project)",
	"setProcureLots":              "handlers/procure TestLotPagesAndAPI: the project's department scope (swj-staff 404 on an XC-SJJ project, page and API)",
	"publishProcureBlindNotice":   "procure TestBlindOpenTender, handlers/procure TestBlindOverHTTP: the project's department scope (sjj-staff 404 on an XC-SWJ project, page and API)",
	"createInspectItem":           "inspect: a department admin adds to its own department's list only (SaveItem ignores department_id; handlers/inspect setup)",
	"saveInspector":               "inspect: own department only; a certificate of another department is refused (SaveInspector)",
	"importInspectors":            "inspect: rows go through SaveInspector (own department)",
	"createInspectPlan":           "inspect: the plan's lead is the caller's department (handlers/inspect TestInspectionPlanSamplingAndPhoneFlow)",
	"submitInspectPlan":           "handlers/inspect TestInspectionPlanSamplingAndPhoneFlow (a participant 403, another department 404)",
	"commitInspectPlan":           "handlers/inspect TestInspectionPlanSamplingAndPhoneFlow (lead department only)",
	"sampleInspectPlan":           "inspect: the draw's runner is the plan's lead department (Service.Register)",
	"scanInspectEntry":            "handlers/inspect TestInspectionPlanSamplingAndPhoneFlow (only the task's inspectors; others 404)",
	"recordInspectResult":         "inspect: only the task's inspectors (onTeam)",
	"closeInspectTask":            "inspect: only the task's inspectors (onTeam)",
	"confirmInspectTask":          "inspect: the task's inspectors or its enterprise",
	"publishInspectTask":          "inspect: staff of a participating department (sees)",
	"uploadInspectFile":           "inspect: the task's inspectors, or its enterprise for a proof",
	"reviewInspectProof":          "handlers/inspect TestEnterpriseRatingComplaintRectificationAndJobs (the item's department only: wd-staff 404)",
	"penalizeOverdueInspect":      "handlers/inspect TestEnterpriseRatingComplaintRectificationAndJobs (the item's department only: swj-staff 404)",
	"importInspectItems":          "inspect: rows go through SaveItem (own department; handlers/inspect TestQuietExceptionsMonthlyAndExports)",
	"importPolicyBankResult":      "policy TestPaymentBatchAndStatementPDF (swj-staff importing into an XC-SJJ batch: Forbidden; the multipart body is not what this table sends)",
	"handOverAppealClue":          "appeal TestClueHandover (staff who see the appeal: wd-staff 404, enterprise 403)",
	"discloseAppealClue":          "appeal TestClueHandover (supervisors or the receiving department: the sender sjj-staff 403)",
	"createAppealMeeting":         "appeal TestJointMeeting, handlers/appeals TestHandoverSteps (dispatchers only: sjj-staff 403)",
	"closeAppealMeetingTask":      "appeal TestJointMeeting, handlers/appeals TestHandoverSteps (the owner department: swj-staff 403)",
	"recordCreditGradeInput":      "not department data: an indicator value about an entity from any department or module; the sending department is recorded (credit TestGradeModels)",
	"updateCreditLedgerEntry":     "credit TestGovernanceDashboard (the entry's responsible department in scope: wd-staff gets not found) and handlers/credits TestIssue18AuthorisationMatrix",
}

// TestWriteMatrix is the authorisation matrix of every module's write
// operations (issue 11): by role for all of them (read from the registry,
// so a new operation is covered), and by department for those that
// department staff or admins may call.
func TestWriteMatrix(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	ctx := sitetest.System()
	centre, err := env.App.Accounts.CreateDepartment(ctx, account.DepartmentInput{ParentID: env.Depts["XC"], Code: "XC-JYZX", Name: "许昌市公共资源交易中心", Kind: "bureau", RegionCode: "411000"})
	if err != nil {
		t.Fatal(err)
	}
	env.Depts["XC-JYZX"] = centre.ID
	u, err := env.App.Accounts.CreateUser(ctx, account.UserInput{Username: "jyzx-staff", DisplayName: "交易中心工作人员", Password: sitetest.Password,
		DepartmentID: centre.ID, Roles: []auth.Role{auth.DeptStaff}})
	if err != nil {
		t.Fatal(err)
	}
	env.Users["jyzx-staff"] = u.ID
	tokens := map[string]string{"": ""}
	for _, c := range callers[1:] {
		tokens[c] = env.Token(t, c)
	}

	// By role: a caller without one of the operation's roles is refused
	// before anything else (401 anonymous, 403 signed in).
	param := regexp.MustCompile(`\{[^}]*\}`)
	ops := env.Server.API.Ops()
	for _, op := range ops {
		if op.Method == "GET" || op.Auth == api.AuthPublic {
			continue
		}
		path := param.ReplaceAllString(op.Path, "999999")
		for _, c := range callers {
			allowed := c != "" && (op.Auth == api.AuthUser || slices.ContainsFunc(callerRoles[c], func(r auth.Role) bool {
				return slices.Contains(strings.Split(op.Auth, ","), string(r))
			}))
			if allowed {
				continue
			}
			want := http.StatusForbidden
			if c == "" {
				want = http.StatusUnauthorized
			}
			if res := env.API(t, tokens[c], op.Method, path, map[string]any{}); res.StatusCode != want {
				t.Errorf("%s (%s %s) as %q: %d, want %d", op.ID, op.Method, op.Path, c, res.StatusCode, want)
			}
		}
	}

	// By department: the role is right, the department decides.
	p, err := modules.Get[*draw.Service](env.Modules).CreateProject(ctx, draw.ProjectInput{Name: "矩阵项目", Kind: "goods", BudgetYuan: 100000,
		Specialties: []string{"A01"}, TendererUSCC: sitetest.USCCA, OpeningAt: "2099-01-01T09:00"})
	if err != nil {
		t.Fatal(err)
	}
	expert := func(name string) draw.ExpertInput { return draw.ExpertInput{Name: name, Specialties: []string{"A01"}} }
	project := draw.ProjectInput{Name: "矩阵项目二", Kind: "goods", BudgetYuan: 100000, Specialties: []string{"A01"}, TendererUSCC: sitetest.USCCB, OpeningAt: "2099-01-01T09:00"}
	user := func(name, dept string) account.UserInput {
		return account.UserInput{Username: name, DisplayName: name, Password: "Matrix-pass-2026", DepartmentID: env.Depts[dept], Roles: []auth.Role{auth.DeptStaff}}
	}
	licType := func(code, dept string) map[string]any {
		return map[string]any{"code": code, "name": "矩阵证照", "department_id": env.Depts[dept], "validity_months": 12,
			"remind1_days": 60, "remind2_days": 30, "followup_days": 7, "send_time": "09:00", "active": true}
	}
	dept := func(code string) string { return fmt.Sprint(env.Depts[code]) }
	// A published policy of XC-SJJ with one accepted grant.
	psvc := modules.Get[*policy.Service](env.Modules)
	pin := func(d string) policy.Input {
		return policy.Input{DepartmentID: env.Depts[d], Title: "矩阵政策", Category: "innovation", Mode: policy.ModeAuto, ValidFrom: "2026-01-01",
			ValidTo: "2027-12-31", FactYear: 2025, Condition: json.RawMessage(`{"fact":"rd_spending_wan","op":">=","value":1}`),
			Amount: json.RawMessage(`{"kind":"fixed","amount":1000}`)}
	}
	pol, err := psvc.Create(ctx, pin("XC-SJJ"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := psvc.Publish(ctx, pol.ID); err != nil {
		t.Fatal(err)
	}
	rd := 5.0
	if err := psvc.SetFact(ctx, env.Entities[sitetest.USCCA], 2025, "rd_spending_wan", &rd, "", "matrix"); err != nil {
		t.Fatal(err)
	}
	if _, err := psvc.GrantRun(ctx, pol.ID, "2025", false); err != nil {
		t.Fatal(err)
	}
	grants, err := psvc.Grants(ctx, pol.ID, "2025")
	if err != nil || len(grants) != 1 {
		t.Fatalf("matrix grant: %v %d", err, len(grants))
	}
	polPath := fmt.Sprintf("/api/v1/policies/%d", pol.ID)
	// A review-mode policy of XC-SJJ with one step (XC-SJJ) and an application of USCCA under it.
	rin := pin("XC-SJJ")
	rin.Mode = policy.ModeReview
	rpol, err := psvc.Create(ctx, rin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := psvc.Publish(ctx, rpol.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := psvc.SetReview(ctx, rpol.ID, policy.ReviewDef{Steps: []policy.ReviewStep{{Name: "审核", Departments: []int64{env.Depts["XC-SJJ"]}, Days: 3}}}); err != nil {
		t.Fatal(err)
	}
	app, err := psvc.Apply(auth.WithActor(ctx, &auth.Actor{UserID: env.Users["ent"], Username: "ent", Roles: []auth.Role{auth.Enterprise},
		EntityID: env.Entities[sitetest.USCCA], Via: "session"}), rpol.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	type cell struct {
		caller string
		want   int
	}
	table := []struct {
		id, method, path string
		body             func(caller string) any
		cells            []cell
	}{
		{"createDrawExpert", "POST", "/api/v1/draw-experts", func(c string) any { return expert("专家-" + c) },
			[]cell{{"sjj-admin", 403}, {"sjj-staff", 403}, {"swj-staff", 403}, {"wd-staff", 403}, {"jyzx-staff", 201}, {"admin", 201}}},
		{"createProcurePool", "POST", "/api/v1/procure/pools", func(string) any { return map[string]any{"plan_ids": []int64{999998, 999999}} },
			[]cell{{"sjj-admin", 403}, {"sjj-staff", 403}, {"swj-staff", 403}, {"wd-staff", 403}, {"jyzx-staff", 403}, {"admin", 400}}},
		{"createDrawProject", "POST", "/api/v1/draw-projects", func(string) any { return project },
			[]cell{{"swj-staff", 403}, {"sjj-admin", 403}, {"jyzx-staff", 201}, {"admin", 201}}},
		{"commitDraw", "POST", fmt.Sprintf("/api/v1/draw-projects/%d/draws", p.ID), func(string) any { return map[string]any{"purpose": "experts"} },
			[]cell{{"swj-staff", 404}, {"wd-staff", 404}, {"sjj-admin", 404}}},
		{"createUser", "POST", "/api/v1/users", func(c string) any {
			if c == "admin" {
				return user("m-admin-made", "XC-SWJ")
			}
			return user("m-"+c, "XC-SWJ")
		}, []cell{{"sjj-admin", 403}, {"admin", 201}}},
		{"createUser", "POST", "/api/v1/users", func(string) any { return user("m-sjj-own", "XC-SJJ") }, []cell{{"sjj-admin", 201}}},
		{"updateDepartment", "PUT", "/api/v1/departments/" + dept("XC-SWJ"), func(string) any {
			return account.DepartmentInput{ParentID: env.Depts["XC"], Code: "XC-SWJ", Name: "国家税务总局许昌市税务局", Kind: "bureau", RegionCode: "411000"}
		}, []cell{{"sjj-admin", 403}, {"admin", 200}}},
		{"createCreditRecord", "POST", "/api/v1/credit/records", func(string) any { return map[string]any{"department_id": env.Depts["WD-SJJ"]} },
			[]cell{{"sjj-staff", 403}, {"swj-staff", 403}, {"sjj-admin", 403}, {"wd-staff", 400}, {"admin", 400}}},
		{"createLicenseType", "POST", "/api/v1/license-types", func(c string) any { return licType("M-"+strings.ToUpper(c), "XC-SWJ") },
			[]cell{{"sjj-admin", 403}, {"admin", 201}}},
		{"createPolicy", "POST", "/api/v1/policies", func(string) any { return pin("XC-SWJ") },
			[]cell{{"sjj-staff", 403}, {"sjj-admin", 403}, {"wd-staff", 403}, {"swj-staff", 201}, {"admin", 201}}},
		{"updatePolicy", "PUT", polPath, func(string) any { return pin("XC-SJJ") }, []cell{{"swj-staff", 403}, {"wd-staff", 403}}},
		{"publishPolicy", "POST", polPath + "/publish", func(string) any { return map[string]any{} }, []cell{{"swj-staff", 403}, {"sjj-staff", 200}}},
		{"withdrawPolicy", "POST", polPath + "/withdraw", func(string) any { return map[string]any{} }, []cell{{"swj-staff", 403}}},
		{"runPolicyGrants", "POST", polPath + "/grant-runs", func(string) any { return map[string]any{"dry_run": true} }, []cell{{"swj-staff", 403}, {"sjj-staff", 200}}},
		{"confirmPolicyGrants", "POST", polPath + "/confirm", func(string) any { return map[string]any{"period": "2025"} }, []cell{{"swj-staff", 403}}},
		{"excludePolicyGrant", "POST", fmt.Sprintf("/api/v1/policy-grants/%d/exclude", grants[0].ID), func(string) any { return map[string]any{"reason": "矩阵"} },
			[]cell{{"swj-staff", 403}, {"wd-staff", 403}}},
		{"payPolicyGrants", "POST", "/api/v1/policy-grants/pay", func(string) any { return map[string]any{"grant_ids": []int64{grants[0].ID}, "payment_ref": "M-1"} },
			[]cell{{"swj-staff", 403}}},
		{"setPolicyReview", "PUT", polPath + "/review", func(string) any {
			return policy.ReviewDef{Steps: []policy.ReviewStep{{Name: "审核", Departments: []int64{env.Depts["XC-SJJ"]}, Days: 3}}}
		}, []cell{{"swj-staff", 403}, {"wd-staff", 403}, {"sjj-staff", 409}}},
		// Only the head of a reviewer department of the current step (XC-SJJ's admin), once.
		{"extendPolicyApplication", "POST", fmt.Sprintf("/api/v1/policy-applications/%d/extension", app.ID), func(string) any {
			return policy.Extension{Days: 1, Reason: "矩阵"}
		}, []cell{{"sjj-admin", 200}, {"sjj-admin", 409}}},
		{"decidePolicyApplication", "POST", fmt.Sprintf("/api/v1/policy-applications/%d/decisions", app.ID), func(string) any {
			return map[string]any{"action": "return", "note": "矩阵"}
		}, []cell{{"ent", 403}, {"swj-staff", 404}, {"wd-staff", 404}, {"sjj-staff", 200}}},
		{"createPolicyBatch", "POST", polPath + "/batches", func(string) any { return map[string]any{"period": "2025"} }, []cell{{"swj-staff", 403}, {"wd-staff", 403}}},
		{"setCreditDeptClasses", "PUT", "/api/v1/credit/rules/classes/" + dept("XC-SWJ"), func(string) any { return map[string]any{"classes": []any{}} },
			[]cell{{"sjj-admin", 403}}},
		{"applyCreditAssisted", "POST", "/api/v1/credit/assisted", func(string) any { return map[string]any{"record_id": 999999} },
			[]cell{{"sjj-staff", 403}, {"sjj-admin", 403}, {"wd-staff", 403}, {"admin", 403}}},
		{"firstReviewCreditRepair", "POST", "/api/v1/credit/repairs/999999/first-review", func(string) any { return map[string]any{"decision": "pass"} },
			[]cell{{"sjj-staff", 403}, {"swj-staff", 403}, {"admin", 404}}},
		{"draftCreditList", "POST", "/api/v1/credit/lists", func(string) any { return map[string]any{"kind": "red"} },
			[]cell{{"sjj-staff", 403}, {"sjj-admin", 403}, {"wd-staff", 403}, {"admin", 400}}},
		{"publishCreditList", "POST", "/api/v1/credit/lists/999999/publish", func(string) any { return map[string]any{} },
			[]cell{{"sjj-staff", 403}, {"wd-staff", 403}, {"admin", 409}}},
		{"setCreditServicePoint", "PUT", "/api/v1/credit/service-points", func(string) any { return map[string]any{"department_id": env.Depts["XC-SWJ"]} },
			[]cell{{"sjj-staff", 403}, {"sjj-admin", 403}, {"wd-staff", 403}, {"admin", 400}}},
		{"setCreditReviewRoute", "PUT", "/api/v1/credit/review-routes", func(string) any { return map[string]any{"kind": "penalty", "external_days": 0} },
			[]cell{{"sjj-staff", 403}, {"swj-staff", 403}, {"admin", 200}}},
		{"resetCreditReviewRoute", "DELETE", "/api/v1/credit/review-routes/penalty", func(string) any { return nil },
			[]cell{{"sjj-staff", 403}, {"wd-staff", 403}, {"admin", 204}}},
	}
	covered := map[string]bool{}
	for _, row := range table {
		covered[row.id] = true
		for _, c := range row.cells {
			if res := env.API(t, tokens[c.caller], row.method, row.path, row.body(c.caller)); res.StatusCode != c.want {
				t.Errorf("%s (%s %s) as %s: %d, want %d: %s", row.id, row.method, row.path, c.caller, res.StatusCode, c.want, res.Body)
			}
		}
	}
	for _, op := range ops {
		if op.Method == "GET" || covered[op.ID] || scopedElsewhere[op.ID] != "" {
			continue
		}
		if strings.Contains(op.Auth, string(auth.DeptAdmin)) || strings.Contains(op.Auth, string(auth.DeptStaff)) {
			t.Errorf("%s (%s %s) lets department staff write but its department check is in no matrix", op.ID, op.Method, op.Path)
		}
	}
}
