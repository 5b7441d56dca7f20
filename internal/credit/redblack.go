package credit

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Red and black lists (红黑榜, issue 18 item 11): the credit office drafts
// a list with its criteria (the rule text published with it, and the
// grades that make a candidate), the platform fills the candidates from the
// current grades (a black list also takes every entity on the
// serious-dishonesty list), the office confirms who is on it and publishes
// it; published lists are public (page and API).

// List kinds.
const (
	ListRed   = "red"   // 红榜 (守信)
	ListBlack = "black" // 黑榜 (失信)
)

// ListKindLabel names a list kind in the language.
func ListKindLabel(k, lang string) string {
	return pick(listKindLabels, k, lang)
}

// ListStatusLabel names a list status in the language.
func ListStatusLabel(st, lang string) string {
	return pick(listStatusLabels, st, lang)
}

// ListInput drafts a list.
type ListInput struct {
	Kind     string `json:"kind" enum:"red,black"`
	Title    string `json:"title" doc:"e.g. 2026年第四季度诚信红榜"`
	Criteria string `json:"criteria" doc:"the rule text published with the list"`
	Grades   string `json:"grades,omitempty" doc:"comma-separated grades that make a candidate; default A (red) or D (black)"`
}

// ListEntry is an entity on a list (a candidate until published).
type ListEntry struct {
	EntityID   int64  `json:"entity_id"`
	EntityName string `json:"entity_name"`
	USCC       string `json:"uscc"`
	Grade      string `json:"grade"`
	Reason     string `json:"reason"`
	ReasonEN   string `json:"reason_en"`
	Included   bool   `json:"included"`
}

// CreditList is a red or black list.
type CreditList struct {
	ID          int64       `json:"id"`
	Kind        string      `json:"kind" enum:"red,black"`
	Title       string      `json:"title"`
	Criteria    string      `json:"criteria"`
	Grades      string      `json:"grades"`
	Status      string      `json:"status" enum:"draft,published"`
	CreatedAt   time.Time   `json:"created_at"`
	PublishedAt *time.Time  `json:"published_at,omitempty"`
	Entries     []ListEntry `json:"entries"`
}

// DraftList drafts a list and fills its candidates (credit office).
func (s *Service) DraftList(ctx context.Context, in ListInput) (*CreditList, error) {
	a, err := s.office(ctx)
	if err != nil {
		return nil, err
	}
	in.Title, in.Criteria = strings.TrimSpace(in.Title), strings.TrimSpace(in.Criteria)
	var v yserr.Validation
	if in.Kind != ListRed && in.Kind != ListBlack {
		v.Add("kind", "请选择红榜或黑榜", "choose red or black")
	}
	if in.Title == "" {
		v.Add("title", "请填写榜单名称", "the title is required")
	}
	if in.Criteria == "" {
		v.Add("criteria", "请填写入榜标准（随榜单公布）", "the criteria are required (published with the list)")
	}
	var grades []string
	if strings.TrimSpace(in.Grades) == "" {
		in.Grades = map[string]string{ListRed: "A", ListBlack: "D"}[in.Kind]
	}
	for _, g := range strings.Split(in.Grades, ",") {
		if g = strings.TrimSpace(g); g != "" {
			grades = append(grades, g)
		}
	}
	if len(grades) == 0 || len(grades) > 10 {
		v.Add("grades", "请填写入榜等级，如 A 或 C,D", "give the grades, e.g. A or C,D")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	in.Grades = strings.Join(grades, ",")
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO credit_lists (kind, title, criteria, grades, status, created_by, created_at)
			VALUES ($1, $2, $3, $4, 'draft', $5, $6) RETURNING id`, in.Kind, in.Title, in.Criteria, in.Grades, actorID(a), s.now()).Scan(&id); err != nil {
			return err
		}
		n, err := s.fillCandidates(ctx, id, in.Kind, grades)
		if err != nil {
			return err
		}
		return s.Audit.Record(ctx, "credit.list_draft", "credit_list", strconv.FormatInt(id, 10), nil, map[string]any{"input": in, "candidates": n}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.GetList(ctx, id)
}

// fillCandidates adds the entities whose current grade is in grades (and,
// for a black list, those on the serious-dishonesty list), with the reason.
func (s *Service) fillCandidates(ctx context.Context, listID int64, kind string, grades []string) (int, error) {
	args := []any{}
	ph := make([]string, len(grades))
	for i, g := range grades {
		args = append(args, g)
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	q := "SELECT entity_id, grade, explanation FROM credit_grades WHERE grade IN (" + strings.Join(ph, ", ") + ")"
	if kind == ListBlack {
		q += " OR entity_id IN (SELECT entity_id FROM credit_records WHERE kind = 'serious_list' AND status IN ('published', 'unpublished'))"
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+" ORDER BY entity_id", args...)
	if err != nil {
		return 0, err
	}
	type cand struct {
		id                      int64
		grade, reason, reasonEN string
	}
	var list []cand
	for rows.Next() {
		var c cand
		var expl string
		if err := rows.Scan(&c.id, &c.grade, &expl); err != nil {
			rows.Close()
			return 0, err
		}
		var e Explanation
		c.reason, c.reasonEN = "信用等级 "+c.grade, "Credit grade "+c.grade
		if json.Unmarshal([]byte(expl), &e) == nil && e.ZH != "" {
			c.reason += "：" + e.ZH
			if e.EN != "" {
				c.reasonEN += ": " + e.EN
			}
		}
		if kind == ListBlack && !slices.Contains(grades, c.grade) {
			c.reason = "列入严重失信主体名单（信用等级 " + c.grade + "）"
			c.reasonEN = "On the list of seriously dishonest entities (credit grade " + c.grade + ")"
		}
		list = append(list, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, c := range list {
		if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO credit_list_entries (list_id, entity_id, grade, reason, reason_en, included) VALUES ($1, $2, $3, $4, $5, TRUE)",
			listID, c.id, c.grade, c.reason, c.reasonEN); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

// SetListEntry includes or leaves out a candidate of a draft list (credit
// office): the office's confirmation of who is on the list.
func (s *Service) SetListEntry(ctx context.Context, listID, entityID int64, included bool) (*CreditList, error) {
	if _, err := s.office(ctx); err != nil {
		return nil, err
	}
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		var status string
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT status FROM credit_lists WHERE id = $1", listID).Scan(&status); db.IsNoRows(err) {
			return yserr.ErrNotFound("红黑榜", "list")
		} else if err != nil {
			return err
		}
		if status != "draft" {
			return yserr.New(yserr.Conflict, "榜单已发布，不能再修改", "the list is published and can no longer change")
		}
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_list_entries SET included = $1 WHERE list_id = $2 AND entity_id = $3", included, listID, entityID)
		if err != nil {
			return err
		}
		if n == 0 {
			return yserr.Field("entity_id", "该企业不是本榜单的候选对象", "the entity is not a candidate of this list")
		}
		return s.Audit.Record(ctx, "credit.list_entry", "credit_list", strconv.FormatInt(listID, 10), nil, map[string]any{"entity_id": entityID, "included": included}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.GetList(ctx, listID)
}

// PublishList publishes a draft list with its confirmed entries (credit office).
func (s *Service) PublishList(ctx context.Context, listID int64) (*CreditList, error) {
	a, err := s.office(ctx)
	if err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE credit_lists SET status = 'published', published_by = $1, published_at = $2 WHERE id = $3 AND status = 'draft'",
			actorID(a), s.now(), listID)
		if err != nil {
			return err
		}
		if n == 0 {
			return yserr.New(yserr.Conflict, "榜单不存在或已发布", "no such draft list")
		}
		return s.Audit.Record(ctx, "credit.list_publish", "credit_list", strconv.FormatInt(listID, 10), "draft", "published", "")
	})
	if err != nil {
		return nil, err
	}
	return s.GetList(ctx, listID)
}

// GetList returns a list with every candidate (staff), or a published
// list with its included entries (anyone: the public page).
func (s *Service) GetList(ctx context.Context, id int64) (*CreditList, error) {
	return s.getList(ctx, id, isStaff(ctx))
}

// PublicList returns a published list with its entries, whoever asks.
func (s *Service) PublicList(ctx context.Context, id int64) (*CreditList, error) {
	return s.getList(ctx, id, false)
}

func isStaff(ctx context.Context) bool {
	a := auth.From(ctx)
	return a != nil && (a.IsSystem() || a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor))
}

func (s *Service) getList(ctx context.Context, id int64, isStaff bool) (*CreditList, error) {
	var l CreditList
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id, kind, title, criteria, grades, status, created_at, published_at FROM credit_lists WHERE id = $1", id).
		Scan(&l.ID, &l.Kind, &l.Title, &l.Criteria, &l.Grades, &l.Status, &l.CreatedAt, &l.PublishedAt)
	if db.IsNoRows(err) || err == nil && l.Status != "published" && !isStaff {
		return nil, yserr.ErrNotFound("红黑榜", "list")
	}
	if err != nil {
		return nil, err
	}
	q := "SELECT entity_id, grade, reason, reason_en, included FROM credit_list_entries WHERE list_id = $1"
	if l.Status == "published" {
		q += " AND included = TRUE"
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+" ORDER BY id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	l.Entries = []ListEntry{}
	var ids []int64
	for rows.Next() {
		var e ListEntry
		if err := rows.Scan(&e.EntityID, &e.Grade, &e.Reason, &e.ReasonEN, &e.Included); err != nil {
			return nil, err
		}
		if e.ReasonEN == "" { // drafted before reasons had an English text
			e.ReasonEN = "Credit grade " + e.Grade
		}
		l.Entries = append(l.Entries, e)
		ids = append(ids, e.EntityID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	refs, err := s.entityRefs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range l.Entries {
		l.Entries[i].EntityName, l.Entries[i].USCC = refs[l.Entries[i].EntityID].Name, refs[l.Entries[i].EntityID].USCC
	}
	return &l, nil
}

// Lists lists red and black lists, newest first: published ones to
// anyone, drafts too to staff. Entries are not filled.
func (s *Service) Lists(ctx context.Context) ([]CreditList, error) {
	return s.lists(ctx, isStaff(ctx))
}

// PublicLists lists the published lists, whoever asks.
func (s *Service) PublicLists(ctx context.Context) ([]CreditList, error) { return s.lists(ctx, false) }

func (s *Service) lists(ctx context.Context, isStaff bool) ([]CreditList, error) {
	q := "SELECT id, kind, title, criteria, grades, status, created_at, published_at FROM credit_lists"
	if !isStaff {
		q += " WHERE status = 'published'"
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+" ORDER BY id DESC LIMIT 100")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CreditList{}
	for rows.Next() {
		var l CreditList
		if err := rows.Scan(&l.ID, &l.Kind, &l.Title, &l.Criteria, &l.Grades, &l.Status, &l.CreatedAt, &l.PublishedAt); err != nil {
			return nil, err
		}
		l.Entries = []ListEntry{}
		out = append(out, l)
	}
	return out, rows.Err()
}
