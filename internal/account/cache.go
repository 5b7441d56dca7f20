package account

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
)

// changeTopic is the change topic of every cached account read: who a
// token belongs to, a user's actor (roles, department scope, entity), an
// entity's users and user references. Every write of users, their roles,
// departments or tokens that changes one of them calls changed in its
// transaction (db.Changes): on this instance the next read sees it, on
// another instance (or from the CLI) within the change poll.
const changeTopic = "account"

// cacheSize bounds each cache (a city's active tokens and users).
const cacheSize = 20000

func (s *Service) changed(ctx context.Context) error { return s.DB.Changed(ctx, changeTopic) }

type caches struct {
	tokens      *db.Cache[string, tokenRow]
	actors      *db.Cache[int64, auth.Actor]
	entityUsers *db.Cache[string, map[int64][]int64]
	userRefs    *db.Cache[string, map[int64]UserRef]
}

func (s *Service) cache() *caches {
	return s.caches.Get(func() *caches {
		return &caches{
			tokens:      db.NewCache[string, tokenRow](s.DB, cacheSize, changeTopic),
			actors:      db.NewCache[int64, auth.Actor](s.DB, cacheSize, changeTopic),
			entityUsers: db.NewCache[string, map[int64][]int64](s.DB, cacheSize, changeTopic),
			userRefs:    db.NewCache[string, map[int64]UserRef](s.DB, cacheSize, changeTopic),
		}
	})
}

// tokenRow is what TokenActor needs of an API token.
type tokenRow struct {
	id, userID             int64
	expires, revoked, used *time.Time
}

// idsKey is the cache key of a set of ids (and roles).
func idsKey(ids []int64, roles []auth.Role) string {
	var b strings.Builder
	for _, r := range roles {
		b.WriteString(string(r))
		b.WriteByte(',')
	}
	b.WriteByte('|')
	for _, id := range ids {
		b.WriteString(strconv.FormatInt(id, 10))
		b.WriteByte(',')
	}
	return b.String()
}

func cloneIDs(m map[int64][]int64) map[int64][]int64 {
	out := make(map[int64][]int64, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}
