package draw

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// Assignment statuses.
const (
	AsgStandby   = "standby"   // a reserve not (yet) called
	AsgNotified  = "notified"  // asked to confirm before the deadline
	AsgConfirmed = "confirmed" // will attend
	AsgDeclined  = "declined"
	AsgExpired   = "expired" // did not answer in time
)

// ExpertDrawInput commits an expert draw.
type ExpertDrawInput struct {
	Reserves int  `json:"reserves" doc:"reserves for the technical group (the economic group gets one); default 3"`
	Beacon   bool `json:"beacon" doc:"name a drand quicknet round about one minute ahead"`
}

// CommitExperts freezes the expert candidate list for a project and
// publishes the commitment. When the rules leave a group short it refuses
// with a per-rule explanation (and records the refusal).
func (s *Service) CommitExperts(ctx context.Context, projectID int64, in ExpertDrawInput) (*Draw, error) {
	p, err := s.project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if _, err := staff(ctx, p.DepartmentID); err != nil {
		return nil, err
	}
	if in.Reserves <= 0 {
		in.Reserves = 3
	}
	groups := ExpertGroups(p.Committee, in.Reserves, p.Specialties, p.EconSpecialties)
	missing, parent, err := s.missingSeats(ctx, p, groups)
	if err != nil {
		return nil, err
	}
	groups = missing
	pool, err := s.expertPool(ctx, p, groups)
	if err != nil {
		return nil, err
	}
	pc := Context{TendererUSCC: p.TendererUSCC, BidderUSCCs: p.BidderUSCCs, Region: p.Region, CrossRegion: p.CrossRegion}
	list := Freeze(pool, pc, groups)
	if zh, en := ShortfallReport(pool, pc, groups, list); en != "" {
		return nil, s.failDraw(ctx, strconv.FormatInt(p.ID, 10), zh, en)
	}
	biddersHash, disclosure, err := s.commitBidders(p)
	if err != nil {
		return nil, err
	}
	spec := Spec{Algorithm: AlgorithmVersion, Purpose: "experts", Subject: p.Code, Groups: SpecGroups(groups),
		Rules: s.expertRules(p, groups, biddersHash)}
	if in.Beacon {
		spec.Beacon = BeaconAfter(s.Clock.Now(), time.Minute)
	}
	return s.commit(ctx, pending{purpose: "experts", project: p, parent: parent, list: list, spec: spec, disclosure: disclosure})
}

// expertRules are the spec's rules. The bidders are not named: who bids is
// secret until the opening (招标投标法 Art.22), so the spec commits to the
// salted hash of their list (RuleBiddersHash), disclosed after the opening.
func (s *Service) expertRules(p *Project, groups []QuotaGroup, biddersHash string) map[string]string {
	r := map[string]string{
		"status":                 "active, not penalised, available on " + p.OpeningAt.In(shanghai).Format("2006-01-02"),
		"employer_not_tenderer":  p.TendererUSCC,
		"employer_not_bidder":    "the registered bidders, committed in " + RuleBiddersHash + " and disclosed after the bid opening",
		RuleBiddersHash:          biddersHash,
		"no_declared_relation":   "tenderer and bidders",
		"recent_tenderer_window": strconv.Itoa(s.recentDays()) + " days",
		"cross_region":           "off",
		"not_already_drawn":      "this project",
	}
	if p.CrossRegion {
		r["cross_region"] = "exclude region " + p.Region
	}
	if p.aliasSalt != "" {
		h := sha256.Sum256([]byte(p.aliasSalt))
		r["pseudonyms"] = "per project: E- + first 10 hex digits of SHA-256(\"" + aliasDomain + "\" || salt || pool pseudonym); SHA-256(salt) = " +
			hex.EncodeToString(h[:])
	}
	for _, g := range groups {
		r["group_"+g.Name] = strings.Join(g.Specialties, ",")
	}
	return r
}

// missingSeats returns the groups still to fill: the full committee for a
// first draw, or what declines left unfilled once the reserves ran out
// (then the new draw links the project's latest expert draw).
func (s *Service) missingSeats(ctx context.Context, p *Project, groups []QuotaGroup) ([]QuotaGroup, int64, error) {
	var last int64
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM draws WHERE project_id = $1 AND purpose = 'experts'`, p.ID).Scan(&last)
	if err != nil || last == 0 {
		return groups, 0, err
	}
	var status string
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT status FROM draws WHERE id = $1", last).Scan(&status); err != nil {
		return nil, 0, err
	}
	if status == "committed" {
		return nil, 0, yserr.New(yserr.Conflict, "已有待进行的专家抽取", "an expert draw is already committed and waiting")
	}
	var out []QuotaGroup
	for _, g := range groups {
		var filled int
		if err := s.DB.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM draw_assignments WHERE project_id = $1 AND group_name = $2
			AND status IN ('notified','confirmed','standby')`, p.ID, g.Name).Scan(&filled); err != nil {
			return nil, 0, err
		}
		if filled < g.Count {
			g.Count -= filled
			g.Reserves = min(g.Reserves, 1)
			out = append(out, g)
		}
	}
	if len(out) == 0 {
		return nil, 0, yserr.New(yserr.Conflict, "专家已抽足，无需补抽", "the committee is complete; no redraw is needed")
	}
	return out, last, nil
}

// expertPool loads the experts holding one of the groups' specialties, with
// the facts the rules need.
func (s *Service) expertPool(ctx context.Context, p *Project, groups []QuotaGroup) ([]PoolMember, error) {
	var conds []string
	var args []any
	for _, g := range groups {
		for _, c := range g.Specialties {
			args = append(args, "%,"+c+",%")
			conds = append(conds, fmt.Sprintf("specialties LIKE $%d", len(args)))
		}
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+expertCols+" FROM draw_experts WHERE "+strings.Join(conds, " OR "), args...)
	if err != nil {
		return nil, err
	}
	var experts []*Expert
	for rows.Next() {
		e, err := scanExpert(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		experts = append(experts, e)
	}
	rows.Close()
	recent, err := s.recentExperts(ctx, p)
	if err != nil {
		return nil, err
	}
	day := p.OpeningAt.In(shanghai).Format("2006-01-02")
	pool := make([]PoolMember, 0, len(experts))
	seen := map[string]bool{}
	for _, e := range experts {
		key := Alias(p.aliasSalt, e.Pseudonym)
		if seen[key] {
			return nil, fmt.Errorf("draw: two experts share the alias %s on project %d", key, p.ID)
		}
		seen[key] = true
		pool = append(pool, PoolMember{Key: key, Specialties: e.Specialties, EmployerUSCC: e.EmployerUSCC,
			Region: e.Region, Status: e.Status, Relations: e.Relations,
			Unavailable:              e.UnavailableTo != "" && e.UnavailableTo >= day,
			Penalised:                e.PenalisedUntil != "" && e.PenalisedUntil >= day,
			RecentlyDrawnForTenderer: recent[e.ID] == ReasonRecentTenderer, AlreadyDrawn: recent[e.ID] == ReasonAlreadyDrawn})
	}
	return pool, nil
}

// recentExperts are the experts drawn (and not declined) for this project
// already, or for another project of the same tenderer within the window.
func (s *Service) recentExperts(ctx context.Context, p *Project) (map[int64]string, error) {
	out := map[int64]string{}
	since := s.Clock.Now().AddDate(0, 0, -s.recentDays())
	if s.recentDays() < 0 {
		since = s.Clock.Now().Add(time.Hour)
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT a.expert_id, a.project_id FROM draw_assignments a JOIN draw_projects p ON p.id = a.project_id
		WHERE (a.project_id = $1) OR (p.tenderer_uscc = $2 AND a.created_at >= $3 AND a.status IN ('notified','confirmed'))`,
		p.ID, p.TendererUSCC, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, project int64
		if err := rows.Scan(&id, &project); err != nil {
			return nil, err
		}
		if project == p.ID {
			out[id] = ReasonAlreadyDrawn
		} else if out[id] == "" {
			out[id] = ReasonRecentTenderer
		}
	}
	return out, rows.Err()
}

// applyExperts stores the drawn experts: members are notified, reserves
// wait in drawn order.
func (s *Service) applyExperts(ctx context.Context, d *Draw, rec *Record) error {
	p, err := s.project(ctx, d.ProjectID)
	if err != nil {
		return err
	}
	byAlias, err := s.aliases(ctx, p)
	if err != nil {
		return err
	}
	for _, pk := range rec.Picks {
		expertID, ok := byAlias[pk.ID]
		if !ok {
			return fmt.Errorf("draw: no expert has the pseudonym %s on project %d", pk.ID, p.ID)
		}
		alias := pk.ID
		if p.aliasSalt == "" {
			alias = ""
		}
		var id int64
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO draw_assignments (draw_id, project_id, expert_id, group_name, draw_order,
			reserve, status, created_at, alias) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`, d.ID, p.ID, expertID, pk.Group, pk.Order,
			pk.Reserve, AsgStandby, s.Clock.Now(), alias).Scan(&id); err != nil {
			return err
		}
		if !pk.Reserve {
			if err := s.callExpert(ctx, p, id, 0); err != nil {
				return err
			}
		}
	}
	_, err = s.DB.Q(ctx).Exec(ctx, "UPDATE draw_projects SET status = 'drawing', updated_at = $1 WHERE id = $2 AND status = 'registered'", s.Clock.Now(), p.ID)
	return err
}

// aliases maps the project's expert pseudonyms to pool ids.
func (s *Service) aliases(ctx context.Context, p *Project) (map[string]int64, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, pseudonym FROM draw_experts")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var ps string
		if err := rows.Scan(&id, &ps); err != nil {
			return nil, err
		}
		out[Alias(p.aliasSalt, ps)] = id
	}
	return out, rows.Err()
}

// aliasCol is the pseudonym under which an assignment's expert appears
// (the per-project alias; the pool pseudonym for older projects). Queries
// using it name draw_assignments "a" and draw_experts "e".
const aliasCol = "COALESCE(NULLIF(a.alias, ''), e.pseudonym)"

// callExpert asks an assignment's expert to confirm: a token, a deadline
// and an in-app + SMS message with the answer link.
func (s *Service) callExpert(ctx context.Context, p *Project, asgID, replaces int64) error {
	raw := make([]byte, 16)
	if _, err := io.ReadFull(s.rand(), raw); err != nil {
		return err
	}
	token := hex.EncodeToString(raw)
	deadline := s.Clock.Now().Add(s.responseWindow())
	var rep any
	if replaces != 0 {
		rep = replaces
	}
	if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE draw_assignments SET status = $1, token_hash = $2, deadline_at = $3, replaces_id = $4
		WHERE id = $5`, AsgNotified, tokenHash(token), deadline, rep, asgID); err != nil {
		return err
	}
	var userID int64
	var phoneEnc []byte
	if err := s.DB.Q(ctx).QueryRow(ctx, `SELECT COALESCE(e.user_id, 0), e.phone_enc FROM draw_assignments a
		JOIN draw_experts e ON e.id = a.expert_id WHERE a.id = $1`, asgID).Scan(&userID, &phoneEnc); err != nil {
		return err
	}
	// One recipient: the expert's account (in-app) and the pool's phone
	// (SMS). Two recipients would get every channel each, an in-app
	// message to the phone alone failing for want of an account.
	var to []notify.Recipient
	var channels []string
	rcpt := notify.Recipient{UserID: userID}
	if userID != 0 {
		channels = append(channels, "inapp")
	}
	if len(phoneEnc) > 0 {
		phone, err := s.Keys.Decrypt(phoneEnc)
		if err != nil {
			return err
		}
		rcpt.Phone, channels = phone, append(channels, "sms")
	}
	if len(channels) > 0 {
		to = []notify.Recipient{rcpt}
	}
	if err := s.Audit.Record(ctx, "draw.expert.notify", "draw_assignment", strconv.FormatInt(asgID, 10), nil, deadline, p.Code); err != nil {
		return err
	}
	if len(to) == 0 {
		return nil
	}
	_, err := s.Notify.Send(ctx, notify.Message{Type: MsgExpertDrawn, To: to, Channels: channels,
		ObjectType: "draw_assignment", ObjectID: strconv.FormatInt(asgID, 10), Link: "/draws/answer/" + token,
		Data: map[string]any{"project": p.Code, "opening": p.OpeningAt.In(shanghai).Format("2006-01-02 15:04"),
			"deadline": deadline.In(shanghai).Format("2006-01-02 15:04"), "link": s.BaseURL + "/draws/answer/" + token}})
	return err
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Invitation is what the answer page shows for a token.
type Invitation struct {
	AssignmentID int64     `json:"assignment_id"`
	ExpertName   string    `json:"expert_name"`
	ProjectCode  string    `json:"project_code"`
	OpeningAt    time.Time `json:"opening_at"`
	DeadlineAt   time.Time `json:"deadline_at"`
	Status       string    `json:"status"`
}

// Invitation looks up an answer token (the token is the credential).
func (s *Service) Invitation(ctx context.Context, token string) (*Invitation, error) {
	var inv Invitation
	var deadline *time.Time
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT a.id, e.name, p.code, p.opening_at, a.deadline_at, a.status FROM draw_assignments a
		JOIN draw_experts e ON e.id = a.expert_id JOIN draw_projects p ON p.id = a.project_id WHERE a.token_hash = $1`,
		tokenHash(token)).Scan(&inv.AssignmentID, &inv.ExpertName, &inv.ProjectCode, &inv.OpeningAt, &deadline, &inv.Status)
	if db.IsNoRows(err) || token == "" {
		return nil, yserr.ErrNotFound("邀请", "invitation")
	}
	if deadline != nil {
		inv.DeadlineAt = *deadline
	}
	return &inv, err
}

// Answer confirms or declines an invitation before its deadline. A decline
// calls the next reserve of the same group in drawn order.
func (s *Service) Answer(ctx context.Context, token string, accept bool) error {
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		inv, err := s.Invitation(ctx, token)
		if err != nil {
			return err
		}
		if inv.Status != AsgNotified {
			return yserr.New(yserr.Conflict, "该邀请已答复或已失效", "this invitation was already answered or has lapsed")
		}
		if s.Clock.Now().After(inv.DeadlineAt) {
			return yserr.New(yserr.Conflict, "已超过答复期限", "the deadline to answer has passed")
		}
		status := AsgConfirmed
		if !accept {
			status = AsgDeclined
		}
		return s.settle(ctx, inv.AssignmentID, status)
	})
}

// settle closes an assignment and, unless confirmed, calls the next reserve.
func (s *Service) settle(ctx context.Context, asgID int64, status string) error {
	if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE draw_assignments SET status = $1, responded_at = $2 WHERE id = $3 AND status = $4",
		status, s.Clock.Now(), asgID, AsgNotified); err != nil {
		return err
	}
	if err := s.Audit.Record(ctx, "draw.expert."+status, "draw_assignment", strconv.FormatInt(asgID, 10), AsgNotified, status, ""); err != nil {
		return err
	}
	if status == AsgConfirmed {
		return nil
	}
	return s.callReserve(ctx, asgID)
}

func (s *Service) callReserve(ctx context.Context, asgID int64) error {
	var projectID int64
	var group string
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT project_id, group_name FROM draw_assignments WHERE id = $1", asgID).Scan(&projectID, &group); err != nil {
		return err
	}
	var next int64
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT id FROM draw_assignments WHERE project_id = $1 AND group_name = $2 AND status = $3
		ORDER BY draw_id, draw_order LIMIT 1`, projectID, group, AsgStandby).Scan(&next)
	if db.IsNoRows(err) {
		return s.Audit.Record(ctx, "draw.reserves_exhausted", "draw_project", strconv.FormatInt(projectID, 10), nil, nil,
			"group "+group+": a redraw is needed")
	}
	if err != nil {
		return err
	}
	p, err := s.project(ctx, projectID)
	if err != nil {
		return err
	}
	if err := s.Audit.Record(ctx, "draw.reserve.called", "draw_assignment", strconv.FormatInt(next, 10), asgID, next, "replaces "+strconv.FormatInt(asgID, 10)); err != nil {
		return err
	}
	return s.callExpert(ctx, p, next, asgID)
}

// ExpireDue marks unanswered invitations past their deadline as expired and
// calls reserves (the periodic job draw.expire). It returns how many expired.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	ctx = auth.WithActor(ctx, auth.System("draw.expire"))
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id FROM draw_assignments WHERE status = $1 AND deadline_at < $2 ORDER BY id",
		AsgNotified, s.Clock.Now())
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := s.DB.WithTx(ctx, func(ctx context.Context) error { return s.settle(ctx, id, AsgExpired) }); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// Assignments lists a project's drawn experts under their per-project
// pseudonyms. Names are shown to those who may see them (seesNames).
func (s *Service) Assignments(ctx context.Context, projectID int64) ([]Assignment, error) {
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	names := seesNames(ctx, p)
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT a.id, a.draw_id, a.project_id, a.expert_id, `+aliasCol+`, e.name, a.group_name,
		a.draw_order, a.reserve, a.status, a.deadline_at, a.responded_at, COALESCE(a.replaces_id, 0), COALESCE(r.code, '')
		FROM draw_assignments a JOIN draw_experts e ON e.id = a.expert_id LEFT JOIN draw_rooms r ON r.id = a.room_id
		WHERE a.project_id = $1 ORDER BY a.draw_id, a.group_name DESC, a.draw_order`, projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		var a Assignment
		if err := rows.Scan(&a.ID, &a.DrawID, &a.ProjectID, &a.ExpertID, &a.Pseudonym, &a.Name, &a.Group, &a.Order, &a.Reserve,
			&a.Status, &a.DeadlineAt, &a.RespondedAt, &a.ReplacesID, &a.Room); err != nil {
			return nil, err
		}
		if !names {
			a.Name, a.ExpertID = "", 0
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// MsgExpertDrawn is the message type sent to a drawn expert.
const MsgExpertDrawn = "draw.expert_drawn"

// RegisterMessages registers the module's message types (once per process).
func RegisterMessages() {
	if _, ok := notify.LookupType(MsgExpertDrawn); ok {
		return
	}
	vars := []notify.Variable{
		{Name: "project", ZH: "项目编号", EN: "project code", Example: "ZB-20261201-0A1B2C3D4E"},
		{Name: "opening", ZH: "开标时间", EN: "opening time", Example: "2026-12-03 09:00"},
		{Name: "deadline", ZH: "答复期限", EN: "answer by", Example: "2026-12-01 11:00"},
		{Name: "link", ZH: "答复链接", EN: "answer link", Example: "https://ys.example/draws/answer/abc"},
	}
	notify.RegisterType(notify.MessageType{Key: MsgExpertDrawn, NameZH: "评标专家抽中通知", NameEN: "Evaluation expert drawn",
		Variables: vars, Defaults: map[string]map[string]notify.Template{
			"inapp": {"zh-CN": {Subject: "您被抽中为评标专家", Body: "项目 {{.project}}，开标时间 {{.opening}}。请于 {{.deadline}} 前确认或谢绝：{{.link}}"},
				"en": {Subject: "You were drawn as an evaluation expert", Body: "Project {{.project}}, opening {{.opening}}. Confirm or decline by {{.deadline}}: {{.link}}"}},
			"sms": {"zh-CN": {Body: "【营商】您被抽中为项目{{.project}}评标专家（{{.opening}}），请于{{.deadline}}前确认：{{.link}}"},
				"en": {Body: "Drawn as expert for {{.project}} ({{.opening}}); answer by {{.deadline}}: {{.link}}"}},
		}})
}
