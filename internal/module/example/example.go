// Package example is the service of the worked example of the module contract
// (docs/architecture.md, "How to add a module"): a noticeboard (公告栏) that
// departments post to and every signed-in user reads. It is not in
// modules.All; its test builds the platform with it added, the way a new
// module is added by one line.
//
// This package is the service: its own table (in migrations/, versioned
// per module), a service that checks the actor's role and department, and a
// periodic job. Package exampleweb is the rest of the contract: the
// module.Info, a page and two API operations, a side-menu entry, a
// home-page card and a setting.
package example

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/yserr"

	_ "yingshang/internal/module/example/migrations" // its table
)

// Notice is one posted notice.
type Notice struct {
	ID           int64  `json:"id"`
	DepartmentID int64  `json:"department_id"`
	Title        string `json:"title"`
	Body         string `json:"body"`
	EndsOn       string `json:"ends_on" doc:"last day shown, YYYY-MM-DD (Asia/Shanghai)"`
}

// Input is a new notice.
type Input struct {
	Title  string `json:"title"`
	Body   string `json:"body"`
	EndsOn string `json:"ends_on" doc:"YYYY-MM-DD"`
}

// Service is the noticeboard.
type Service struct {
	DB      *db.DB
	Audit   *audit.Log
	Clock   clock.Clock
	MaxDays string
}

// Post adds a notice for the actor's department. Department staff and
// admins post for their own department; others get ErrForbidden. A bad
// field is an Invalid error naming it.
func (s *Service) Post(ctx context.Context, in Input) (*Notice, error) {
	a := auth.From(ctx)
	if !a.Has(auth.DeptAdmin, auth.DeptStaff) || a.DepartmentID == 0 {
		return nil, yserr.ErrForbidden()
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		return nil, yserr.Field("title", "请填写标题", "enter a title")
	}
	end, err := time.Parse("2006-01-02", in.EndsOn)
	if err != nil {
		return nil, yserr.Field("ends_on", "截止日期格式应为 YYYY-MM-DD", "the end date must be YYYY-MM-DD")
	}
	today := s.Clock.Now().In(calendar.Shanghai).Format("2006-01-02")
	if in.EndsOn < today {
		return nil, yserr.Field("ends_on", "截止日期不能早于今天", "the end date cannot be before today")
	}
	start, _ := time.Parse("2006-01-02", today)
	if max, _ := strconv.Atoi(s.MaxDays); max > 0 && end.Sub(start) > time.Duration(max)*24*time.Hour {
		return nil, yserr.Field("ends_on", "公告期限超过上限（"+s.MaxDays+" 天）", "the notice runs longer than the limit ("+s.MaxDays+" days)")
	}
	n := &Notice{DepartmentID: a.DepartmentID, Title: in.Title, Body: in.Body, EndsOn: in.EndsOn}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO example_notices (department_id, title, body, ends_on, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, n.DepartmentID, n.Title, n.Body, n.EndsOn, a.UserID, s.Clock.Now()).Scan(&n.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "example.notice.post", "example_notice", strconv.FormatInt(n.ID, 10), nil, n, "")
	})
	return n, err
}

// Live lists the notices that have not ended, newest first (every
// signed-in user).
func (s *Service) Live(ctx context.Context) ([]Notice, error) {
	if auth.From(ctx) == nil {
		return nil, yserr.ErrUnauthorized()
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, department_id, title, body, ends_on FROM example_notices
		WHERE NOT archived ORDER BY id DESC LIMIT 100`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		var n Notice
		if err := rows.Scan(&n.ID, &n.DepartmentID, &n.Title, &n.Body, &n.EndsOn); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Archive ends the notices whose last day has passed; it returns how many.
func (s *Service) Archive(ctx context.Context) (int64, error) {
	today := s.Clock.Now().In(calendar.Shanghai).Format("2006-01-02")
	var n int64
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.DB.Q(ctx).Exec(ctx, "UPDATE example_notices SET archived = TRUE WHERE NOT archived AND ends_on < $1", today)
		if err != nil || n == 0 {
			return err
		}
		return s.Audit.Record(ctx, "example.notice.archive", "example_notice", "ended-before-"+today, nil, map[string]int64{"archived": n}, "")
	})
	return n, err
}

// ArchiveArgs is the daily archive job.
type ArchiveArgs struct{}

// Kind names the job.
func (ArchiveArgs) Kind() string { return "example.archive" }

// ArchiveWorker runs ArchiveArgs.
type ArchiveWorker struct {
	river.WorkerDefaults[ArchiveArgs]
	S *Service
}

// Work archives the ended notices.
func (w *ArchiveWorker) Work(ctx context.Context, _ *river.Job[ArchiveArgs]) error {
	_, err := w.S.Archive(auth.WithActor(ctx, auth.System("example.archive")))
	return err
}
