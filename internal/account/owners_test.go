package account_test

import (
	"context"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

func TestUserEntity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(t, d)
		ctx := context.Background()
		var ent int64
		if err := d.W(ctx).QueryRow(ctx, `INSERT INTO entities (uscc, name, created_at, updated_at)
			VALUES ('91411002MA44XJ5T2X', '许昌测试有限公司', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id`).Scan(&ent); err != nil {
			t.Fatal(err)
		}
		for _, u := range []struct {
			name string
			ent  any
		}{{"bound", ent}, {"unbound", nil}} {
			if _, err := d.W(ctx).Exec(ctx, `INSERT INTO users (username, display_name, password_hash, entity_id, created_at, updated_at)
				VALUES ($1, $1, '', $2, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`, u.name, u.ent); err != nil {
				t.Fatal(err)
			}
		}
		for name, want := range map[string]int64{"bound": ent, "unbound": 0, "nobody": 0} {
			if got, err := s.UserEntity(ctx, name); err != nil || got != want {
				t.Errorf("UserEntity(%s) = %d, %v; want %d", name, got, err, want)
			}
		}
	})
}
