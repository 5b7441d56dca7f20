package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/notify"
	"yingshang/internal/policy/rules"
	"yingshang/internal/yserr"
)

// Push by tags (标签推送). A policy may name registry tags (entity.Attrs.Tags:
// 专精特新, 科技型中小企业 ...) that its push aims at, with a scope:
//
//   - ScopeMatch (the default): the push goes to entities that carry at
//     least one of the tags AND meet the rule: a narrower push than the
//     rule alone, for a department that wants to reach only, say, its
//     专精特新 firms first.
//   - ScopeNotice (标签提醒): every entity with one of the tags gets a
//     message. Those that meet the rule get the usual "you qualify" push;
//     those that do not get a heads-up (MsgPushNotice) saying the policy
//     concerns firms like them and to check its conditions.
//
// A policy without tags pushes to every rule match, as before. Pushes
// aimed by tags are marked (policy_pushes.by_tags) with whether the rule
// held when they went out (rule_matched): the dashboard's tag match rate
// is read from them. Read tracking, the re-push of unread pushes and the
// weekly cap are the same for every push. An entity whose tags change is
// reached by the next push pass (the job runs every PushInterval).

// Push scopes of a policy with target tags.
const (
	ScopeMatch  = "match"  // tags and the rule
	ScopeNotice = "notice" // tags only: a heads-up to those the rule misses
)

// PushScopes lists the scopes in display order.
var PushScopes = []string{ScopeMatch, ScopeNotice}

// MsgPushNotice is the message type of a heads-up push (scope notice, rule
// not met).
const MsgPushNotice = "policy.push.notice"

// Limits of the target tags (the registry's own: entity.MaxTags tags of
// at most entity.MaxTagRunes characters).
const (
	MaxTargetTags     = entity.MaxTags
	MaxTargetTagRunes = entity.MaxTagRunes
)

func init() {
	labels[ScopeMatch] = rules.Line{ZH: "标签且符合条件的企业", EN: "entities with a tag that meet the rule"}
	labels[ScopeNotice] = rules.Line{ZH: "所有带标签的企业（不符合条件的收到提醒）", EN: "every entity with a tag (a heads-up to those the rule misses)"}
}

func registerPushNotice() {
	vars := []notify.Variable{
		{Name: "policy", ZH: "政策名称", EN: "policy", Example: "专精特新企业奖励"},
		{Name: "department", ZH: "发文部门", EN: "issuing department", Example: "许昌市工业和信息化局"},
		{Name: "tags", ZH: "企业标签", EN: "entity tags", Example: "专精特新"},
		{Name: "mode_zh", ZH: "兑现方式（中文）", EN: "delivery (Chinese)", Example: "免申即享"},
		{Name: "mode_en", ZH: "兑现方式（英文）", EN: "delivery (English)", Example: "automatic (no application)"},
	}
	notify.RegisterType(notify.MessageType{Key: MsgPushNotice, NameZH: "惠企政策标签提醒", NameEN: "Policy heads-up by tag", Variables: vars,
		Defaults: map[string]map[string]notify.Template{
			notify.ChannelSMS: {
				notify.LangZH: {Body: "【惠企政策】{{.department}}发布“{{.policy}}”（{{.mode_zh}}），面向{{.tags}}企业，请查看享受条件。"},
				notify.LangEN: {Body: "{{.department}} issued \"{{.policy}}\" ({{.mode_en}}) for businesses tagged {{.tags}}: see the conditions."},
			},
			notify.ChannelInApp: {
				notify.LangZH: {Subject: "政策提醒：“{{.policy}}”", Body: "{{.department}}发布的“{{.policy}}”（{{.mode_zh}}）面向{{.tags}}企业。贵企业目前尚未满足全部条件，请查看政策详情与差距。"},
				notify.LangEN: {Subject: "Policy heads-up: {{.policy}}", Body: "\"{{.policy}}\" issued by {{.department}} ({{.mode_en}}) is aimed at businesses tagged {{.tags}}. Your business does not meet every condition yet: see the policy and what is missing."},
			},
		}})
}

// checkTargets normalises in's target tags (split on the separators
// people type, trimmed, duplicates dropped) and scope, adding field
// errors to v.
func checkTargets(in *Input, v *yserr.Validation) {
	var tags []string
	for _, t := range in.TargetTags {
		for _, p := range strings.FieldsFunc(t, func(r rune) bool {
			return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == '\n'
		}) {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(tags, p) {
				tags = append(tags, p)
			}
		}
	}
	in.TargetTags = tags
	if in.PushScope == "" {
		in.PushScope = ScopeMatch
	}
	if !slices.Contains(PushScopes, in.PushScope) {
		v.Add("push_scope", "请选择推送范围", "choose whom the push goes to")
	}
	if len(tags) > MaxTargetTags {
		v.Add("target_tags", fmt.Sprintf("推送标签最多 %d 个（现有 %d 个）", MaxTargetTags, len(tags)),
			fmt.Sprintf("at most %d target tags (has %d)", MaxTargetTags, len(tags)))
		return
	}
	for _, t := range tags {
		if utf8.RuneCountInString(t) > MaxTargetTagRunes || strings.IndexFunc(t, unicode.IsControl) >= 0 {
			v.Add("target_tags", fmt.Sprintf("标签“%s”无效（不超过 %d 个字符）", t, MaxTargetTagRunes),
				fmt.Sprintf("tag %q is not valid (at most %d characters)", t, MaxTargetTagRunes))
			return
		}
	}
	if in.PushScope == ScopeNotice && len(tags) == 0 {
		v.Add("target_tags", "“仅按标签提醒”需要至少一个标签", "a heads-up by tags needs at least one tag")
	}
}

// saveTargets stores a policy's target tags and scope in the caller's
// transaction (no tags: no row, the push follows the rule alone).
func (s *Service) saveTargets(ctx context.Context, id int64, in Input) error {
	if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM policy_targets WHERE policy_id = $1", id); err != nil {
		return err
	}
	if len(in.TargetTags) == 0 {
		return nil
	}
	_, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO policy_targets (policy_id, tags, scope, updated_at) VALUES ($1, $2, $3, $4)",
		id, ","+strings.Join(in.TargetTags, ",")+",", in.PushScope, s.now())
	return err
}

// loadTargets fills p's target tags and scope.
func (s *Service) loadTargets(ctx context.Context, p *Policy) error {
	p.TargetTags, p.PushScope = []string{}, ScopeMatch
	var tags, scope string
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT tags, scope FROM policy_targets WHERE policy_id = $1", p.ID).Scan(&tags, &scope)
	if db.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if t := strings.Trim(tags, ","); t != "" {
		p.TargetTags = strings.Split(t, ",")
	}
	p.PushScope = scope
	return nil
}

// aim decides whether p's push reaches an entity with facts f: reach
// says whether it does, matched whether the rule holds (the "you
// qualify" push; else a heads-up).
func aim(p *Policy, prog *rules.Program, f *rules.Facts, env *rules.Env) (reach, matched bool) {
	if len(p.TargetTags) > 0 && !slices.ContainsFunc(f.Tags, func(t string) bool { return slices.Contains(p.TargetTags, t) }) {
		return false, false
	}
	matched = prog.Match(f, env)
	return matched || (len(p.TargetTags) > 0 && p.PushScope == ScopeNotice), matched
}

// aimOne is aim for one entity now, with its amount when matched.
func (s *Service) aimOne(ctx context.Context, p *Policy, entityID int64) (amount int64, reach, matched bool, err error) {
	prog, err := s.program(ctx, p.ID, p.Version)
	if err != nil {
		return 0, false, false, err
	}
	f, err := s.factsOf(ctx, entityID, p.FactYear)
	if err != nil {
		return 0, false, false, err
	}
	env := s.env()
	if reach, matched = aim(p, prog, f, env); matched {
		amount = prog.Explain(f, env).AmountFen
	}
	return amount, reach, matched, nil
}

// TagStats is the dashboard's tag match rate: of the pushes aimed by tags
// (policy and entity pairs), how many reached an entity that met the rule
// when pushed or that the policy was later granted to.
type TagStats struct {
	Pushed  int64   `json:"pushed" doc:"pushes aimed by tags (sent or held)"`
	Matched int64   `json:"matched" doc:"of those, the entity met the rule when pushed or was granted the policy"`
	Rate    float64 `json:"rate" doc:"matched ÷ pushed, 0..1"`
	// Percent is Rate as shown, e.g. 96.0%, or "—" when nothing was
	// pushed by tags.
	Percent string `json:"percent"`
}

func (s *Service) tagStats(ctx context.Context) (TagStats, error) {
	var st TagStats
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN u.rule_matched = 1 OR EXISTS (
			SELECT 1 FROM policy_grants g WHERE g.policy_id = u.policy_id AND g.entity_id = u.entity_id AND g.status <> 'excluded')
		THEN 1 ELSE 0 END), 0) FROM policy_pushes u WHERE u.by_tags = 1`).Scan(&st.Pushed, &st.Matched)
	if err != nil {
		return st, err
	}
	st.Percent = "—"
	if st.Pushed > 0 {
		st.Rate = float64(st.Matched) / float64(st.Pushed)
		st.Percent = fmt.Sprintf("%.1f%%", st.Rate*100)
	}
	return st, nil
}
