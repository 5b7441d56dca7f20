package db

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// The dialect helpers: every SQL difference between SQLite and PostgreSQL
// that services need, in one place, so that no service branches on the
// engine. Each helper returns a fragment of SQL (never user data: the
// values travel as arguments).

// Param is the placeholder of the i-th argument (1-based): "$i", which
// both engines accept.
func (d Dialect) Param(i int) string { return "$" + strconv.Itoa(i) }

// List is "(p, p+1, ..., p+n-1)" for n arguments starting at argument
// start (1-based), e.g. "id IN " + List(3, len(ids)). n must be > 0.
//
// A list that starts at argument 1 is written with anonymous "?" on
// SQLite: SQLite looks every "$N" (and "?N") up by name in a list while it
// prepares a statement, which for thousands of them costs far more than
// the statement itself (2,000 rows of 5 values: 70 ms with "?", 0.9 s
// with "?N", 1.5 s with "$N"). SQLite numbers "?" after the highest number
// given so far, so such a list must come before every other placeholder in
// the statement's text (a later $n is fine). PostgreSQL accepts only $N.
func (d Dialect) List(start, n int) string {
	var b strings.Builder
	b.Grow(n*6 + 2)
	b.WriteByte('(')
	d.params(&b, start, n)
	b.WriteByte(')')
	return b.String()
}

func (d Dialect) params(b *strings.Builder, start, n int) {
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if d == SQLite && start == 1 {
			b.WriteByte('?')
		} else {
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(start + i))
		}
	}
}

// Values is the row list of a multi-row INSERT: rows groups of width
// placeholders, numbered from start, each group followed by the constant
// SQL expressions consts (e.g. "'published'"); the arguments are row
// after row. As with List, values starting at argument 1 are anonymous on
// SQLite and must come first in the statement's text.
func (d Dialect) Values(start, rows, width int, consts ...string) string {
	var b strings.Builder
	b.Grow(rows * (width*6 + 3))
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		first := start + r*width
		if d == SQLite && start == 1 {
			first = 1 // anonymous: every row's "?" are numbered in order
		}
		d.params(&b, first, width)
		for _, k := range consts {
			b.WriteByte(',')
			b.WriteString(k)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// Args collects the arguments of a statement while it is written, so
// that each placeholder has the right number.
type Args struct {
	d    Dialect
	list []any
}

// Args starts a list of arguments holding first (written as $1, $2, ...).
func (d Dialect) Args(first ...any) *Args { return &Args{d: d, list: first} }

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	a.list = append(a.list, v)
	return a.d.Param(len(a.list))
}

// In appends the values and returns "(p1, p2, ...)" (see List); for no
// values it returns "(NULL)", which matches nothing ("x IN (NULL)" is
// never true).
func (a *Args) In(values ...any) string {
	if len(values) == 0 {
		return "(NULL)"
	}
	start := len(a.list) + 1
	a.list = append(a.list, values...)
	return a.d.List(start, len(values))
}

// List returns the arguments to pass to the query.
func (a *Args) List() []any { return a.list }

// InValues turns a slice into arguments for Args.In.
func InValues[T any](list []T) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = v
	}
	return out
}

// JSONText is the text value of the top-level key of the JSON object in
// column col (NULL when absent). key must be a constant identifier.
func (d Dialect) JSONText(col, key string) string {
	if d == Postgres {
		return "(" + col + "::json ->> '" + key + "')"
	}
	return "json_extract(" + col + ", '$." + key + "')"
}

// The local time zone of the platform is Asia/Shanghai: UTC+8, without
// daylight saving since 1991, so SQLite shifts by 8 hours.

// GroupMonth is a grouping key for the month, in Asia/Shanghai, of the
// timestamp column col. Scan it into an any and format it with MonthOf:
// PostgreSQL groups by the truncated timestamp (cheaper to compute and
// sort than a formatted string), SQLite by the text YYYY-MM.
func (d Dialect) GroupMonth(col string) string {
	if d == Postgres {
		return "date_trunc('month', " + col + " AT TIME ZONE 'Asia/Shanghai')"
	}
	return "strftime('%Y-%m', " + col + ", '+8 hours')"
}

// GroupDay is the same for the local day (format it with DayOf).
func (d Dialect) GroupDay(col string) string {
	if d == Postgres {
		return "date_trunc('day', " + col + " AT TIME ZONE 'Asia/Shanghai')"
	}
	return "strftime('%Y-%m-%d', " + col + ", '+8 hours')"
}

// MonthOf formats a GroupMonth key as YYYY-MM.
func MonthOf(v any) string { return keyText(v, "2006-01") }

// DayOf formats a GroupDay key as YYYY-MM-DD.
func DayOf(v any) string { return keyText(v, "2006-01-02") }

func keyText(v any, layout string) string {
	switch k := v.(type) {
	case time.Time:
		// date_trunc of a local timestamp: the fields are the local ones.
		return k.Format(layout)
	case string:
		return k
	case []byte:
		return string(k)
	}
	return ""
}

// RefreshStats brings the query planner's statistics of table up to date
// within the current transaction: ANALYZE on PostgreSQL, whose planner
// otherwise keeps the statistics of a small table through a large bulk
// load; nothing on SQLite, which plans such lookups on the indexes without
// statistics. table must be a constant name.
func (d *DB) RefreshStats(ctx context.Context, table string) error {
	if d.Dialect != Postgres {
		return nil
	}
	_, err := d.Q(ctx).Exec(ctx, "ANALYZE "+table)
	return err
}
