package appeal

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/notify"
	"yingshang/internal/workflow"
	"yingshang/internal/yserr"
)

// Appeal is one appeal as a caller may see it.
type Appeal struct {
	ID               int64       `json:"id"`
	Number           string      `json:"number" doc:"YS-YYYY-NNNNNN, unique per year"`
	EntityID         int64       `json:"entity_id,omitempty"`
	EntityName       string      `json:"entity_name,omitempty"`
	USCC             string      `json:"uscc,omitempty"`
	SubmitterID      int64       `json:"submitter_id,omitempty"`
	RegisteredBy     int64       `json:"registered_by,omitempty"`
	PersonName       string      `json:"person_name,omitempty"`
	PersonPhone      string      `json:"person_phone,omitempty" doc:"masked"`
	Channel          string      `json:"channel"`
	Kind             Kind        `json:"kind" enum:"consult,help,complaint,suggestion,praise"`
	Topic            string      `json:"topic"`
	RegionCode       string      `json:"region_code,omitempty"`
	Title            string      `json:"title"`
	Description      string      `json:"description"`
	ContactPref      string      `json:"contact_pref"`
	Publishable      bool        `json:"publishable"`
	State            State       `json:"state"`
	Version          int         `json:"version" doc:"send it back with a transition for optimistic concurrency"`
	LeadDeptID       int64       `json:"lead_dept_id,omitempty"`
	LeadDeptName     string      `json:"lead_dept_name,omitempty"`
	HandlerID        int64       `json:"handler_id,omitempty"`
	MergedInto       int64       `json:"merged_into,omitempty"`
	ReopenCount      int         `json:"reopen_count"`
	SupervisionLevel int         `json:"supervision_level"`
	ExtensionDays    int         `json:"extension_days"`
	ExtRequestedDays int         `json:"ext_requested_days,omitempty" doc:"a pending extension request"`
	ExtReason        string      `json:"ext_reason,omitempty"`
	Reply            string      `json:"reply,omitempty"`
	Rating           string      `json:"rating,omitempty" enum:",satisfied,basic,unsatisfied"`
	RatingComment    string      `json:"rating_comment,omitempty"`
	ClockStart       time.Time   `json:"clock_start"`
	SubmittedAt      time.Time   `json:"submitted_at"`
	FirstResponseAt  *time.Time  `json:"first_response_at,omitempty"`
	RepliedAt        *time.Time  `json:"replied_at,omitempty"`
	RatedAt          *time.Time  `json:"rated_at,omitempty"`
	FollowedUpAt     *time.Time  `json:"followed_up_at,omitempty"`
	ClosedAt         *time.Time  `json:"closed_at,omitempty"`
	PausedSince      *time.Time  `json:"paused_since,omitempty"`
	FirstResponseDue *time.Time  `json:"first_response_due,omitempty"`
	ReplyDue         *time.Time  `json:"reply_due,omitempty"`
	FollowupDue      *time.Time  `json:"followup_due,omitempty"`
	ReplyOnTime      *bool       `json:"reply_on_time,omitempty"`
	HandlingWorkdays *int        `json:"handling_workdays,omitempty" doc:"working days from submission to the reply"`
	FRAlert          int         `json:"-"`
	ReplyAlert       int         `json:"-"`
	FUAlert          int         `json:"-"`
	CoHandlers       []CoHandler `json:"co_handlers,omitempty"`
	CreatedAt        time.Time   `json:"created_at"`
	UpdatedAt        time.Time   `json:"updated_at"`

	phoneEnc []byte
}

// CoHandler is a co-handling department (协办) and its part.
type CoHandler struct {
	DeptID   int64      `json:"dept_id"`
	DeptName string     `json:"dept_name"`
	Note     string     `json:"note,omitempty"`
	NotedAt  *time.Time `json:"noted_at,omitempty"`
}

// Open reports whether the appeal is still being worked on.
func (a *Appeal) Open() bool { return !contains(closedStates, a.State) }

// appealCols are the appeal's own columns; the entity's name and code and
// the lead department's name come from their owners (withNames).
const appealCols = `a.id, a.number, COALESCE(a.entity_id, 0), COALESCE(a.submitter_id, 0),
	COALESCE(a.registered_by, 0), a.person_name, a.person_phone_enc, a.person_phone_mask, a.channel, a.kind, a.topic, a.region_code,
	a.title, a.description, a.contact_pref, a.publishable, a.state, a.version, COALESCE(a.lead_dept_id, 0),
	COALESCE(a.handler_id, 0), COALESCE(a.merged_into, 0), a.reopen_count, a.supervision_level, a.extension_days,
	a.ext_requested_days, a.ext_reason, a.reply, a.rating, a.rating_comment, a.clock_start, a.submitted_at, a.first_response_at,
	a.replied_at, a.rated_at, a.followed_up_at, a.closed_at, a.paused_since, a.first_response_due, a.reply_due, a.followup_due,
	a.reply_on_time, a.handling_workdays, a.fr_alert, a.reply_alert, a.fu_alert, a.created_at, a.updated_at`

const appealFrom = ` FROM appeals a`

// withNames fills in the entities' names and credit codes and the lead
// departments' names of the appeals, one query each for all of them.
func (s *Service) withNames(ctx context.Context, as []*Appeal) error {
	var ents, depts []int64
	for _, a := range as {
		if a.EntityID != 0 {
			ents = append(ents, a.EntityID)
		}
		if a.LeadDeptID != 0 {
			depts = append(depts, a.LeadDeptID)
		}
	}
	refs, err := s.Entities.Refs(ctx, ents)
	if err != nil {
		return err
	}
	names, err := s.Accounts.DepartmentRefs(ctx, depts)
	if err != nil {
		return err
	}
	for _, a := range as {
		e := refs[a.EntityID]
		a.EntityName, a.USCC, a.LeadDeptName = e.Name, e.USCC, names[a.LeadDeptID].Name
	}
	return nil
}

func scanAppeal(r db.Row) (*Appeal, error) {
	var a Appeal
	var kind, state string
	err := r.Scan(&a.ID, &a.Number, &a.EntityID, &a.SubmitterID, &a.RegisteredBy, &a.PersonName,
		&a.phoneEnc, &a.PersonPhone, &a.Channel, &kind, &a.Topic, &a.RegionCode, &a.Title, &a.Description, &a.ContactPref,
		&a.Publishable, &state, &a.Version, &a.LeadDeptID, &a.HandlerID, &a.MergedInto, &a.ReopenCount,
		&a.SupervisionLevel, &a.ExtensionDays, &a.ExtRequestedDays, &a.ExtReason, &a.Reply, &a.Rating, &a.RatingComment,
		&a.ClockStart, &a.SubmittedAt, &a.FirstResponseAt, &a.RepliedAt, &a.RatedAt, &a.FollowedUpAt, &a.ClosedAt,
		&a.PausedSince, &a.FirstResponseDue, &a.ReplyDue, &a.FollowupDue, &a.ReplyOnTime, &a.HandlingWorkdays,
		&a.FRAlert, &a.ReplyAlert, &a.FUAlert, &a.CreatedAt, &a.UpdatedAt)
	a.Kind, a.State = Kind(kind), State(state)
	return &a, err
}

// load reads an appeal without checking the caller.
func (s *Service) load(ctx context.Context, id int64) (*Appeal, error) {
	return s.loadFrom(ctx, s.DB.W(ctx), id)
}

// loadFrom is load reading the appeal row with q: the writer (or the
// transaction) when the caller may have just changed it in one, a reader
// after a committed insert (which must not wait for the writer, issue 17).
func (s *Service) loadFrom(ctx context.Context, q db.Querier, id int64) (*Appeal, error) {
	a, err := scanAppeal(q.QueryRow(ctx, `SELECT `+appealCols+appealFrom+` WHERE a.id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errNotFound()
	}
	if err != nil {
		return nil, err
	}
	if err := s.withNames(ctx, []*Appeal{a}); err != nil {
		return nil, err
	}
	return a, s.loadCoHandlers(ctx, a)
}

func errNotFound() error { return yserr.ErrNotFound("诉求", "appeal") }

func (s *Service) loadCoHandlers(ctx context.Context, a *Appeal) error {
	rows, err := s.DB.W(ctx).Query(ctx, `SELECT dept_id, note, noted_at FROM appeal_cohandlers WHERE appeal_id = $1 ORDER BY dept_id`, a.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	a.CoHandlers = nil
	var ids []int64
	for rows.Next() {
		var c CoHandler
		if err := rows.Scan(&c.DeptID, &c.Note, &c.NotedAt); err != nil {
			return err
		}
		a.CoHandlers = append(a.CoHandlers, c)
		ids = append(ids, c.DeptID)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	depts, err := s.Accounts.DepartmentRefs(ctx, ids)
	if err != nil {
		return err
	}
	for i := range a.CoHandlers {
		a.CoHandlers[i].DeptName = depts[a.CoHandlers[i].DeptID].Name
	}
	return rows.Err()
}

// Get returns an appeal the caller may see.
func (s *Service) Get(ctx context.Context, id int64) (*Appeal, error) {
	actor, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, err
	}
	if !r.sees(actor, a) {
		return nil, errNotFound()
	}
	return a, nil
}

// GetByNumber returns an appeal by its number (YS-2026-000123).
func (s *Service) GetByNumber(ctx context.Context, number string) (*Appeal, error) {
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT id FROM appeals WHERE number = $1`, strings.TrimSpace(number)).Scan(&id)
	if db.IsNoRows(err) {
		return nil, errNotFound()
	}
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// roles is what an actor is inside the module.
type roles struct {
	dispatcher, intake, supervisor bool
}

// roleSet works out the module roles of actor from the settings.
func (s *Service) roleSet(ctx context.Context, a *auth.Actor) (roles, error) {
	var r roles
	if a == nil {
		return r, nil
	}
	if a.IsSystem() || a.Has(auth.PlatformAdmin) {
		return roles{dispatcher: true, intake: true, supervisor: a.Has(auth.Supervisor)}, nil
	}
	r.supervisor = a.Has(auth.Supervisor)
	if a.DepartmentID == 0 || !a.Has(auth.DeptStaff, auth.DeptAdmin) {
		return r, nil
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return r, err
	}
	depts, err := s.Accounts.DepartmentRefs(ctx, []int64{a.DepartmentID})
	if err != nil {
		return r, err
	}
	code := depts[a.DepartmentID].Code
	r.dispatcher = contains(st.DispatchDepts, code)
	r.intake = r.dispatcher || contains(st.IntakeDepts, code)
	return r, nil
}

// sees reports whether the actor may see appeal a: the office
// (dispatchers), supervisors and intake see all; an enterprise its own; a
// department the appeals it leads or co-handles.
func (r roles) sees(actor *auth.Actor, a *Appeal) bool {
	switch {
	case r.dispatcher || r.supervisor || r.intake:
		return true
	case actor.Has(auth.Enterprise) && (a.EntityID != 0 && a.EntityID == actor.EntityID || a.SubmitterID == actor.UserID):
		return true
	case actor.Has(auth.DeptStaff, auth.DeptAdmin):
		return inScope(actor, a.LeadDeptID) || a.coHandledBy(actor)
	}
	return false
}

func inScope(actor *auth.Actor, dept int64) bool { return dept != 0 && contains(actor.DeptScope, dept) }

func (a *Appeal) coHandledBy(actor *auth.Actor) bool {
	for _, c := range a.CoHandlers {
		if inScope(actor, c.DeptID) {
			return true
		}
	}
	return false
}

// Create registers a new appeal: an enterprise user for its own entity, or
// intake staff on behalf of an entity (by code) or an unregistered person.
func (s *Service) Create(ctx context.Context, in Input) (*Appeal, error) {
	actor, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(st); err != nil {
		return nil, err
	}
	row, err := s.intakeRow(ctx, actor, r, &in)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	// Who is told about the new appeal is read before the write
	// transaction: on SQLite the transaction holds the only writer, so
	// every read inside it delays every other intake (issue 17).
	rcpt, err := s.enterpriseRecipients(ctx, &Appeal{EntityID: row.entityID, SubmitterID: row.submitterID,
		RegisteredBy: row.registeredBy, ContactPref: in.ContactPref})
	if err != nil {
		return nil, err
	}
	// Concurrent intakes share a write transaction (db.Group: one commit
	// for all the intakes waiting at that moment, issue 17).
	var a *Appeal
	err = s.intakeGroup().Do(ctx, func(ctx context.Context) error {
		var err error
		a, err = s.insert(ctx, st, cal, row, &in, rcpt)
		return err
	})
	if err != nil {
		return nil, err
	}
	// The appeal is what insert wrote (written): no reload (three more
	// statements per intake). TestIntakeWrittenIsReloaded holds it equal
	// to a reload.
	return a, nil
}

// intakeGroup is the group of intake write transactions (db.Group): up
// to 16 intakes in one transaction, one such transaction at a time per
// instance. On SQLite the single writer allows no more; on PostgreSQL a
// second concurrent transaction halved the intakes per commit and gained
// nothing (docs/benchmarks.md, "Session 12: intake").
func (s *Service) intakeGroup() *db.Group {
	return s.intakes.Get(func() *db.Group { return s.DB.NewGroup(16, 1) })
}

// IntakeCommits returns how many write transactions intake has committed
// and how many appeals they held (their ratio: appeals per commit).
func (s *Service) IntakeCommits() (txs, appeals int64) { return s.intakeGroup().Stats() }

// intakeRow is who an appeal is from.
type intakeRow struct {
	entityID, submitterID, registeredBy int64
	region                              string
	// The entity's name and credit code, for the appeal returned.
	entityName, uscc string
}

func (s *Service) intakeRow(ctx context.Context, actor *auth.Actor, r roles, in *Input) (intakeRow, error) {
	var row intakeRow
	switch {
	case actor.Has(auth.Enterprise) && actor.EntityID != 0 && !r.intake:
		e, err := s.Entities.Get(ctx, actor.EntityID)
		if err != nil {
			return row, err
		}
		if in.USCC != "" && in.USCC != e.USCC {
			return row, yserr.Field("uscc", "只能为本企业提交诉求", "you can submit appeals only for your own business")
		}
		if in.Channel != "qr" && in.Channel != "open311" {
			in.Channel = "web"
		}
		in.PersonName, in.PersonPhone = "", ""
		row = intakeRow{entityID: e.ID, submitterID: actor.UserID, region: e.RegionCode, entityName: e.Name, uscc: e.USCC}
	case r.intake || actor.IsSystem():
		row.registeredBy = actor.UserID
		if in.Channel == "" || in.Channel == "web" || in.Channel == "qr" {
			in.Channel = "phone"
		}
		if in.USCC != "" {
			e, err := s.Entities.GetByUSCC(ctx, in.USCC)
			if err != nil {
				return row, yserr.Field("uscc", "未找到该统一社会信用代码的经营主体", "no market entity has this credit code")
			}
			row.entityID, row.region, row.entityName, row.uscc = e.ID, e.RegionCode, e.Name, e.USCC
		} else if strings.TrimSpace(in.PersonName) == "" {
			return row, yserr.Field("person_name", "请填写企业代码，或来电人姓名", "give the entity's code or the person's name")
		}
	default:
		return row, yserr.ErrForbidden()
	}
	return row, nil
}

// insert writes a new appeal (its row, timeline step, audit event,
// notifications and dashboard rollup) in the caller's transaction and
// returns it as a reload after the commit would read it (written).
func (s *Service) insert(ctx context.Context, st Settings, cal *calendar.Calendar, row intakeRow, in *Input, rcpt []notify.Recipient) (*Appeal, error) {
	now := s.now()
	year := now.In(shanghai).Year()
	number, id, err := s.takeNumber(ctx, year)
	if err != nil {
		return nil, err
	}
	var phoneEnc []byte
	var phoneMask string
	if in.PersonPhone != "" {
		phoneEnc, phoneMask = s.Keys.Encrypt(in.PersonPhone), ident.MaskMobile(in.PersonPhone)
	}
	a := &Appeal{Kind: in.Kind, Topic: in.Topic, SubmittedAt: now, ClockStart: now, State: Submitted}
	if err := s.computeDeadlines(ctx, cal, st, a); err != nil {
		return nil, err
	}
	// Only the first-response clock runs in "submitted": the reply and
	// follow-up clocks have nothing to send yet (level 3, see syncAlerts).
	// Appended (its id is known): the appeals of intakes that share a
	// transaction (db.Group) go to the database in one INSERT.
	err = s.DB.Append(ctx, "appeals", intakeCols, id, number, year, nullID(row.entityID), nullID(row.submitterID), nullID(row.registeredBy),
		strings.TrimSpace(in.PersonName), phoneEnc, phoneMask, in.Channel, string(in.Kind), in.Topic, row.region, in.Title, in.Description,
		in.ContactPref, in.Publishable, string(Submitted), 1, now, now, a.FirstResponseDue, a.ReplyDue, now, now, 3, 3)
	if err != nil {
		return nil, err
	}
	a.ID, a.Number = id, number
	if err := s.event(ctx, id, "submit", "", Submitted, "", true, now); err != nil {
		return nil, err
	}
	after := map[string]any{"number": number, "kind": in.Kind, "topic": in.Topic, "channel": in.Channel, "entity_id": row.entityID}
	// The state digest from the row as written (appealState's columns),
	// not read back: TestIntakeStateDigest holds the two equal.
	state := s.writtenState(number, year, row, in, phoneMask)
	if err := s.Audit.RecordRow(ctx, "appeal.submit", "appeal", strconv.FormatInt(id, 10), nil, after, "", "appeal", state); err != nil {
		return nil, err
	}
	// The rest of the row as written, with the column defaults.
	a.EntityID, a.EntityName, a.USCC = row.entityID, row.entityName, row.uscc
	a.SubmitterID, a.RegisteredBy = row.submitterID, row.registeredBy
	a.PersonName, a.PersonPhone, a.phoneEnc = strings.TrimSpace(in.PersonName), phoneMask, phoneEnc
	a.Channel, a.RegionCode, a.Title, a.Description = in.Channel, row.region, in.Title, in.Description
	a.ContactPref, a.Publishable, a.Version = in.ContactPref, in.Publishable, 1
	a.ReplyAlert, a.FUAlert = 3, 3
	at := *s.stored(&now)
	a.ClockStart, a.SubmittedAt, a.CreatedAt, a.UpdatedAt = at, at, at, at
	a.FirstResponseDue, a.ReplyDue = s.stored(a.FirstResponseDue), s.stored(a.ReplyDue)
	if err := s.notifyTransitionTo(ctx, a, "submit", "", Submitted, rcpt); err != nil {
		return nil, err
	}
	// The dashboard rollup last: on PostgreSQL its row (today, type, topic,
	// no department, submitted) is shared by concurrent intakes and stays
	// locked until the commit, so it is taken as late as possible.
	return a, s.rollupMove(ctx, nil, a)
}

// intakeCols are the columns an intake writes when the appeal's id is
// known (the others take their defaults).
var intakeCols = []string{"id", "number", "year", "entity_id", "submitter_id", "registered_by", "person_name",
	"person_phone_enc", "person_phone_mask", "channel", "kind", "topic", "region_code", "title", "description", "contact_pref", "publishable",
	"state", "version", "clock_start", "submitted_at", "first_response_due", "reply_due", "created_at", "updated_at", "reply_alert", "fu_alert"}

// writtenState is a new appeal's row as appealState reads it (after the
// id): the values insert wrote and the column defaults, as text.
func (s *Service) writtenState(number string, year int, row intakeRow, in *Input, phoneMask string) []*string {
	str := func(v string) *string { return &v }
	id := func(n int64) *string {
		if n == 0 {
			return nil
		}
		return str(strconv.FormatInt(n, 10))
	}
	publishable := "false"
	if s.DB.Dialect == db.SQLite {
		publishable = "0"
		if in.Publishable {
			publishable = "1"
		}
	} else if in.Publishable {
		publishable = "true"
	}
	zero, empty := str("0"), str("")
	return []*string{str(number), str(strconv.Itoa(year)), id(row.entityID), id(row.submitterID),
		id(row.registeredBy), str(strings.TrimSpace(in.PersonName)), str(phoneMask), str(in.Channel), str(string(in.Kind)), str(in.Topic), str(row.region), str(in.Title), str(in.Description),
		str(in.ContactPref), str(publishable), str(string(Submitted)), str("1"), nil, nil,
		nil, zero, zero, zero,
		zero, empty, empty, empty, empty}
}

// stored is instant t as the database gives it back: SQLite in UTC with
// its nanoseconds (a deadline's 23:59:59.999999999); PostgreSQL cut to
// the microsecond (pgx sends whole microseconds) in the process's local
// time zone (pgx reads timestamptz so).
func (s *Service) stored(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	if s.DB.Dialect == db.Postgres {
		u = u.Truncate(time.Microsecond).Local()
	}
	return &u
}

// numberKey keys a transaction's numberAlloc of a year (db.Local).
type numberKey struct{ year int }

// numberAlloc hands out the appeal numbers and ids of a transaction's
// intakes (several when intakes share the transaction, db.Group).
type numberAlloc struct {
	// PostgreSQL: numbers and ids drawn from their sequences, not yet
	// handed out (ascending).
	nums, ids []int64
	// SQLite: the last number and id handed out (read once, the counter
	// written at the commit).
	loaded      bool
	last, maxID int64
}

// takeNumber takes the next number of the year and the new appeal's id,
// in the caller's transaction. On PostgreSQL the first intake of a
// transaction draws the numbers and ids of all the intakes sharing it
// from the year's sequence (numberSeq) and the appeals' identity
// sequence, in one statement, so that the INSERTs that follow need no
// answer (db.Append: sent with the commit); a transaction that fails
// leaves a gap in the year's numbers, which stay unique and, within an
// instance, in the order of the commits. On SQLite (one writer at a time)
// the year's counter row and the largest id are read once per transaction
// and the counter written at its commit: numbers without gaps, ids as
// SQLite would have chosen them.
func (s *Service) takeNumber(ctx context.Context, year int) (string, int64, error) {
	al, _ := db.Local(ctx, numberKey{year}, func() *numberAlloc { return &numberAlloc{} })
	var n, id int64
	if s.DB.Dialect == db.Postgres {
		if len(al.nums) == 0 {
			if err := s.numbersFor(ctx, year, al, max(1, db.GroupSize(ctx))); err != nil {
				return "", 0, err
			}
		}
		n, id = al.nums[0], al.ids[0]
		al.nums, al.ids = al.nums[1:], al.ids[1:]
	} else {
		if !al.loaded {
			var last sql.NullInt64
			if err := s.DB.W(ctx).QueryRow(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM appeals), (SELECT last_no FROM appeal_counters WHERE year = $1)`, year).Scan(&al.maxID, &last); err != nil {
				return "", 0, err
			}
			al.last, al.loaded = last.Int64, true
			if err := db.BeforeCommit(ctx, func(ctx context.Context) error {
				return s.DB.Defer(ctx, `INSERT INTO appeal_counters (year, last_no) VALUES ($1, $2)
					ON CONFLICT (year) DO UPDATE SET last_no = excluded.last_no`, year, al.last)
			}); err != nil {
				return "", 0, err
			}
		}
		al.last++
		al.maxID++
		n, id = al.last, al.maxID
	}
	return fmt.Sprintf("YS-%d-%06d", year, n), id, nil
}

// numbersFor puts the numbers and ids of a transaction's count intakes
// into al (PostgreSQL): the smallest from the reserve, the rest drawn. A
// transaction shared by several intakes (load) draws three times as many
// again and keeps them in the reserve, so that the next transactions have
// theirs without a round trip before their writes: on a busy instance most
// intake transactions are then one round trip (issue 17). An intake alone
// draws only its own, so an idle instance holds nothing; numbers still
// reserved when the process stops, or when the year turns, are a gap.
func (s *Service) numbersFor(ctx context.Context, year int, al *numberAlloc, count int) error {
	al.nums, al.ids = s.numbers.take(year, count)
	need := count - len(al.nums)
	if need == 0 {
		return nil
	}
	ahead := 0
	if count > 1 {
		ahead = min(3*count, maxReserve)
	}
	var drawn numberAlloc
	if err := s.drawNumbers(ctx, year, &drawn, need+ahead); err != nil {
		return err
	}
	// Drawn after the reserve's: larger, so the transaction's numbers stay
	// ascending and the reserve keeps the order they were drawn in.
	al.nums, al.ids = append(al.nums, drawn.nums[:need]...), append(al.ids, drawn.ids[:need]...)
	s.numbers.put(year, drawn.nums[need:], drawn.ids[need:])
	return nil
}

// maxReserve bounds the numbers an instance holds ahead: the largest gap a
// stop leaves.
const maxReserve = 48

// numberReserve holds appeal numbers and ids of one year drawn from their
// sequences and not yet handed out (ascending). Sequences are not
// transactional: a drawn number is unique whether or not the transaction
// that drew it commits.
type numberReserve struct {
	mu        sync.Mutex
	year      int
	nums, ids []int64
}

// take hands out up to count of the year's reserved numbers and ids, the
// smallest first; another year's are dropped (a gap at the year's end).
func (r *numberReserve) take(year, count int) (nums, ids []int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.year != year {
		r.year, r.nums, r.ids = year, nil, nil
	}
	n := min(count, len(r.nums))
	nums, ids = slices.Clone(r.nums[:n]), slices.Clone(r.ids[:n])
	r.nums, r.ids = r.nums[n:], r.ids[n:]
	return nums, ids
}

// put adds drawn numbers and ids of the year to the reserve.
func (r *numberReserve) put(year int, nums, ids []int64) {
	if len(nums) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.year != year {
		r.year, r.nums, r.ids = year, nil, nil
	}
	r.nums, r.ids = append(r.nums, nums...), append(r.ids, ids...)
	// Two transactions may draw at once (an intake inside another
	// module's transaction, a shared transaction's calls run again alone).
	slices.Sort(r.nums)
	slices.Sort(r.ids)
}

// drawNumbers draws count numbers of the year and appeal ids into al
// (PostgreSQL).
func (s *Service) drawNumbers(ctx context.Context, year int, al *numberAlloc, count int) error {
	seq, err := s.numberSeq(ctx, year)
	if err != nil {
		return err
	}
	rows, err := s.DB.W(ctx).Query(ctx, `SELECT nextval($1::regclass), nextval(pg_get_serial_sequence('appeals', 'id')) FROM generate_series(1, $2)`, seq, count)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var n, id int64
		if err := rows.Scan(&n, &id); err != nil {
			return err
		}
		al.nums, al.ids = append(al.nums, n), append(al.ids, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(al.nums) != count {
		return fmt.Errorf("appeal numbers: drew %d, want %d", len(al.nums), count)
	}
	slices.Sort(al.nums)
	slices.Sort(al.ids)
	return nil
}

// numberSeq returns the PostgreSQL sequence of the year's appeal numbers,
// appeal_number_YYYY, creating it the first time a year needs it. Before
// sequences the numbers came from the year's row of appeal_counters, whose
// lock every intake waited on until the one before it had committed
// (issue 17); a sequence hands out numbers without a lock or a commit. A
// new sequence continues after the year's counter row (a database
// upgraded during the year), and numbers stay unique: a transaction that
// fails after taking its number leaves a gap, as before.
func (s *Service) numberSeq(ctx context.Context, year int) (string, error) {
	if year < 2000 || year > 9999 {
		return "", fmt.Errorf("appeal numbers: year %d out of range", year)
	}
	name := fmt.Sprintf("appeal_number_%d", year)
	if _, ok := s.numberSeqs.Load(year); ok {
		return name, nil
	}
	// Created in a transaction of its own (not the caller's: a failed
	// intake must not take the sequence with it), under an advisory lock
	// so that two instances do not both create it and set it.
	err := s.DB.WithTx(context.WithoutCancel(db.WithoutTx(ctx)), func(ctx context.Context) error {
		w := s.DB.W(ctx)
		if _, err := w.Exec(ctx, `SELECT pg_advisory_xact_lock(7413, $1)`, year); err != nil {
			return err
		}
		var exists bool
		if err := w.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return nil
		}
		if _, err := w.Exec(ctx, `CREATE SEQUENCE `+name); err != nil {
			return err
		}
		var last int64
		err := w.QueryRow(ctx, `SELECT last_no FROM appeal_counters WHERE year = $1`, year).Scan(&last)
		if db.IsNoRows(err) || (err == nil && last < 1) {
			return nil // a year without appeals before: the sequence starts at 1
		}
		if err != nil {
			return err
		}
		_, err = w.Exec(ctx, `SELECT setval($1::regclass, $2)`, name, last)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("appeal numbers of %d: %w", year, err)
	}
	s.numberSeqs.Store(year, true)
	return name, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func itoa(n int) string { return strconv.Itoa(n) }

// Event is one step of an appeal's timeline.
type Event struct {
	ID        int64     `json:"id"`
	Action    string    `json:"action"`
	FromState string    `json:"from_state"`
	ToState   string    `json:"to_state"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name"`
	Note      string    `json:"note,omitempty"`
	Public    bool      `json:"public"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Service) event(ctx context.Context, appealID int64, action string, from, to State, note string, public bool, at time.Time) error {
	actor := auth.From(ctx)
	var uid int64
	name := "system"
	if actor != nil {
		uid, name = actor.UserID, actor.Name
		if name == "" {
			name = actor.Username
		}
	}
	step := workflow.Step[State, Action]{Action: Action(action), From: from, To: to, Public: public}
	return events{s}.Append(ctx, appealID, step.Entry(at, uid, name, note))
}

// events is the appeal timeline's storage (workflow.Timeline): the
// appeal_events table.
type events struct{ s *Service }

var _ workflow.Timeline = events{}

func (e events) Append(ctx context.Context, appealID int64, en workflow.Entry) error {
	// Appended: written with the transaction's next statement or its
	// COMMIT, with the other steps of the transaction (several intakes'
	// in one shared transaction) in one INSERT.
	return e.s.DB.Append(ctx, "appeal_events", eventCols, appealID, en.Action, en.From, en.To, nullID(en.ActorID), en.ActorName, en.Note, en.Public, en.At)
}

// eventCols are the columns of a timeline step.
var eventCols = []string{"appeal_id", "action", "from_state", "to_state", "actor_id", "actor_name", "note", "public", "created_at"}

// Timeline returns the steps of an appeal the caller may see; an
// enterprise sees only the public steps, and staff names are replaced by
// their role for it.
func (s *Service) Timeline(ctx context.Context, id int64) ([]Event, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	actor := auth.From(ctx)
	r, _ := s.roleSet(ctx, actor)
	enterpriseView := actor.Has(auth.Enterprise) && !r.intake && !actor.Has(auth.DeptStaff, auth.DeptAdmin)
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, action, from_state, to_state, COALESCE(actor_id, 0), actor_name, note, public, created_at
		FROM appeal_events WHERE appeal_id = $1 ORDER BY id`, a.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.Action, &e.FromState, &e.ToState, &e.ActorID, &e.ActorName, &e.Note, &e.Public, &e.CreatedAt); err != nil {
			return nil, err
		}
		if enterpriseView {
			if !e.Public {
				continue
			}
			if e.ActorID != actor.UserID {
				e.ActorID, e.ActorName = 0, "工作人员 staff"
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return s.hideClueEvents(ctx, actor, r, a.ID, out)
}
