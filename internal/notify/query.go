package notify

import (
	"context"
	"strconv"
	"strings"
)

// The query service: what other modules may ask about the messages they
// caused, so that they never read the notifications table themselves. A
// message is tied to its cause by ObjectType and ObjectID (Message). These
// functions do not check access: the module that owns the object decides
// who may see its messages.

// ObjectMessages lists the notifications about one object, newest first.
func (s *Service) ObjectMessages(ctx context.Context, objectType, objectID string) ([]Notification, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+notificationCols+" FROM notifications WHERE object_type = $1 AND object_id = $2 ORDER BY id DESC",
		objectType, objectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *n)
	}
	return out, rows.Err()
}

// FailedByObject counts the failed notifications of each of the objects
// (absent from the map: none failed), in one query.
func (s *Service) FailedByObject(ctx context.Context, objectType string, objectIDs []string) (map[string]int, error) {
	out := map[string]int{}
	if len(objectIDs) == 0 {
		return out, nil
	}
	args := []any{objectType}
	ph := make([]string, len(objectIDs))
	for i, id := range objectIDs {
		args = append(args, id)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT object_id, COUNT(*) FROM notifications WHERE object_type = $1 AND status = 'failed'
		AND object_id IN (`+strings.Join(ph, ", ")+`) GROUP BY object_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// ObjectCount is how many notifications about one object went out on a
// channel and ended in a status.
type ObjectCount struct {
	ObjectID string
	Channel  string
	Status   string
	Count    int
}

// CountsByObject counts the notifications of the message types about
// objects of a type, by object, channel and status.
func (s *Service) CountsByObject(ctx context.Context, objectType string, msgTypes ...string) ([]ObjectCount, error) {
	q := "SELECT object_id, channel, status, COUNT(*) FROM notifications WHERE object_type = $1"
	args := []any{objectType}
	if len(msgTypes) > 0 {
		ph := make([]string, len(msgTypes))
		for i, t := range msgTypes {
			args = append(args, t)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		q += " AND msg_type IN (" + strings.Join(ph, ", ") + ")"
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+" GROUP BY object_id, channel, status ORDER BY object_id, channel, status", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ObjectCount
	for rows.Next() {
		var c ObjectCount
		if err := rows.Scan(&c.ObjectID, &c.Channel, &c.Status, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CountFailed counts the notifications whose delivery failed.
func (s *Service) CountFailed(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE status = 'failed'").Scan(&n)
	return n, err
}
