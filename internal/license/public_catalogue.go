package license

import (
	"context"
	"strings"
)

// The public reminder catalogue (提醒事项目录, issue 18 item 13): each
// department publishes the items it reminds of, the stages of the
// reminders and the channels, so holders know what to expect. Read by
// anyone, without signing in; only active items, and only what the
// department means to publish (no message templates, no internal
// review notes).

// Stage codes of a catalogue item, in the order they happen.
const (
	PublicStageRemind1  = "remind_first"
	PublicStageRemind2  = "remind_second"
	PublicStageFollowup = "followup"
	PublicStageLapse    = "lapse"
)

// Reminder channels (how the holder is told), as codes.
const (
	ReminderSMS   = "sms"
	ReminderInApp = "inapp"
	ReminderCall  = "call_visit"
)

// PublicStage is one reminder stage of a catalogue item.
type PublicStage struct {
	Code     string   `json:"code" doc:"remind_first | remind_second | followup | lapse"`
	Days     int      `json:"days" doc:"days before expiry (remind_first, remind_second, followup) or after it (lapse)"`
	Channels []string `json:"channels" doc:"sms | inapp | call_visit"`
	NameZH   string   `json:"name_zh"`
	NameEN   string   `json:"name_en"`
}

// PublicItem is one published reminder item.
type PublicItem struct {
	Code            string        `json:"code"`
	Name            string        `json:"name"`
	Kind            string        `json:"kind" doc:"licence, annual_report, credit_renewal, rectification or tax"`
	KindZH          string        `json:"kind_zh"`
	KindEN          string        `json:"kind_en"`
	LegalBasis      string        `json:"legal_basis"`
	ValidityMonths  int           `json:"validity_months" doc:"legal validity; 0 when not fixed"`
	Stages          []PublicStage `json:"stages"`
	SendTime        string        `json:"send_time" doc:"HH:MM Asia/Shanghai the messages go out"`
	ChannelsOnline  string        `json:"channels_online" doc:"where to renew online"`
	ChannelsOffline string        `json:"channels_offline" doc:"where to renew in person"`
	Materials       string        `json:"materials"`
	Fees            string        `json:"fees"`
	Phone           string        `json:"phone"`
	Address         string        `json:"address"`
	ServiceURL      string        `json:"service_url"`
}

// PublicUnit is one department's published catalogue.
type PublicUnit struct {
	DepartmentID   int64        `json:"department_id"`
	DepartmentCode string       `json:"department_code"`
	DepartmentName string       `json:"department_name"`
	LastReviewOn   string       `json:"last_review_on,omitempty" doc:"YYYY-MM-DD the department last confirmed its catalogue"`
	Items          []PublicItem `json:"items"`
}

// PublicStages are a catalogue item's reminder stages from its settings:
// two messages (in-app to the holder's accounts, SMS to the licence's
// phone), the follow-up list where staff call or visit, and the lapse.
func PublicStages(t *Type) []PublicStage {
	msg := []string{ReminderSMS, ReminderInApp}
	return []PublicStage{
		{Code: PublicStageRemind1, Days: t.Remind1Days, Channels: msg, NameZH: "第一次提醒", NameEN: "First reminder"},
		{Code: PublicStageRemind2, Days: t.Remind2Days, Channels: msg, NameZH: "第二次提醒", NameEN: "Second reminder"},
		{Code: PublicStageFollowup, Days: t.FollowupDays, Channels: []string{ReminderCall}, NameZH: "列入待跟进清单，电话或上门提醒", NameEN: "Follow-up list: call or visit"},
		{Code: PublicStageLapse, Days: t.LapseDays, Channels: msg, NameZH: "逾期未续：最后告知并标记失效", NameEN: "Not renewed: last notice, marked lapsed"},
	}
}

// PublicCatalogue returns the active reminder items of every department
// (deptID 0) or of one, grouped by department in department-code order.
// No sign-in needed.
func (s *Service) PublicCatalogue(ctx context.Context, deptID int64) ([]*PublicUnit, error) {
	where, args := " WHERE t.active = $1", []any{true}
	if deptID != 0 {
		where += " AND t.department_id = $2"
		args = append(args, deptID)
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+typeCols+" FROM license_types t"+where+" ORDER BY t.code, t.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	types := []*Type{}
	for rows.Next() {
		t, err := scanType(rows)
		if err != nil {
			return nil, err
		}
		types = append(types, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	refs, err := s.nameTypeDepts(ctx, types)
	if err != nil {
		return nil, err
	}
	byDeptCode(types, refs, func(t *Type) int64 { return t.DepartmentID }, func(t *Type) string { return t.Code })
	out := []*PublicUnit{}
	var cur *PublicUnit
	for _, t := range types {
		if cur == nil || cur.DepartmentID != t.DepartmentID {
			ref := refs[t.DepartmentID]
			cur = &PublicUnit{DepartmentID: t.DepartmentID, DepartmentCode: ref.Code, DepartmentName: ref.Name, Items: []PublicItem{}}
			out = append(out, cur)
		}
		if t.LastReviewOn > cur.LastReviewOn {
			cur.LastReviewOn = t.LastReviewOn
		}
		cur.Items = append(cur.Items, PublicItem{Code: t.Code, Name: t.Name, Kind: t.Kind, KindZH: KindLabel(t.Kind, "zh"), KindEN: KindLabel(t.Kind, "en"), LegalBasis: t.LegalBasis, ValidityMonths: t.ValidityMonths,
			Stages: PublicStages(t), SendTime: t.SendTime, ChannelsOnline: strings.TrimSpace(t.ChannelsOnline),
			ChannelsOffline: strings.TrimSpace(t.ChannelsOffline), Materials: t.Materials, Fees: t.Fees, Phone: t.Phone,
			Address: t.Address, ServiceURL: t.ServiceURL})
	}
	return out, nil
}
