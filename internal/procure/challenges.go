package procure

import (
	"context"
	"fmt"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

// Challenge statuses.
const (
	ChallengeFiled      = "filed"
	ChallengeAnswered   = "answered"
	ChallengeComplained = "complained"
	ChallengeDecided    = "decided"
)

// Challenge is a supplier's challenge (质疑) and, after the answer, its
// complaint (投诉) to the finance bureau.
type Challenge struct {
	ID             int64  `json:"id"`
	ProjectID      int64  `json:"project_id"`
	EntityID       int64  `json:"entity_id"`
	Entity         string `json:"entity"`
	KnownOn        string `json:"known_on"`
	FiledOn        string `json:"filed_on"`
	Text           string `json:"text"`
	AnswerDueOn    string `json:"answer_due_on" doc:"7 working days after filing (Art. 53)"`
	AnsweredOn     string `json:"answered_on,omitempty"`
	Answer         string `json:"answer,omitempty"`
	ComplaintDueOn string `json:"complaint_due_on,omitempty" doc:"15 working days after the answer (Art. 55)"`
	ComplaintOn    string `json:"complaint_on,omitempty"`
	Complaint      string `json:"complaint,omitempty"`
	DecisionDueOn  string `json:"decision_due_on,omitempty" doc:"30 working days after the complaint (Art. 56)"`
	DecidedOn      string `json:"decided_on,omitempty"`
	Decision       string `json:"decision,omitempty"`
	Status         string `json:"status" enum:"filed,answered,complained,decided"`
	Version        int    `json:"version"`
}

// ChallengeInput is a supplier's challenge.
type ChallengeInput struct {
	KnownOn string `json:"known_on" doc:"YYYY-MM-DD: the day the supplier knew or should have known its rights were harmed"`
	Text    string `json:"text"`
}

// TextInput is an answer, a complaint or a decision.
type TextInput struct {
	Text string `json:"text"`
}

const challengeCols = `id, project_id, entity_id, known_on, filed_on, text, answer_due_on, answered_on, answer, complaint_due_on, complaint_on, complaint,
	decision_due_on, decided_on, decision, status, version`

func (s *Service) challenges(ctx context.Context, cond string, args ...any) ([]Challenge, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+challengeCols+" FROM procure_challenges WHERE "+cond+" ORDER BY id DESC LIMIT 500", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Challenge{}
	var ents []int64
	for rows.Next() {
		var c Challenge
		if err := rows.Scan(&c.ID, &c.ProjectID, &c.EntityID, &c.KnownOn, &c.FiledOn, &c.Text, &c.AnswerDueOn, &c.AnsweredOn, &c.Answer, &c.ComplaintDueOn,
			&c.ComplaintOn, &c.Complaint, &c.DecisionDueOn, &c.DecidedOn, &c.Decision, &c.Status, &c.Version); err != nil {
			return nil, err
		}
		out = append(out, c)
		ents = append(ents, c.EntityID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	refs, err := s.Entities.Refs(ctx, ents)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Entity = refs[out[i].EntityID].Name
	}
	return out, nil
}

// FileChallenge files a challenge of the caller's entity on a project.
// It is refused, with the dates, after 7 working days from the day the
// supplier knew (Art. 52).
func (s *Service) FileChallenge(ctx context.Context, projectID int64, in ChallengeInput) (*Challenge, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	if a.EntityID == 0 {
		return nil, yserr.Field("entity_id", "账户尚未绑定企业", "the account is bound to no entity")
	}
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	in.Text = strings.TrimSpace(in.Text)
	var v yserr.Validation
	if in.Text == "" {
		v.Add("text", "请填写质疑事项和理由", "state the challenge and its grounds")
	}
	today := s.today()
	known, err := calendar.ParseDate(in.KnownOn)
	if err != nil || known.After(today) {
		v.Add("known_on", "知道或应当知道权益受损之日格式应为 YYYY-MM-DD，且不晚于今天", "the day known must be YYYY-MM-DD and not after today")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	cal, err := s.cal(ctx)
	if err != nil {
		return nil, err
	}
	if due := ChallengeDue(cal, known); today.After(due) {
		return nil, yserr.Field("known_on", fmt.Sprintf("质疑期限已过：自 %s 起7个工作日，截至 %s（今天 %s）", known, due, today),
			fmt.Sprintf("the challenge period has ended: 7 working days from %s, until %s (today %s)", known, due, today))
	}
	c := &Challenge{ProjectID: p.ID, EntityID: a.EntityID, KnownOn: known.String(), FiledOn: today.String(), Text: in.Text, AnswerDueOn: AnswerDue(cal, today).String(), Status: ChallengeFiled, Version: 1}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO procure_challenges (project_id, entity_id, known_on, filed_on, text, answer_due_on, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'filed', $7) RETURNING id`, c.ProjectID, c.EntityID, c.KnownOn, c.FiledOn, c.Text, c.AnswerDueOn, s.now()).Scan(&c.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "procure.challenge.file", "procure_challenge", idStr(c.ID), nil, c, "")
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Challenges lists a project's challenges: the project's unit, the finance
// bureau and readers all; a supplier its own; the public the answered ones.
func (s *Service) Challenges(ctx context.Context, projectID int64) ([]Challenge, error) {
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	a := auth.From(ctx)
	if a != nil && a.Has(auth.Enterprise) {
		return s.challenges(ctx, "project_id = $1 AND (entity_id = $2 OR status <> 'filed')", p.ID, a.EntityID)
	}
	if a != nil {
		fin, err := s.IsFinance(ctx, a)
		if err != nil {
			return nil, err
		}
		if fin || a.InScope(p.DepartmentID) || a.Has(auth.Supervisor) {
			return s.challenges(ctx, "project_id = $1", p.ID)
		}
	}
	return s.challenges(ctx, "project_id = $1 AND status <> 'filed'", p.ID)
}

// PublicChallenges lists answered challenges of every project (public).
func (s *Service) PublicChallenges(ctx context.Context) ([]Challenge, error) {
	return s.challenges(ctx, "status <> 'filed'")
}

func (s *Service) challenge(ctx context.Context, id int64) (*Challenge, *Project, error) {
	list, err := s.challenges(ctx, "id = $1", id)
	if err != nil {
		return nil, nil, err
	}
	if len(list) == 0 {
		return nil, nil, notFound("质疑", "challenge")
	}
	p, err := s.Project(ctx, list[0].ProjectID)
	if err != nil {
		return nil, nil, err
	}
	return &list[0], p, nil
}

func (s *Service) updateChallenge(ctx context.Context, c *Challenge, action, set string, args ...any) (*Challenge, error) {
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		args = append(args, c.ID, c.Version)
		n, err := s.DB.Q(ctx).Exec(ctx, fmt.Sprintf("UPDATE procure_challenges SET %s, version = version + 1 WHERE id = $%d AND version = $%d", set, len(args)-1, len(args)), args...)
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("质疑已被修改，请刷新", "the challenge changed meanwhile: reload")
		}
		return s.Audit.Record(ctx, "procure.challenge."+action, "procure_challenge", idStr(c.ID), nil, args[:len(args)-2], "")
	})
	if err != nil {
		return nil, err
	}
	c2, _, err := s.challenge(ctx, c.ID)
	return c2, err
}

// AnswerChallenge answers a challenge (staff of the project's unit). A
// late answer is recorded (and was on the overdue list meanwhile); it opens
// the 15 working days for a complaint.
func (s *Service) AnswerChallenge(ctx context.Context, id int64, in TextInput) (*Challenge, error) {
	a, err := unitActor(ctx)
	if err != nil {
		return nil, err
	}
	c, p, err := s.challenge(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.InScope(p.DepartmentID) {
		return nil, notFound("质疑", "challenge")
	}
	if c.Status != ChallengeFiled {
		return nil, conflict("该质疑已答复", "the challenge is answered already")
	}
	if strings.TrimSpace(in.Text) == "" {
		return nil, yserr.Field("text", "请填写答复内容", "enter the answer")
	}
	cal, err := s.cal(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today()
	return s.updateChallenge(ctx, c, "answer", "status = 'answered', answered_on = $1, answer = $2, complaint_due_on = $3", today.String(), strings.TrimSpace(in.Text), ComplaintDue(cal, today).String())
}

// Complain files the supplier's complaint after the answer, within 15
// working days of it (Art. 55); refused with the dates after.
func (s *Service) Complain(ctx context.Context, id int64, in TextInput) (*Challenge, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	c, _, err := s.challenge(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.EntityID != a.EntityID {
		return nil, notFound("质疑", "challenge")
	}
	if c.Status != ChallengeAnswered {
		return nil, conflict("须在质疑答复后投诉，且只能投诉一次", "a complaint follows the answer, once")
	}
	if strings.TrimSpace(in.Text) == "" {
		return nil, yserr.Field("text", "请填写投诉事项", "state the complaint")
	}
	today := s.today()
	if today.String() > c.ComplaintDueOn {
		return nil, yserr.Field("text", fmt.Sprintf("投诉期限已过：答复日 %s 起15个工作日，截至 %s（今天 %s）", c.AnsweredOn, c.ComplaintDueOn, today),
			fmt.Sprintf("the complaint period has ended: 15 working days from the answer on %s, until %s (today %s)", c.AnsweredOn, c.ComplaintDueOn, today))
	}
	cal, err := s.cal(ctx)
	if err != nil {
		return nil, err
	}
	return s.updateChallenge(ctx, c, "complain", "status = 'complained', complaint_on = $1, complaint = $2, decision_due_on = $3", today.String(), strings.TrimSpace(in.Text), DecisionDue(cal, today).String())
}

// DecideComplaint records the finance bureau's decision on a complaint.
func (s *Service) DecideComplaint(ctx context.Context, id int64, in TextInput) (*Challenge, error) {
	if _, err := s.financeActor(ctx); err != nil {
		return nil, err
	}
	c, _, err := s.challenge(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Status != ChallengeComplained {
		return nil, conflict("没有待处理的投诉", "no complaint to decide")
	}
	if strings.TrimSpace(in.Text) == "" {
		return nil, yserr.Field("text", "请填写处理决定", "enter the decision")
	}
	return s.updateChallenge(ctx, c, "decide", "status = 'decided', decided_on = $1, decision = $2", s.today().String(), strings.TrimSpace(in.Text))
}
