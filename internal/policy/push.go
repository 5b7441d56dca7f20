package policy

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/jobs"
	"yingshang/internal/notify"
	"yingshang/internal/policy/rules"
)

// Targeted push (精准推送). When a policy is published, and when an
// entity's facts make it newly match a published policy, the entity's
// enterprise users get a message (in-app and SMS, and a webhook event for
// WeChat or other channels) linking to the policy's page. Each policy
// reaches an entity once (policy_pushes is unique on policy and entity).
// A push whose in-app message is still unread after RepushDays is pushed
// again, once. No entity gets more than WeekCap push messages (pushes and
// re-pushes) in a calendar week (Monday to Sunday, Asia/Shanghai); a push
// over the cap is recorded as held and goes out when a later week has room.
// The read state is the notify package's: messages carry the object
// policy_push/<id>, asked through notify.ReadByObject.

// Push statuses.
const (
	PushSent = "sent" // the message went out
	PushHeld = "held" // held back by the weekly cap, to go out later
)

// Push causes.
const (
	CausePublish = "publish"
	CauseFacts   = "facts"
)

// Defaults of the push settings (module settings policy-push-repush-days
// and policy-push-week-cap).
const (
	DefaultRepushDays = 3
	DefaultWeekCap    = 3
)

// MsgPush is the message type of a push.
const MsgPush = "policy.push"

// PushObject is the notify object type of push messages.
const PushObject = "policy_push"

// PushInterval is how often the push job runs.
const PushInterval = 10 * time.Minute

func (s *Service) repushAfter() time.Duration {
	d := s.RepushDays
	if d <= 0 {
		d = DefaultRepushDays
	}
	return time.Duration(d) * 24 * time.Hour
}

func (s *Service) weekCap() int {
	if s.WeekCap <= 0 {
		return DefaultWeekCap
	}
	return s.WeekCap
}

// weekStart is the start of the calendar week (Monday 00:00 Asia/Shanghai)
// holding t.
func weekStart(t time.Time) time.Time {
	l := t.In(calendar.Shanghai)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, calendar.Shanghai)
	back := (int(day.Weekday()) + 6) % 7 // days since Monday
	return day.AddDate(0, 0, -back).UTC()
}

func registerPush() {
	registerPushNotice()
	vars := []notify.Variable{
		{Name: "policy", ZH: "政策名称", EN: "policy", Example: "研发费用后补助"},
		{Name: "department", ZH: "发文部门", EN: "issuing department", Example: "许昌市科学技术局"},
		{Name: "amount", ZH: "预计金额", EN: "estimated amount", Example: "¥120,000.00"},
		{Name: "mode_zh", ZH: "兑现方式（中文）", EN: "delivery (Chinese)", Example: "免申即享"},
		{Name: "mode_en", ZH: "兑现方式（英文）", EN: "delivery (English)", Example: "automatic (no application)"},
	}
	notify.RegisterType(notify.MessageType{Key: MsgPush, NameZH: "惠企政策精准推送", NameEN: "Policy match push", Variables: vars,
		Defaults: map[string]map[string]notify.Template{
			notify.ChannelSMS: {
				notify.LangZH: {Body: "【惠企政策】贵企业符合{{.department}}“{{.policy}}”（{{.mode_zh}}），预计可享{{.amount}}。"},
				notify.LangEN: {Body: "Your business qualifies for \"{{.policy}}\" ({{.department}}, {{.mode_en}}): about {{.amount}}."},
			},
			notify.ChannelInApp: {
				notify.LangZH: {Subject: "您符合惠企政策“{{.policy}}”", Body: "贵企业符合{{.department}}发布的“{{.policy}}”（{{.mode_zh}}），预计可享{{.amount}}。请查看政策详情。"},
				notify.LangEN: {Subject: "You qualify: {{.policy}}", Body: "Your business qualifies for \"{{.policy}}\" issued by {{.department}} ({{.mode_en}}), about {{.amount}}. See the policy."},
			},
		}})
}

// PushResult counts what a push pass did.
type PushResult struct {
	Matched  int `json:"matched" doc:"entities matching, not pushed before"`
	Sent     int `json:"sent"`
	Held     int `json:"held" doc:"held back by the weekly cap"`
	Released int `json:"released" doc:"held pushes sent now"`
	Repushed int `json:"repushed" doc:"unread pushes pushed again"`
}

// weekCount counts the push messages (pushes and re-pushes) an entity got
// since from.
func (s *Service) weekCount(ctx context.Context, entityID int64, from time.Time) (int, error) {
	var n int
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM policy_pushes WHERE entity_id = $1 AND sent_at >= $2) +
		(SELECT COUNT(*) FROM policy_pushes WHERE entity_id = $1 AND repushed_at >= $2)`, entityID, from).Scan(&n)
	return n, err
}

// pushPolicy records and sends the pushes of one published policy to
// every entity matching its current version that it has not reached yet.
// Each entity is one transaction: a pass killed half-way leaves each push
// recorded with its message or not at all, and the next pass goes on.
func (s *Service) pushPolicy(ctx context.Context, p *Policy, cause string, res *PushResult) error {
	prog, err := s.program(ctx, p.ID, p.Version)
	if err != nil {
		return err
	}
	pushed, err := s.pushedTo(ctx, p.ID)
	if err != nil {
		return err
	}
	env := s.env()
	type hit struct {
		id      int64
		amount  int64
		matched bool
	}
	var hits []hit
	err = s.EachFacts(ctx, p.FactYear, needsCredit(prog), func(f *rules.Facts) error {
		if pushed[f.EntityID] {
			return nil
		}
		reach, matched := aim(p, prog, f, env)
		if !reach {
			return nil
		}
		h := hit{id: f.EntityID, matched: matched}
		if matched {
			h.amount = prog.Explain(f, env).AmountFen
		}
		hits = append(hits, h)
		return nil
	})
	if err != nil {
		return err
	}
	res.Matched += len(hits)
	for _, h := range hits {
		if err := s.pushOne(ctx, p, h.id, h.amount, h.matched, cause, res); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) pushedTo(ctx context.Context, policyID int64) (map[int64]bool, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT entity_id FROM policy_pushes WHERE policy_id = $1", policyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// pushOne records one push (sent, or held when the entity's week is
// full) with its message and audit event, in one transaction.
func (s *Service) pushOne(ctx context.Context, p *Policy, entityID, amount int64, matched bool, cause string, res *PushResult) error {
	now := s.now()
	var status string
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.weekCount(ctx, entityID, weekStart(now))
		if err != nil {
			return err
		}
		status = PushSent
		var sentAt any = now
		if n >= s.weekCap() {
			status, sentAt = PushHeld, nil
		}
		var id int64
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO policy_pushes (policy_id, version, entity_id, cause, status, created_at, sent_at, by_tags, rule_matched)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, p.ID, p.Version, entityID, cause, status, now, sentAt,
			b2i(len(p.TargetTags) > 0), b2i(matched)).Scan(&id); err != nil {
			return err
		}
		if status == PushSent {
			if err := s.sendPush(ctx, p, id, entityID, amount, matched); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "policy.push."+status, PushObject, strconv.FormatInt(id, 10), nil,
			map[string]any{"policy_id": p.ID, "version": p.Version, "entity_id": entityID, "cause": cause, "status": status}, "")
	})
	if db.IsUnique(err) {
		return nil // a concurrent pass pushed it
	}
	if err != nil {
		return err
	}
	// Counted after the commit, so a failed transaction counts nothing.
	if status == PushSent {
		res.Sent++
	} else {
		res.Held++
	}
	return nil
}

// sendPush queues the push message to the entity's enterprise users (and
// the webhooks subscribed to policy.push), in the caller's transaction,
// and records how many users it reached.
func (s *Service) sendPush(ctx context.Context, p *Policy, pushID, entityID, amount int64, matched bool) error {
	var to []notify.Recipient
	if s.Accounts != nil {
		users, err := s.Accounts.EntityUsers(ctx, []int64{entityID}, auth.Enterprise)
		if err != nil {
			return err
		}
		for _, u := range users[entityID] {
			to = append(to, notify.Recipient{UserID: u})
		}
	}
	if s.Notify != nil {
		var channels []string
		if len(to) > 0 {
			channels = []string{notify.ChannelInApp, notify.ChannelSMS}
		}
		ref, err := s.Entities.Ref(ctx, entityID, "")
		if err != nil {
			return err
		}
		amountText := "—"
		if amount > 0 {
			amountText = rules.Fen(amount)
		}
		typ := MsgPush
		if !matched {
			typ = MsgPushNotice // a heads-up by tags: the rule is not met
		}
		if _, err := s.Notify.Send(ctx, notify.Message{Type: typ, To: to, Channels: channels,
			Data: map[string]any{"policy": p.Title, "department": p.DepartmentName, "amount": amountText, "tags": strings.Join(p.TargetTags, "、"),
				"mode_zh": Label(p.Mode, "zh"), "mode_en": Label(p.Mode, "en"),
				"entity_id": entityID, "entity": ref.Name, "uscc": ref.USCC},
			ObjectType: PushObject, ObjectID: strconv.FormatInt(pushID, 10),
			Link: "/policy-list/" + strconv.FormatInt(p.ID, 10)}); err != nil {
			return err
		}
	}
	_, err := s.DB.Q(ctx).Exec(ctx, "UPDATE policy_pushes SET recipients = $1 WHERE id = $2", len(to), pushID)
	return err
}

// RunPushes is one pass of the push job: it pushes every live policy to
// the entities that newly match it (facts imported since the last pass),
// or only policy policyID when it is not 0 (a pass right after it was
// published: the pushes' cause is "publish"); sends held pushes when their
// entity's week has room; and pushes again, once, the pushes still
// unread RepushDays after they went out. Every step is idempotent, so a
// pass may run twice or be killed half-way.
func (s *Service) RunPushes(ctx context.Context, policyID int64) (*PushResult, error) {
	ctx = system(ctx)
	res := &PushResult{}
	list, err := s.live(ctx)
	if err != nil {
		return nil, err
	}
	// Oldest policy first: when the weekly cap holds pushes back, the
	// later policies wait.
	slices.SortFunc(list, func(a, b *Policy) int { return cmp.Compare(a.ID, b.ID) })
	byID := map[int64]*Policy{}
	for _, p := range list {
		if err := s.loadTargets(ctx, p); err != nil {
			return res, err
		}
		byID[p.ID] = p
		if policyID != 0 && p.ID != policyID {
			continue
		}
		cause := CauseFacts
		if policyID != 0 {
			cause = CausePublish
		}
		if err := s.pushPolicy(ctx, p, cause, res); err != nil {
			return res, err
		}
	}
	if err := s.releaseHeld(ctx, byID, res); err != nil {
		return res, err
	}
	return res, s.repush(ctx, byID, res)
}

type pushRow struct {
	id, policyID, entityID int64
}

func (s *Service) pushRows(ctx context.Context, q string, args ...any) ([]pushRow, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pushRow
	for rows.Next() {
		var r pushRow
		if err := rows.Scan(&r.id, &r.policyID, &r.entityID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

const pushBatch = 500

// releaseHeld sends the held pushes of live policies, oldest first, to
// entities whose week has room and that still match.
func (s *Service) releaseHeld(ctx context.Context, live map[int64]*Policy, res *PushResult) error {
	var after int64
	for {
		batch, err := s.pushRows(ctx, "SELECT id, policy_id, entity_id FROM policy_pushes WHERE status = 'held' AND id > $1 ORDER BY id LIMIT $2", after, pushBatch)
		if err != nil {
			return err
		}
		for _, r := range batch {
			after = r.id
			p := live[r.policyID]
			if p == nil {
				continue
			}
			amount, ok, matched, err := s.aimOne(ctx, p, r.entityID)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			now := s.now()
			sent := false
			err = s.DB.WithTx(ctx, func(ctx context.Context) error {
				n, err := s.weekCount(ctx, r.entityID, weekStart(now))
				if err != nil || n >= s.weekCap() {
					return err
				}
				m, err := s.DB.Q(ctx).Exec(ctx, "UPDATE policy_pushes SET status = 'sent', sent_at = $1, version = $2, rule_matched = $3 WHERE id = $4 AND status = 'held'",
					now, p.Version, b2i(matched), r.id)
				if err != nil || m != 1 {
					return err
				}
				if err := s.sendPush(ctx, p, r.id, r.entityID, amount, matched); err != nil {
					return err
				}
				sent = true
				return s.Audit.Record(ctx, "policy.push.released", PushObject, strconv.FormatInt(r.id, 10),
					map[string]string{"status": PushHeld}, map[string]string{"status": PushSent}, "")
			})
			if err != nil {
				return err
			}
			if sent {
				res.Released++
			}
		}
		if len(batch) < pushBatch {
			return nil
		}
	}
}

// repush pushes again, once, the sent pushes of live policies whose in-app
// message nobody has read RepushDays after it went out, when the entity's
// week has room (else a later pass does it).
func (s *Service) repush(ctx context.Context, live map[int64]*Policy, res *PushResult) error {
	now := s.now()
	cutoff := now.Add(-s.repushAfter())
	var after int64
	for {
		batch, err := s.pushRows(ctx, `SELECT id, policy_id, entity_id FROM policy_pushes WHERE status = 'sent' AND recipients > 0
			AND repushed_at IS NULL AND sent_at <= $1 AND id > $2 ORDER BY id LIMIT $3`, cutoff, after, pushBatch)
		if err != nil {
			return err
		}
		ids := make([]string, len(batch))
		for i, r := range batch {
			ids[i] = strconv.FormatInt(r.id, 10)
		}
		var read map[string]time.Time
		if s.Notify != nil {
			if read, err = s.Notify.ReadByObject(ctx, PushObject, ids); err != nil {
				return err
			}
		}
		for i, r := range batch {
			after = r.id
			p := live[r.policyID]
			if _, ok := read[ids[i]]; ok || p == nil {
				continue
			}
			amount, _, matched, err := s.aimOne(ctx, p, r.entityID)
			if err != nil {
				return err
			}
			sent := false
			err = s.DB.WithTx(ctx, func(ctx context.Context) error {
				n, err := s.weekCount(ctx, r.entityID, weekStart(now))
				if err != nil || n >= s.weekCap() {
					return err
				}
				m, err := s.DB.Q(ctx).Exec(ctx, "UPDATE policy_pushes SET repushed_at = $1 WHERE id = $2 AND repushed_at IS NULL", now, r.id)
				if err != nil || m != 1 {
					return err
				}
				if err := s.sendPush(ctx, p, r.id, r.entityID, amount, matched); err != nil {
					return err
				}
				sent = true
				return s.Audit.Record(ctx, "policy.push.repush", PushObject, strconv.FormatInt(r.id, 10), nil,
					map[string]any{"unread_days": s.repushAfter().Hours() / 24}, "")
			})
			if err != nil {
				return err
			}
			if sent {
				res.Repushed++
			}
		}
		if len(batch) < pushBatch {
			return nil
		}
	}
}

// PushStats are the push figures of the dashboard.
type PushStats struct {
	Pushes   int64   `json:"pushes" doc:"pushes sent"`
	Held     int64   `json:"held" doc:"pushes held back by the weekly cap, not sent yet"`
	Repushed int64   `json:"repushed" doc:"unread pushes pushed again"`
	Reached  int64   `json:"reached" doc:"sent pushes with an in-app message"`
	Read     int64   `json:"read" doc:"of those, read"`
	ReadRate float64 `json:"read_rate" doc:"read ÷ reached, 0..1"`
	// ReadPercent is ReadRate as shown, e.g. 66.7%.
	ReadPercent string `json:"read_percent"`
}

func (s *Service) pushStats(ctx context.Context) (PushStats, error) {
	var st PushStats
	if err := s.DB.Q(ctx).QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'held' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN repushed_at IS NOT NULL THEN 1 ELSE 0 END), 0) FROM policy_pushes`).Scan(&st.Pushes, &st.Held, &st.Repushed); err != nil {
		return st, err
	}
	if s.Notify != nil {
		var err error
		if st.Reached, st.Read, err = s.Notify.ReadCounts(ctx, PushObject); err != nil {
			return st, err
		}
	}
	if st.Reached > 0 {
		st.ReadRate = float64(st.Read) / float64(st.Reached)
	}
	st.ReadPercent = strconv.FormatFloat(st.ReadRate*100, 'f', 1, 64) + "%"
	return st, nil
}

// PushArgs is the push job: a pass of RunPushes (PolicyID 0: every live
// policy). It runs every PushInterval and is enqueued when a policy is
// published or yearly facts are imported.
type PushArgs struct {
	PolicyID int64 `json:"policy_id,omitempty"`
}

// Kind names the job.
func (PushArgs) Kind() string { return "policy.push" }

// RegisterJobs adds the push worker and schedules the pass every
// PushInterval (and once at start). Call before q.Start.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	s.Jobs = q
	jobs.Register[PushArgs](q, &pushWorker{s: s})
	q.Every(PushInterval, func() river.JobArgs { return PushArgs{} }, true)
}

type pushWorker struct {
	river.WorkerDefaults[PushArgs]
	s *Service
}

func (w *pushWorker) Work(ctx context.Context, job *river.Job[PushArgs]) error {
	_, err := w.s.RunPushes(ctx, job.Args.PolicyID)
	return err
}

// queuePush enqueues a push pass in the transaction in ctx; without a
// queue (tests, the CLI) it does nothing and the caller pushes itself.
func (s *Service) queuePush(ctx context.Context, policyID int64) (bool, error) {
	if s.Jobs == nil {
		return false, nil
	}
	return true, s.Jobs.Enqueue(ctx, PushArgs{PolicyID: policyID}, nil)
}

// Push is one policy's push to one entity, with its read state.
type Push struct {
	ID         int64      `json:"id"`
	PolicyID   int64      `json:"policy_id"`
	Version    int        `json:"version"`
	EntityID   int64      `json:"entity_id"`
	Entity     string     `json:"entity"`
	Cause      string     `json:"cause" enum:"publish,facts"`
	Status     string     `json:"status" enum:"sent,held"`
	Recipients int        `json:"recipients" doc:"enterprise users the message went to"`
	CreatedAt  time.Time  `json:"created_at"`
	SentAt     *time.Time `json:"sent_at,omitempty"`
	RepushedAt *time.Time `json:"repushed_at,omitempty"`
	ReadAt     *time.Time `json:"read_at,omitempty" doc:"when the in-app message was first read"`
	ByTags     bool       `json:"by_tags" doc:"aimed by the policy's target tags"`
	Matched    bool       `json:"rule_matched" doc:"the entity met the rule when pushed (false: a heads-up by tags)"`
}

// Pushes lists a policy's pushes (at most 1,000, newest first) with their
// read state: its department's staff, the platform admin and supervisors.
func (s *Service) Pushes(ctx context.Context, policyID int64) ([]Push, error) {
	p, err := s.get(ctx, policyID)
	if err != nil {
		return nil, err
	}
	if _, err := editor(ctx, p.DepartmentID); err != nil && !auth.From(ctx).Has(auth.Supervisor) {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, policy_id, version, entity_id, cause, status, recipients, created_at, sent_at, repushed_at, by_tags, rule_matched
		FROM policy_pushes WHERE policy_id = $1 ORDER BY id DESC LIMIT 1000`, policyID)
	if err != nil {
		return nil, err
	}
	out := []Push{}
	for rows.Next() {
		var x Push
		var byTags, matched int
		if err := rows.Scan(&x.ID, &x.PolicyID, &x.Version, &x.EntityID, &x.Cause, &x.Status, &x.Recipients, &x.CreatedAt, &x.SentAt, &x.RepushedAt, &byTags, &matched); err != nil {
			rows.Close()
			return nil, err
		}
		x.ByTags, x.Matched = byTags == 1, matched == 1
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]string, len(out))
	ents := make([]int64, len(out))
	for i, x := range out {
		ids[i], ents[i] = strconv.FormatInt(x.ID, 10), x.EntityID
	}
	refs, err := s.Entities.Refs(ctx, ents)
	if err != nil {
		return nil, err
	}
	read := map[string]time.Time{}
	if s.Notify != nil && len(ids) > 0 {
		if read, err = s.Notify.ReadByObject(ctx, PushObject, ids); err != nil {
			return nil, err
		}
	}
	for i := range out {
		out[i].Entity = refs[out[i].EntityID].Name
		if at, ok := read[ids[i]]; ok {
			out[i].ReadAt = &at
		}
	}
	return out, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
