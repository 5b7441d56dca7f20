package audit

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"yingshang/internal/db"
)

// SQLSource is a StateSource read with one query, for the owner of the
// rows to declare. All selects every live object's rows: the object id
// first, then Cols more columns, ordered by the id so that the rows of one
// object (e.g. a user's roles) come together. One is the same query for a
// single object, with the id (a decimal row id) as $1. The digest is SHA-256 over each row's
// columns written as "<byte length>:<value>\n" (NULL as "-1:\n"), rows in
// query order; the values are as the engine returns them, so cast
// timestamps and numbers to text in the query where their Go type could
// differ between the two reads.
type SQLSource struct {
	DB       *db.DB
	KindName string
	Cols     int
	All, One string
	// Many, when set, is the query for several objects: it has one %s
	// where the list of placeholders for the ids goes (e.g. "... WHERE id
	// IN (%s) ORDER BY id"). With it the source is a ManySource.
	Many string
}

// Kind is the event object_type the source covers.
func (s *SQLSource) Kind() string { return s.KindName }

// Digests implements StateSource.
func (s *SQLSource) Digests(ctx context.Context, fn func(id string, digest []byte) error) error {
	return s.run(ctx, s.All, nil, fn)
}

// Digest implements StateSource.
func (s *SQLSource) Digest(ctx context.Context, id string) ([]byte, bool, error) {
	var out []byte
	// Ids are row ids; an event about something else under the kind (e.g.
	// a range "2..9" of records) names no single row.
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != id {
		return nil, false, nil
	}
	err = s.run(ctx, s.One, []any{n}, func(_ string, d []byte) error {
		out = d
		return nil
	})
	return out, out != nil, err
}

// DigestsOf implements ManySource; without Many it reads one object at a
// time.
func (s *SQLSource) DigestsOf(ctx context.Context, ids []string, fn func(id string, digest []byte) error) error {
	var nums []any
	for _, id := range ids {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || strconv.FormatInt(n, 10) != id {
			continue
		}
		nums = append(nums, n)
	}
	for start := 0; start < len(nums); start += 500 {
		part := nums[start:min(start+500, len(nums))]
		if s.Many == "" {
			for _, n := range part {
				if err := s.run(ctx, s.One, []any{n}, fn); err != nil {
					return err
				}
			}
			continue
		}
		ph := make([]string, len(part))
		for i := range part {
			ph[i] = "$" + strconv.Itoa(i+1)
		}
		if err := s.run(ctx, fmt.Sprintf(s.Many, strings.Join(ph, ",")), part, fn); err != nil {
			return err
		}
	}
	return nil
}

func (s *SQLSource) run(ctx context.Context, query string, args []any, fn func(string, []byte) error) error {
	rows, err := s.DB.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("state of %s: %w", s.KindName, err)
	}
	defer rows.Close()
	var cur string
	var h hash.Hash
	flush := func() error {
		if h == nil {
			return nil
		}
		return fn(cur, h.Sum(nil))
	}
	vals := make([]any, s.Cols+1)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		id := text(vals[0])
		if h == nil || id != cur {
			if err := flush(); err != nil {
				return err
			}
			cur, h = id, sha256.New()
		}
		for _, v := range vals[1:] {
			if v == nil {
				hashCol(h, "", true)
				continue
			}
			hashCol(h, text(v), false)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

// hashCol writes one column of a row to a state digest.
func hashCol(h hash.Hash, t string, null bool) {
	if null {
		h.Write([]byte("-1:\n"))
		return
	}
	fmt.Fprintf(h, "%d:%s\n", len(t), t)
}

// ColsDigest is the digest an SQLSource computes of an object of one row
// whose columns after the id, as the engine returns them as text, are
// cols (nil: NULL).
func ColsDigest(cols []*string) []byte {
	h := sha256.New()
	for _, c := range cols {
		if c == nil {
			hashCol(h, "", true)
		} else {
			hashCol(h, *c, false)
		}
	}
	return h.Sum(nil)
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}
