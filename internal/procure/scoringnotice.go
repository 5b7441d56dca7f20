package procure

import (
	"context"
	"fmt"
	"strings"

	"yingshang/internal/notify"
)

// The scoring-open message: when a project's committee is drawn (the
// committee draw run at the table), the sheets of a comprehensive-scoring
// project open, and every member with an expert account gets one in-app
// message leading to /procure/scoring (the project's sheet, or one sheet
// per lot). procure_scoring_notices keeps who was told, so a second draw
// (a committee completed later) tells only its new members and nobody is
// told twice.

// MsgScoringOpen tells a committee member that the sheets are open.
const MsgScoringOpen = "procure.scoring_open"

// RegisterMessages registers the module's message types (once per process).
func RegisterMessages() {
	if _, ok := notify.LookupType(MsgScoringOpen); ok {
		return
	}
	notify.RegisterType(notify.MessageType{Key: MsgScoringOpen, NameZH: "政府采购评审打分开始通知", NameEN: "Procurement scoring open",
		Variables: []notify.Variable{
			{Name: "project", ZH: "项目编号", EN: "project code", Example: "CG-20261201-0001"},
			{Name: "title", ZH: "项目名称", EN: "project title", Example: "办公楼物业服务"},
			{Name: "lots", ZH: "分包（逐包打分）", EN: "lots (each scored on its own)", Example: "第1包、第2包 / lots 1, 2"},
			{Name: "alias", ZH: "本项目代号", EN: "the pseudonym on the project", Example: "E7K2"},
			{Name: "link", ZH: "评分页面", EN: "scoring page", Example: "/procure/scoring"},
		},
		Defaults: map[string]map[string]notify.Template{
			"inapp": {"zh-CN": {Subject: "政府采购项目 {{.project}} 可以开始评分", Body: "您已被抽取为项目“{{.title}}”（{{.project}}）的评审专家（本项目代号 {{.alias}}），评分表已开放{{with .lots}}，请逐包打分：{{.}}{{end}}。投标以编码显示。请登录评分：{{.link}}"},
				"en": {Subject: "Procurement project {{.project}}: scoring is open", Body: "You sit on the committee of {{.title}} ({{.project}}, pseudonym {{.alias}}); the sheets are open{{with .lots}}, one per lot: {{.}}{{end}}. The bids are shown by code. Score here: {{.link}}"}},
		}})
}

// notifyScoringOpen tells the committee's members with an account that the
// sheets of a comprehensive-scoring project are open, each once; inside the
// caller's transaction (the draw that called them). A blind project's
// experts score in bideval, which tells them itself: no message here.
func (s *Service) notifyScoringOpen(ctx context.Context, p *Project) error {
	if s.Notify == nil || p.EvalMethod != EvalComprehensive || p.Blind {
		return nil
	}
	members, err := s.members(ctx, p)
	if err != nil {
		return err
	}
	q := s.DB.Q(ctx)
	rows, err := q.Query(ctx, "SELECT expert_id FROM procure_scoring_notices WHERE project_id = $1", p.ID)
	if err != nil {
		return err
	}
	told := map[int64]bool{}
	for rows.Next() {
		var e int64
		if err := rows.Scan(&e); err != nil {
			rows.Close()
			return err
		}
		told[e] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var lotsZH, lotsEN []string
	for _, l := range p.Lots {
		lotsZH = append(lotsZH, fmt.Sprintf("第%d包 %s", l.No, l.Title))
		lotsEN = append(lotsEN, fmt.Sprintf("lot %d %s", l.No, l.Title))
	}
	lots := ""
	if len(p.Lots) > 0 {
		lots = strings.Join(lotsZH, "、") + " / " + strings.Join(lotsEN, ", ")
	}
	now := s.now()
	for _, m := range members {
		if m.userID == 0 || told[m.ExpertID] {
			continue
		}
		if _, err := q.Exec(ctx, "INSERT INTO procure_scoring_notices (project_id, expert_id, sent_at) VALUES ($1, $2, $3)", p.ID, m.ExpertID, now); err != nil {
			return err
		}
		// One message per member: the pseudonym differs.
		if _, err := s.Notify.Send(ctx, notify.Message{Type: MsgScoringOpen, To: []notify.Recipient{{UserID: m.userID}}, Channels: []string{notify.ChannelInApp},
			ObjectType: "procure_project", ObjectID: idStr(p.ID), Link: "/procure/scoring",
			Data: map[string]any{"project": p.Code, "title": p.Title, "lots": lots, "alias": m.Alias, "link": "/procure/scoring"}}); err != nil {
			return err
		}
	}
	return nil
}
