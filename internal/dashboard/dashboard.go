// Package dashboard computes the figures on each role's start page.
package dashboard

import (
	"context"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/entity"
	"yingshang/internal/notify"
	"yingshang/internal/refdata"
)

// Service computes dashboard figures. It owns no table: every figure comes
// from the service that owns the data.
type Service struct {
	Entities *entity.Service
	Accounts *account.Service
	Audit    *audit.Log
	Notify   *notify.Service
}

// Count is a labelled number for a chart.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	N     int64  `json:"n"`
}

// Overview is the platform-wide picture (platform admins, supervisors, staff).
type Overview struct {
	Entities        int64   `json:"entities"`
	Departments     int64   `json:"departments"`
	Users           int64   `json:"users"`
	PendingBindings int64   `json:"pending_bindings"`
	AuditEvents     int64   `json:"audit_events"`
	FailedMessages  int64   `json:"failed_messages"`
	BySize          []Count `json:"by_size"`
	ByStatus        []Count `json:"by_status"`
	ByRegion        []Count `json:"by_region" doc:"top 10 counties"`
}

var statusLabels = map[string][2]string{
	"active": {"存续", "Active"}, "operating": {"在业", "Operating"}, "revoked": {"吊销", "Revoked"}, "cancelled": {"注销", "Cancelled"},
}

// Overview computes the figures; staff roles only.
func (s *Service) Overview(ctx context.Context, lang string) (*Overview, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return nil, err
	}
	o := &Overview{}
	var err error
	if o.Entities, err = s.Entities.CountAll(ctx); err != nil {
		return nil, err
	}
	t, err := s.Accounts.CountTotals(ctx)
	if err != nil {
		return nil, err
	}
	o.Departments, o.Users, o.PendingBindings = t.Departments, t.Users, t.PendingBindings
	if o.AuditEvents, err = s.Audit.Total(ctx); err != nil {
		return nil, err
	}
	if o.FailedMessages, err = s.Notify.CountFailed(ctx); err != nil {
		return nil, err
	}
	if o.BySize, err = s.group(ctx, "size_class", 0, func(k string) string {
		if k == "" {
			return pick(lang, "未划型", "Unclassified")
		}
		return refdata.Size(k).Label(lang)
	}); err != nil {
		return nil, err
	}
	if o.ByStatus, err = s.group(ctx, "status", 0, func(k string) string {
		if l, ok := statusLabels[k]; ok {
			return pick(lang, l[0], l[1])
		}
		return k
	}); err != nil {
		return nil, err
	}
	if o.ByRegion, err = s.group(ctx, "region_code", 10, func(k string) string {
		if r, ok := refdata.Region(k); ok {
			return r.Name
		}
		return k
	}); err != nil {
		return nil, err
	}
	return o, nil
}

func pick(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

func (s *Service) group(ctx context.Context, column string, limit int, label func(string) string) ([]Count, error) {
	tally, err := s.Entities.CountBy(ctx, column, limit)
	if err != nil {
		return nil, err
	}
	out := []Count{}
	for _, t := range tally {
		out = append(out, Count{Key: t.Key, Label: label(t.Key), N: t.N})
	}
	return out, nil
}
