package license

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// Answer records the holder's answer to a reminder (enterprise user of
// the holder entity): renewed (goes to the department to confirm),
// renewing, or closing (no more reminders; the licence still lapses and is
// followed up). Conflict when the licence is no longer active or lapsed.
func (s *Service) Answer(ctx context.Context, id int64, answer string) error {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return err
	}
	return s.answer(ctx, id, answer, func(l *License) bool { return a.EntityID != 0 && l.EntityID == a.EntityID })
}

// answer records a holder's answer to licence id when owns(licence) says
// the caller holds it (enterprise users through Answer, person holders
// through HolderAnswer).
func (s *Service) answer(ctx context.Context, id int64, answer string, owns func(*License) bool) error {
	if answer != AnswerRenewed && answer != AnswerRenewing && answer != AnswerClosing {
		return yserr.Field("answer", "答复须为 renewed、renewing 或 closing", "answer must be renewed, renewing or closing")
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		l, err := s.licenseByID(ctx, id)
		if err != nil || !owns(l) {
			return yserr.ErrNotFound("证照", "licence")
		}
		if l.Status != StatusActive && l.Status != StatusLapsed {
			return yserr.New(yserr.Conflict, "该证照已是"+StatusZH(l.Status)+"状态", "the licence is already "+l.Status)
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE licenses SET holder_answer = $1, answered_at = $2, updated_at = $2 WHERE id = $3`,
			answer, s.Clock.Now(), id); err != nil {
			return err
		}
		// An active licence's next due day is computed anew by the next scan.
		if err := s.markDue(ctx, id); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "license.answer", "license", fmt.Sprint(id), l.HolderAnswer, answer, ""); err != nil {
			return err
		}
		if answer != AnswerRenewed {
			return nil
		}
		admins, err := s.deptAdmins(ctx, l.DepartmentID)
		if err != nil || len(admins) == 0 {
			return err
		}
		m := notify.Message{Type: MsgAnswer, Channels: []string{notify.ChannelInApp}, ObjectType: "license", ObjectID: strconv.FormatInt(id, 10), Link: "/licenses/" + strconv.FormatInt(id, 10),
			Data: map[string]any{"holder": l.HolderName, "license_type": l.TypeName, "number": l.Number}}
		for _, u := range admins {
			m.To = append(m.To, notify.Recipient{UserID: u})
		}
		_, err = s.Notify.Send(ctx, m)
		return err
	})
}

// ConfirmRenewal confirms a holder's "renewed" answer (department admin or
// staff in scope): the licence becomes renewed. Conflict when the holder
// has not answered "renewed".
func (s *Service) ConfirmRenewal(ctx context.Context, id int64) error {
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		_, l, err := s.writable(ctx, id)
		if err != nil {
			return err
		}
		if l.HolderAnswer != AnswerRenewed {
			return yserr.New(yserr.Conflict, "持证人尚未答复已续证", "the holder has not answered renewed")
		}
		return s.close(ctx, l, StatusRenewed, "holder", 0, "holder answer confirmed")
	})
}

// Followups returns the follow-up list of the departments in scope
// (department admin and staff, platform admin): open entries by listing
// day, or with overdue only those not contacted and expiring within a
// day or expired. Department staff see the contact unmasked.
func (s *Service) Followups(ctx context.Context, deptID int64, overdueOnly bool) ([]*FollowupItem, error) {
	return s.followups(ctx, deptID, overdueOnly, false)
}

// followups is Followups; mine keeps the entries assigned to the actor.
func (s *Service) followups(ctx context.Context, deptID int64, overdueOnly, mine bool) ([]*FollowupItem, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	where, args := " WHERE f.status = 'open'", []any{}
	var sc string
	sc, args = scopeClause(a, "f.department_id", args)
	where += sc
	if deptID != 0 {
		args = append(args, deptID)
		where += fmt.Sprintf(" AND f.department_id = $%d", len(args))
	}
	if mine {
		args = append(args, a.UserID)
		where += fmt.Sprintf(" AND f.assignee_id = $%d", len(args))
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT f.id, f.listed_on, COALESCE(f.assignee_id, 0), "+licenseCols+licenseFrom+
		" JOIN license_followups f ON f.license_id = l.id"+where+" ORDER BY l.expires_on, l.id", args...)
	if err != nil {
		return nil, err
	}
	var items []*FollowupItem
	today := s.today()
	for rows.Next() {
		it := &FollowupItem{}
		l := &it.License
		var answered any
		err := rows.Scan(&it.FollowupID, &it.ListedOn, &it.AssigneeID, &l.ID, &l.TypeID, &l.TypeCode, &l.TypeName, &l.DepartmentID, &l.Number,
			&l.EntityID, &l.HolderName, &l.HolderID, &l.Phone, &l.IssuedOn, &l.ExpiresOn, &l.Status, &l.Elderly, &l.Disabled,
			&l.RenewedByID, &l.RenewedOn, &l.RenewalSource, &l.HolderAnswer, &answered, &l.CreatedAt, &l.TypeKind)
		if err != nil {
			rows.Close()
			return nil, err
		}
		l.fill(today)
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	list := make([]*License, len(items))
	for i, it := range items {
		list[i] = &it.License
	}
	if err := s.nameLicenses(ctx, list); err != nil {
		return nil, err
	}
	if err := s.nameAssignees(ctx, items); err != nil {
		return nil, err
	}
	out := []*FollowupItem{}
	unmask := a.Has(auth.DeptStaff)
	for _, it := range items {
		if err := s.fillFollowup(ctx, it, unmask); err != nil {
			return nil, err
		}
		if !overdueOnly || it.Overdue {
			out = append(out, it)
		}
	}
	return out, nil
}

func (s *Service) fillFollowup(ctx context.Context, it *FollowupItem, unmask bool) error {
	var err error
	if it.Contacts, err = s.Contacts(ctx, it.ID); err != nil {
		return err
	}
	it.Overdue = len(it.Contacts) == 0 && it.DaysLeft <= 1
	id := strconv.FormatInt(it.ID, 10)
	failed, err := s.Notify.FailedByObject(ctx, "license", []string{id})
	if err != nil {
		return err
	}
	it.Failed = failed[id]
	if unmask {
		return s.unmask(ctx, &it.License)
	}
	return nil
}

// Contacts lists the calls and visits recorded for a licence.
func (s *Service) Contacts(ctx context.Context, licenseID int64) ([]Contact, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, license_id, method, outcome, note, by_name, at FROM license_contacts WHERE license_id = $1 ORDER BY at, id", licenseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Contact{}
	for rows.Next() {
		var c Contact
		if err := rows.Scan(&c.ID, &c.LicenseID, &c.Method, &c.Outcome, &c.Note, &c.ByName, &c.At); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RecordContact records a call or visit of a follow-up (department admin
// or staff in scope, platform admin). The outcome "renewed" does not
// close the licence: the department marks it renewed once it sees the new
// licence.
func (s *Service) RecordContact(ctx context.Context, licenseID int64, in ContactInput) (*Contact, error) {
	var v yserr.Validation
	if !slices.Contains(ContactMethods, in.Method) {
		v.Add("method", "方式须为电话（call）或上门（visit）", "method must be call or visit")
	}
	if !slices.Contains(ContactOutcomes, in.Outcome) {
		v.Add("outcome", "请选择跟进结果", "choose an outcome")
	}
	in.Note = strings.TrimSpace(in.Note)
	if len([]rune(in.Note)) > 1000 {
		v.Add("note", "备注最长 1000 字", "note at most 1000 characters")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c := &Contact{LicenseID: licenseID, Method: in.Method, Outcome: in.Outcome, Note: in.Note, At: s.Clock.Now()}
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		a, _, err := s.writable(ctx, licenseID)
		if err != nil {
			return err
		}
		c.ByName = a.Name
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO license_contacts (license_id, method, outcome, note, by_id, by_name, at)
			VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, licenseID, in.Method, in.Outcome, in.Note, nullID(a.UserID), a.Name, c.At).Scan(&c.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "license.contact", "license", fmt.Sprint(licenseID), nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Delivery is one message sent about a licence, as the department sees it.
type Delivery struct {
	ID        int64     `json:"id"`
	Type      string    `json:"type"`
	Channel   string    `json:"channel" enum:"inapp,sms,email,webhook"`
	Address   string    `json:"address" doc:"masked"`
	Status    string    `json:"status" enum:"queued,sent,delivered,failed"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Deliveries lists the messages sent to the holder about a licence the
// actor may see (newest first), so failures are never silently lost.
func (s *Service) Deliveries(ctx context.Context, licenseID int64) ([]Delivery, error) {
	if _, err := s.Get(ctx, licenseID); err != nil {
		return nil, err
	}
	msgs, err := s.Notify.ObjectMessages(ctx, "license", strconv.FormatInt(licenseID, 10))
	if err != nil {
		return nil, err
	}
	out := []Delivery{}
	for _, n := range msgs {
		out = append(out, Delivery{ID: n.ID, Type: n.Type, Channel: n.Channel, Address: n.Address, Status: n.Status,
			Attempts: n.Attempts, LastError: n.LastError, CreatedAt: n.CreatedAt})
	}
	return out, nil
}
