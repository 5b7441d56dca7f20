// Package dashboard computes the figures on each role's start page.
package dashboard

import (
	"context"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/refdata"
)

// Service computes dashboard figures.
type Service struct{ DB *db.DB }

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
	q := s.DB.Q(ctx)
	o := &Overview{}
	for _, c := range []struct {
		sql string
		dst *int64
	}{
		{"SELECT COUNT(*) FROM entities", &o.Entities},
		{"SELECT COUNT(*) FROM departments", &o.Departments},
		{"SELECT COUNT(*) FROM users", &o.Users},
		{"SELECT COUNT(*) FROM enterprise_bindings WHERE status = 'pending'", &o.PendingBindings},
		{"SELECT seq FROM audit_head WHERE id = 1", &o.AuditEvents},
		{"SELECT COUNT(*) FROM notifications WHERE status = 'failed'", &o.FailedMessages},
	} {
		if err := q.QueryRow(ctx, c.sql).Scan(c.dst); err != nil {
			return nil, err
		}
	}
	var err error
	if o.BySize, err = s.group(ctx, "SELECT size_class, COUNT(*) FROM entities GROUP BY size_class ORDER BY 2 DESC", func(k string) string {
		if k == "" {
			return pick(lang, "未划型", "Unclassified")
		}
		return refdata.Size(k).Label(lang)
	}); err != nil {
		return nil, err
	}
	if o.ByStatus, err = s.group(ctx, "SELECT status, COUNT(*) FROM entities GROUP BY status ORDER BY 2 DESC", func(k string) string {
		if l, ok := statusLabels[k]; ok {
			return pick(lang, l[0], l[1])
		}
		return k
	}); err != nil {
		return nil, err
	}
	if o.ByRegion, err = s.group(ctx, "SELECT region_code, COUNT(*) FROM entities GROUP BY region_code ORDER BY 2 DESC LIMIT 10", func(k string) string {
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

func (s *Service) group(ctx context.Context, sql string, label func(string) string) ([]Count, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Count{}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Key, &c.N); err != nil {
			return nil, err
		}
		c.Label = label(c.Key)
		out = append(out, c)
	}
	return out, rows.Err()
}
