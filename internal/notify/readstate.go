package notify

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Read state for modules that track whether their messages were read
// (the policy module's pushes). Like the query service, these do not
// check access: the module that owns the objects decides.

// ReadByObject returns, for each of the objects of a type, when its first
// in-app notification was read (absent: none read yet), in one query.
func (s *Service) ReadByObject(ctx context.Context, objectType string, objectIDs []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if len(objectIDs) == 0 {
		return out, nil
	}
	args := []any{objectType}
	ph := make([]string, len(objectIDs))
	for i, id := range objectIDs {
		args = append(args, id)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	// Rows, not MIN(read_at): SQLite's aggregate would lose the type.
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT object_id, read_at FROM notifications WHERE object_type = $1 AND channel = 'inapp'
		AND read_at IS NOT NULL AND object_id IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		if first, ok := out[id]; !ok || at.Before(first) {
			out[id] = at
		}
	}
	return out, rows.Err()
}

// ReadCounts counts the objects of a type that have an in-app
// notification (reached) and those of them with one read (read).
func (s *Service) ReadCounts(ctx context.Context, objectType string) (reached, read int64, err error) {
	err = s.DB.Q(ctx).QueryRow(ctx, `SELECT COUNT(DISTINCT object_id), COUNT(DISTINCT CASE WHEN read_at IS NOT NULL THEN object_id END)
		FROM notifications WHERE object_type = $1 AND channel = 'inapp'`, objectType).Scan(&reached, &read)
	return reached, read, err
}
