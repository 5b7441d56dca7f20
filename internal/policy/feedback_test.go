package policy_test

import (
	"strings"
	"testing"
	"time"

	"yingshang/internal/appeal"
	"yingshang/internal/modules"
	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/workflow"
	"yingshang/internal/yserr"
)

// TestAskBecomesAppeal: a question about a policy becomes an appeal of
// topic 政策兑现 through the appeal module, with its clocks of 1 working
// day to respond and 3 to feed back.
func TestAskBecomesAppeal(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		a := env.Entities[sitetest.USCCA]
		ent := entCtx(env, a)
		p, err := svc.Create(sjj, rdPolicy(0))
		fatal(t, err)
		if _, err := svc.Ask(ent, p.ID, policy.Question{Question: "研发费用按哪一年度计算？"}); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("question on a draft: %v", err)
		}
		_, err = svc.Publish(sjj, p.ID)
		fatal(t, err)
		if _, err := svc.Ask(ent, p.ID, policy.Question{Question: "  "}); yserr.As(err).Field != "question" {
			t.Errorf("empty question: %v", err)
		}
		if _, err := svc.Ask(sjj, p.ID, policy.Question{Question: "研发费用按哪一年度计算？"}); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("staff ask as an enterprise: %v", err)
		}
		ap, err := svc.Ask(ent, p.ID, policy.Question{Question: "研发费用按哪一年度计算？"})
		fatal(t, err)
		if ap.Topic != policy.AppealTopic || ap.Kind != appeal.Help || !strings.Contains(ap.Title, "企业研发费用后补助") ||
			!strings.Contains(ap.Description, "许政〔2025〕18号") || !strings.Contains(ap.Description, "/policy-list/") {
			t.Fatalf("appeal: %+v", ap)
		}
		cal, err := env.App.Calendar.Calendar(sitetest.System())
		fatal(t, err)
		if want := workflow.Deadline(cal, ap.SubmittedAt, 1).Truncate(time.Microsecond); ap.FirstResponseDue == nil || !ap.FirstResponseDue.Truncate(time.Microsecond).Equal(want) {
			t.Errorf("first response due %v, want %v (1 working day)", ap.FirstResponseDue, want)
		}
		as := modules.Get[*appeal.Service](env.Modules)
		terms, err := as.TermsOf(sitetest.System(), ap)
		fatal(t, err)
		if want := workflow.Deadline(cal, ap.SubmittedAt, 3).Truncate(time.Microsecond); terms.FeedbackDue == nil || !terms.FeedbackDue.Truncate(time.Microsecond).Equal(want) {
			t.Errorf("feedback due %v, want %v (3 working days)", terms.FeedbackDue, want)
		}
	})
}
