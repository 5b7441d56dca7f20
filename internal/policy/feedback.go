package policy

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/yserr"
)

// AppealTopic is the appeal topic a question about a policy is filed
// under.
const AppealTopic = "政策兑现"

// Question is an enterprise's question about a published policy.
type Question struct {
	Title    string `json:"title" doc:"optional; default 关于“<policy>”的咨询"`
	Question string `json:"question"`
	Contact  string `json:"contact_pref,omitempty" enum:"inapp,phone,sms"`
}

// Ask turns an enterprise user's question about a published policy into
// an appeal of topic 政策兑现 through the appeal module's Go API (its
// tables are the appeal module's). The appeal module's clocks then run:
// the first response (签收) within FirstResponseWD working days (1 by
// default) and the interim feedback (3日反馈) within FeedbackWD (3), with
// its warnings and alerts; the policy's issuing department is named in
// the description so that the dispatcher can route it. The appeal is of
// type 求助 (help), whose reply clock (5 working days) outlasts the
// 3-day feedback.
func (s *Service) Ask(ctx context.Context, policyID int64, q Question) (*appeal.Appeal, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	if s.Appeals == nil {
		return nil, yserr.New(yserr.Conflict, "诉求模块未启用，暂不能在线提问", "the appeal module is off: questions cannot be filed online")
	}
	ap := s.Appeals()
	if ap == nil {
		return nil, yserr.New(yserr.Conflict, "诉求模块未启用，暂不能在线提问", "the appeal module is off: questions cannot be filed online")
	}
	if a.EntityID == 0 {
		return nil, yserr.New(yserr.Forbidden, "账号尚未绑定经营主体", "the account is not bound to a market entity")
	}
	p, err := s.get(ctx, policyID)
	if err != nil {
		return nil, err
	}
	if p.Status != StatusPublished {
		return nil, yserr.ErrNotFound("政策", "policy")
	}
	q.Question = strings.TrimSpace(q.Question)
	if q.Question == "" || utf8.RuneCountInString(q.Question) > 2000 {
		return nil, yserr.Field("question", "请填写问题（不超过 2000 字）", "write the question (at most 2000 characters)")
	}
	q.Title = strings.TrimSpace(q.Title)
	if q.Title == "" {
		q.Title = "关于“" + p.Title + "”的咨询"
		if utf8.RuneCountInString(q.Title) > 100 {
			q.Title = string([]rune(q.Title)[:99]) + "…"
		}
	}
	ref, err := s.Entities.Ref(ctx, a.EntityID, "")
	if err != nil {
		return nil, err
	}
	desc := q.Question + "\n\n政策 Policy：" + p.Title
	if p.DocNo != "" {
		desc += "（" + p.DocNo + "）"
	}
	desc += "\n发文部门 Department：" + p.DepartmentName + "\n" + strings.TrimRight(s.BaseURL, "/") + "/policy-list/" + strconv.FormatInt(p.ID, 10)
	return ap.Create(ctx, appeal.Input{USCC: ref.USCC, Channel: "web", Kind: appeal.Help, Topic: AppealTopic, Title: q.Title,
		Description: desc, ContactPref: q.Contact})
}
