package bideval

// Candidate publicity (中标候选人公示, 招标投标法实施条例 Art.54): after the
// unmasking the centre publishes the ranked candidates for at least three
// days; bidders may object (异议) during that window and the centre answers
// each; only then can the award be confirmed. Also the messages telling the
// registered bidders of a change of the settings.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// Message types of this file.
const (
	MsgSettingsChanged = "bideval.settings_changed"
	MsgCandidates      = "bideval.candidates"
)

// Objection is a bidder's objection (异议) against the published candidates.
type Objection struct {
	ID         int64      `json:"id"`
	ProjectID  int64      `json:"project_id"`
	Bidder     string     `json:"bidder,omitempty" doc:"shown to the centre and supervisors"`
	Body       string     `json:"body"`
	FiledAt    time.Time  `json:"filed_at"`
	Answer     string     `json:"answer,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// ObjectionInput files an objection.
type ObjectionInput struct {
	Body string `json:"body" doc:"the objection and its grounds (at most 2000 characters)"`
}

// AnswerInput answers an objection.
type AnswerInput struct {
	Answer string `json:"answer" doc:"the centre's answer (at most 2000 characters)"`
}

// bidderAccounts returns the active enterprise accounts of each bid of the
// project, by bid id.
func (s *Service) bidderAccounts(ctx context.Context, projectID int64) (map[int64][]notify.Recipient, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, entity_id FROM bideval_bids WHERE project_id = $1 ORDER BY id", projectID)
	if err != nil {
		return nil, err
	}
	entityOf := map[int64]int64{}
	var entities []int64
	for rows.Next() {
		var bid, ent int64
		if err := rows.Scan(&bid, &ent); err != nil {
			rows.Close()
			return nil, err
		}
		entityOf[bid] = ent
		entities = append(entities, ent)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	users, err := s.Accounts.EntityUsers(ctx, entities, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	accounts := map[int64][]notify.Recipient{}
	for bid, ent := range entityOf {
		for _, u := range users[ent] {
			accounts[bid] = append(accounts[bid], notify.Recipient{UserID: u})
		}
	}
	return accounts, nil
}

// tellAll sends one message to the accounts of every bid of the project.
func (s *Service) tellAll(ctx context.Context, projectID int64, msgType string, data map[string]any) error {
	accounts, err := s.bidderAccounts(ctx, projectID)
	if err != nil || s.Notify == nil {
		return err
	}
	var to []notify.Recipient
	for _, r := range accounts {
		to = append(to, r...)
	}
	if len(to) == 0 {
		return nil
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: msgType, Channels: []string{notify.ChannelInApp}, To: to,
		ObjectType: "draw_project", ObjectID: strconv.FormatInt(projectID, 10), Link: "/bideval/projects/" + strconv.FormatInt(projectID, 10), Data: data})
	return err
}

// tellSettingsChanged tells every registered bidder that the settings changed.
func (s *Service) tellSettingsChanged(ctx context.Context, projectID int64, code, name string, deadline time.Time) error {
	return s.tellAll(ctx, projectID, MsgSettingsChanged, map[string]any{"project": code, "name": name, "deadline": fmtTime(deadline),
		"link": "/bideval/projects/" + strconv.FormatInt(projectID, 10) + "/bid"})
}

// unresolvedFlags counts the leak flags without the centre's decision on
// the technical parts the experts scored (the latest version of each coded
// bid).
func (s *Service) unresolvedFlags(ctx context.Context, projectID int64) (int, error) {
	var n int
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM bideval_flags g JOIN bideval_files f ON f.id = g.file_id
		JOIN bideval_bids b ON b.id = f.bid_id WHERE b.project_id = $1 AND b.code <> '' AND g.disposition = ''
		AND f.version = (SELECT MAX(version) FROM bideval_files x WHERE x.bid_id = b.id AND x.part = 'technical') AND f.part = 'technical'`,
		projectID).Scan(&n)
	return n, err
}

func errUnresolved(n int, zh, en string) error {
	return yserr.Newf(yserr.Conflict, "尚有 %d 处身份泄露检查发现未经交易中心处理（须逐项说明理由），不能"+zh,
		"%d identity-leak findings await the centre's decision (each with a reason): cannot "+en, n)
}

// PublishCandidates publishes the ranked bids as the winning candidates
// (中标候选人公示) for PublicityDays, opening the objection window. The
// centre's staff, after the unmasking.
func (s *Service) PublishCandidates(ctx context.Context, projectID int64) (*Settings, error) {
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		st, err := s.settings(ctx, projectID)
		if err != nil {
			return err
		}
		if _, err := s.centre(ctx, st); err != nil {
			return err
		}
		if st.Status != StatusUnmasked {
			return yserr.New(yserr.Conflict, "只有在编码揭示之后才能公示中标候选人（且只公示一次）", "the candidates can be published only after the unmasking, and once")
		}
		if n, err := s.unresolvedFlags(ctx, projectID); err != nil {
			return err
		} else if n > 0 {
			return errUnresolved(n, "定标", "award")
		}
		now := s.Clock.Now()
		until := now.AddDate(0, 0, s.publicityDays())
		n, err := s.DB.Q(ctx).Exec(ctx, `UPDATE bideval_projects SET status = $1, candidates_at = $2, publicity_until = $3, updated_at = $2
			WHERE project_id = $4 AND status = $5`, StatusPublicity, now, until, projectID, StatusUnmasked)
		if err != nil {
			return err
		}
		if n != 1 {
			return yserr.New(yserr.Conflict, "中标候选人已经公示", "the candidates are already published")
		}
		if err := s.Audit.Record(ctx, "bideval.candidates", "draw_project", strconv.FormatInt(projectID, 10), StatusUnmasked, StatusPublicity,
			fmt.Sprintf("%s: candidates published until %s", st.ProjectCode, fmtTime(until))); err != nil {
			return err
		}
		return s.tellAll(ctx, projectID, MsgCandidates, map[string]any{"project": st.ProjectCode, "name": st.ProjectName, "until": fmtTime(until),
			"link": "/public/bideval/" + strconv.FormatInt(projectID, 10)})
	})
	if err != nil {
		return nil, err
	}
	return s.settings(ctx, projectID)
}

// Object files a bidder's objection during the publicity window.
func (s *Service) Object(ctx context.Context, projectID int64, in ObjectionInput) (*Objection, error) {
	a, err := bidder(ctx)
	if err != nil {
		return nil, err
	}
	in.Body = strings.TrimSpace(in.Body)
	if in.Body == "" || utf8.RuneCountInString(in.Body) > 2000 {
		return nil, yserr.Field("body", "请写明异议内容及理由（最多 2000 字）", "state the objection and its grounds (at most 2000 characters)")
	}
	var out *Objection
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		st, err := s.settings(ctx, projectID)
		if err != nil {
			return err
		}
		var bidID int64
		err = s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM bideval_bids WHERE project_id = $1 AND entity_id = $2", projectID, a.EntityID).Scan(&bidID)
		if db.IsNoRows(err) {
			return yserr.New(yserr.Forbidden, "只有本项目的投标人可以提出异议", "only the bidders of this project may object")
		}
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		if st.Status != StatusPublicity || st.PublicityUntil == nil || !now.Before(*st.PublicityUntil) {
			return yserr.New(yserr.Conflict, "只能在中标候选人公示期内提出异议", "objections are accepted only while the candidates are published")
		}
		out = &Objection{ProjectID: projectID, Body: in.Body, FiledAt: now}
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO bideval_objections (project_id, bid_id, body, filed_by, filed_at) VALUES ($1,$2,$3,$4,$5) RETURNING id`,
			projectID, bidID, in.Body, nullID(a.UserID), now).Scan(&out.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "bideval.objection", "bideval_objection", strconv.FormatInt(out.ID, 10), nil, in, st.ProjectCode)
	})
	return out, err
}

// AnswerObjection records the centre's answer to an objection (once).
func (s *Service) AnswerObjection(ctx context.Context, objectionID int64, in AnswerInput) (*Objection, error) {
	in.Answer = strings.TrimSpace(in.Answer)
	if in.Answer == "" || utf8.RuneCountInString(in.Answer) > 2000 {
		return nil, yserr.Field("answer", "请填写答复（最多 2000 字）", "the answer is required (at most 2000 characters)")
	}
	var projectID int64
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		var answered string
		err := s.DB.Q(ctx).QueryRow(ctx, "SELECT project_id, answer FROM bideval_objections WHERE id = $1", objectionID).Scan(&projectID, &answered)
		if db.IsNoRows(err) {
			return yserr.ErrNotFound("异议", "objection")
		}
		if err != nil {
			return err
		}
		st, err := s.settings(ctx, projectID)
		if err != nil {
			return err
		}
		if _, err := s.centre(ctx, st); err != nil {
			return err
		}
		if answered != "" {
			return yserr.New(yserr.Conflict, "该异议已经答复", "this objection is already answered")
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE bideval_objections SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4",
			in.Answer, actorID(ctx), s.Clock.Now(), objectionID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "bideval.objection.answer", "bideval_objection", strconv.FormatInt(objectionID, 10), nil, in, st.ProjectCode)
	})
	if err != nil {
		return nil, err
	}
	list, err := s.Objections(ctx, projectID)
	if err != nil {
		return nil, err
	}
	for _, o := range list {
		if o.ID == objectionID {
			return &o, nil
		}
	}
	return nil, yserr.ErrNotFound("异议", "objection")
}

// Objections lists a project's objections: all of them (with the bidder)
// to the centre and supervisors, its own to a bidder.
func (s *Service) Objections(ctx context.Context, projectID int64) ([]Objection, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return nil, err
	}
	q := `SELECT o.id, o.project_id, b.name, o.body, o.filed_at, o.answer, o.answered_at FROM bideval_objections o
		JOIN bideval_bids b ON b.id = o.bid_id WHERE o.project_id = $1`
	args := []any{projectID}
	all := isCentre(a, st) || a.Has(auth.Supervisor)
	if !all {
		if !a.Has(auth.Enterprise) || a.EntityID == 0 {
			return nil, yserr.ErrForbidden()
		}
		q += " AND b.entity_id = $2"
		args = append(args, a.EntityID)
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+" ORDER BY o.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Objection{}
	for rows.Next() {
		var o Objection
		if err := rows.Scan(&o.ID, &o.ProjectID, &o.Bidder, &o.Body, &o.FiledAt, &o.Answer, &o.AnsweredAt); err != nil {
			return nil, err
		}
		if !all {
			o.Bidder = ""
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// awardReady checks the publicity before the award: the window is over,
// every objection is answered, no leak finding is open.
func (s *Service) awardReady(ctx context.Context, st *Settings) error {
	if st.Status != StatusPublicity || st.PublicityUntil == nil {
		return yserr.New(yserr.Conflict, "须先公示中标候选人，公示期满后方可确认中标", "publish the winning candidates first; the award follows the publicity period")
	}
	if s.Clock.Now().Before(*st.PublicityUntil) {
		return yserr.Newf(yserr.Conflict, "中标候选人公示期至 %s，期满前不能确认中标", "the candidates are published until %s; the award must wait until then", fmtTime(*st.PublicityUntil))
	}
	var open int
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM bideval_objections WHERE project_id = $1 AND answer = ''", st.ProjectID).Scan(&open); err != nil {
		return err
	}
	if open > 0 {
		return yserr.Newf(yserr.Conflict, "尚有 %d 项异议未答复，不能确认中标", "%d objections are not answered yet; the award must wait", open)
	}
	if n, err := s.unresolvedFlags(ctx, st.ProjectID); err != nil {
		return err
	} else if n > 0 {
		return errUnresolved(n, "定标", "award")
	}
	return nil
}

func registerTenderMessages() {
	project := notify.Variable{Name: "project", ZH: "项目编号", EN: "project code", Example: "ZB-20261201-0A1B2C3D4E"}
	name := notify.Variable{Name: "name", ZH: "项目名称", EN: "project name", Example: "许昌市东城区雨污分流改造工程"}
	link := notify.Variable{Name: "link", ZH: "页面", EN: "page", Example: "/bideval/projects/1/bid"}
	notify.RegisterType(notify.MessageType{Key: MsgSettingsChanged, NameZH: "招标文件（评标办法）变更通知", NameEN: "Tender settings changed",
		Variables: []notify.Variable{project, name, {Name: "deadline", ZH: "投标截止时间", EN: "bid deadline", Example: "2026-12-22 09:00"}, link},
		Defaults: map[string]map[string]notify.Template{
			"inapp": {"zh-CN": {Subject: "评标办法已变更：{{.project}}", Body: "项目“{{.name}}”（{{.project}}）的评标办法或投标截止时间已变更，投标截止时间为 {{.deadline}}。详见：{{.link}}"},
				"en": {Subject: "Evaluation settings changed: {{.project}}", Body: "The evaluation settings or the bid deadline of {{.name}} ({{.project}}) changed; the deadline is {{.deadline}}. See {{.link}}"}},
		}})
	notify.RegisterType(notify.MessageType{Key: MsgCandidates, NameZH: "中标候选人公示通知", NameEN: "Winning candidates published",
		Variables: []notify.Variable{project, name, {Name: "until", ZH: "公示截止", EN: "published until", Example: "2026-12-25 09:00"}, link},
		Defaults: map[string]map[string]notify.Template{
			"inapp": {"zh-CN": {Subject: "中标候选人公示：{{.project}}", Body: "项目“{{.name}}”（{{.project}}）的中标候选人已公示至 {{.until}}，期间可提出异议：{{.link}}"},
				"en": {Subject: "Winning candidates published: {{.project}}", Body: "The winning candidates of {{.name}} ({{.project}}) are published until {{.until}}; objections may be filed until then: {{.link}}"}},
		}})
}
