package inspect_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/appeal"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/inspect"
	"yingshang/internal/site/sitetest"
)

// TestVisitFormsKeepInput: the rating and complaint forms of the
// enterprise's visit page (both engines). A refused submission shows the
// task page again with the refusal at the field that caused it, in the
// page's language, only in the form that was sent, and with what was typed
// kept; an accepted one redirects back to the task with a notice.
func TestVisitFormsKeepInput(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) { testVisitForms(t, e) })
	}
}

func testVisitForms(t *testing.T, e db.Dialect) {
	f := setup(t, e)
	task, me, _ := sampled(t, f)
	ent := f.env.Login(t, "ent")
	path := fmt.Sprintf("/inspect/tasks/%d/", task.ID)
	long := strings.Repeat("长", 2001)
	type scenario struct {
		name, action, query string
		form                url.Values
		status              int
		want                []string // in the page (HTML-unescaped)
		absent              []string
	}
	// Before the inspectors enter: the rating is refused for the whole
	// form (no field), the input kept.
	before := []scenario{{
		name: "rating before the visit", action: "rate", form: url.Values{"rating": {"4"}, "comment": {"提前评价"}}, status: http.StatusConflict,
		want:   []string{`data-testid="rate-error"`, "检查尚未开始，暂不能评价", `value="4"`, `value="提前评价"`},
		absent: []string{`data-testid="complain-error"`, `data-testid="rating-error"`},
	}}
	after := []scenario{{
		name: "rating out of range", action: "rate", form: url.Values{"rating": {"7"}, "comment": {"等候时间长"}}, status: http.StatusBadRequest,
		want: []string{`data-testid="rating-error"`, "评价须为 1-5 星", `value="7"`, `value="等候时间长"`, `aria-invalid="true" aria-describedby="rate-rating-err"`},
		// The complaint form is not marked.
		absent: []string{`data-testid="complain-error"`, `data-testid="text-error"`, `data-testid="comment-error"`},
	}, {
		name: "rating out of range, English", action: "rate", query: "?lang=en", form: url.Values{"rating": {"0"}, "comment": {"slow"}}, status: http.StatusBadRequest,
		want: []string{`data-testid="rating-error"`, "the rating must be 1-5", `value="0"`, `value="slow"`},
	}, {
		name: "no rating and a comment too long", action: "rate", form: url.Values{"comment": {strings.Repeat("慢", 501)}}, status: http.StatusBadRequest,
		want: []string{`data-testid="rating-error"`, `data-testid="comment-error"`, "评价意见不超过 500 字", `value="` + strings.Repeat("慢", 501) + `"`},
	}, {
		name: "blank complaint", action: "complain", form: url.Values{"text": {"  \n "}}, status: http.StatusBadRequest,
		want:   []string{`data-testid="text-error"`, "请填写投诉内容（不超过 2000 字）", `aria-describedby="complain-text-err"`},
		absent: []string{`data-testid="rating-error"`, `data-testid="rate-error"`},
	}, {
		name: "complaint too long, English", action: "complain", query: "?lang=en", form: url.Values{"text": {long}}, status: http.StatusBadRequest,
		want: []string{`data-testid="text-error"`, "write the complaint (at most 2000 characters)", ">" + long + "</textarea>"},
	}, {
		name: "rating saved", action: "rate", form: url.Values{"rating": {"4"}, "comment": {"检查规范"}}, status: http.StatusSeeOther,
	}, {
		name: "complaint filed", action: "complain", form: url.Values{"text": {"检查人员未出示执法证件"}}, status: http.StatusSeeOther,
	}}
	run := func(list []scenario) {
		for _, sc := range list {
			res := ent.PostForm(t, path+sc.action+sc.query, sc.form)
			body := html.UnescapeString(res.Body)
			if res.StatusCode != sc.status {
				t.Errorf("%s: status %d, want %d: %.300s", sc.name, res.StatusCode, sc.status, body)
				continue
			}
			if sc.status == http.StatusSeeOther {
				if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, strings.TrimSuffix(path, "/")) {
					t.Errorf("%s: redirected to %q", sc.name, loc)
				}
				continue
			}
			if !strings.Contains(body, `data-testid="task-summary"`) {
				t.Errorf("%s: not the task page: %.300s", sc.name, body)
			}
			for _, w := range sc.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: page lacks %.80q", sc.name, w)
				}
			}
			for _, a := range sc.absent {
				if strings.Contains(body, a) {
					t.Errorf("%s: page has %q", sc.name, a)
				}
			}
		}
	}
	run(before)
	if _, err := f.svc.ScanEntry(me, task.ID, inspect.ScanInput{Code: sitetest.USCCA}); err != nil {
		t.Fatal(err)
	}
	run(after)
	// What the accepted forms did.
	page := html.UnescapeString(ent.Get(t, strings.TrimSuffix(path, "/")).Body)
	if !strings.Contains(page, "评价 4/5 · 检查规范") || !strings.Contains(page, `data-testid="complaint"`) || !strings.Contains(page, `value="4"`) {
		t.Errorf("task page after rating and complaint: %.2000s", page)
	}
	// The appeal module off: the complaint is refused for the form, the
	// text kept.
	saved := f.svc.Appeals
	f.svc.Appeals = func() *appeal.Service { return nil }
	t.Cleanup(func() { f.svc.Appeals = saved })
	run([]scenario{{
		name: "appeal module off", action: "complain", form: url.Values{"text": {"再次投诉"}}, status: http.StatusConflict,
		want: []string{`data-testid="complain-error"`, "诉求模块未启用，暂不能在线投诉", ">再次投诉</textarea>"},
	}})
	// Another enterprise's visit stays hidden, bad input or not.
	others, err := f.svc.Tasks(as(t, f, "sjj-staff"), inspect.TaskFilter{PlanID: task.PlanID})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range others {
		if o.ID != task.ID {
			if res := ent.PostForm(t, fmt.Sprintf("/inspect/tasks/%d/rate", o.ID), url.Values{"rating": {"9"}}); res.StatusCode != http.StatusNotFound {
				t.Errorf("rating another enterprise's visit: %d", res.StatusCode)
			}
			break
		}
	}
}

// TestPlanFormKeepsInput: a refused plan (the new-plan form on the plans
// page) comes back with the field's message at the field, the field
// marked invalid, and everything chosen kept: the ticked check items, the
// chosen exception, the typed text; the check items still show their
// departments' names (both engines).
func TestPlanFormKeepsInput(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) {
			f := setup(t, e)
			staff := f.env.Login(t, "sjj-staff")
			form := url.Values{"code": {"BAD-1"}, "title": {"违规计划"}, "starts_on": {"2026-12-20"}, "ends_on": {"2026-12-01"},
				"regions": {"411002"}, "ratios": {"A:20,B:50,C:200,D:500"}, "exception_kind": {"complaint"}, "exception_reason": {"群众投诉"},
				"items": {fmt.Sprint(f.items[1])}}
			res := staff.PostForm(t, "/inspect/plans", form)
			body := html.UnescapeString(res.Body)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %.400s", res.StatusCode, body)
			}
			for _, want := range []string{`<p class="alert" role="alert">`, `<span class="fielderr">`, `aria-invalid="true"`,
				`value="BAD-1"`, `value="违规计划"`, `value="群众投诉"`,
				fmt.Sprintf(`value="%d" checked>`, f.items[1]),
				`<option value="complaint" selected>`,
				"市场监督管理局 · SJJ-01"} {
				if !strings.Contains(body, want) {
					t.Errorf("the refused form lacks %q", want)
				}
			}
			if strings.Contains(body, fmt.Sprintf(`value="%d" checked>`, f.items[0])) || strings.Contains(body, `<option value="safety" selected>`) {
				t.Error("the refused form ticks or chooses what was not sent")
			}
			if strings.Contains(body, `class="error"`) {
				t.Error(`class="error" has no style; use alert or fielderr`)
			}
		})
	}
}
