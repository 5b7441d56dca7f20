package account

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// TokenPrefix starts every API token, so that secret scanners recognise them.
const TokenPrefix = "ys_"

// CreateToken issues an API token acting as user userID. The raw token is
// returned once and only its hash is stored. Platform admins create tokens
// for any account; other users only for themselves.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string, expiresAt *time.Time) (string, *Token, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return "", nil, err
	}
	if !a.Has(auth.PlatformAdmin) && !a.IsSystem() && a.UserID != userID {
		return "", nil, yserr.ErrForbidden()
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", nil, yserr.Field("name", "令牌名称必填，最多 100 字", "token name is required, at most 100 characters")
	}
	if expiresAt != nil && !expiresAt.After(s.now()) {
		return "", nil, yserr.Field("expires_at", "到期时间必须晚于现在", "expiry must be in the future")
	}
	raw := TokenPrefix + randomToken(32)
	var t Token
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		u, err := s.getUser(ctx, userID)
		if err != nil {
			return yserr.Field("user_id", "用户不存在", "user does not exist")
		}
		now := s.now()
		t = Token{UserID: userID, Username: u.Username, Name: name, Prefix: raw[:len(TokenPrefix)+6], CreatedAt: now, ExpiresAt: expiresAt}
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at, created_by, expires_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, userID, name, t.Prefix, hashToken(raw), now, nullID(a.UserID), expiresAt).Scan(&t.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "token.create", "api_token", strconv.FormatInt(t.ID, 10), nil, t, "")
	})
	if err != nil {
		return "", nil, err
	}
	return raw, &t, nil
}

const tokenCols = "t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.last_used_at, t.expires_at, t.revoked_at"

func scanToken(r db.Row, t *Token) error {
	return r.Scan(&t.ID, &t.UserID, &t.Username, &t.Name, &t.Prefix, &t.CreatedAt, &t.LastUsedAt, &t.ExpiresAt, &t.RevokedAt)
}

// ListTokens lists tokens: all for platform admins, own for others.
func (s *Service) ListTokens(ctx context.Context) ([]Token, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := "SELECT " + tokenCols + " FROM api_tokens t JOIN users u ON u.id = t.user_id"
	var args []any
	if !a.Has(auth.PlatformAdmin) && !a.IsSystem() {
		q += " WHERE t.user_id = $1"
		args = append(args, a.UserID)
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+" ORDER BY t.id DESC", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		if err := scanToken(rows, &t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes a token at once.
func (s *Service) RevokeToken(ctx context.Context, id int64) error {
	a, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		var t Token
		err := scanToken(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+tokenCols+" FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1", id), &t)
		if db.IsNoRows(err) || (err == nil && !a.Has(auth.PlatformAdmin) && !a.IsSystem() && t.UserID != a.UserID) {
			return yserr.ErrNotFound("令牌", "token")
		}
		if err != nil {
			return err
		}
		if t.RevokedAt != nil {
			return nil
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE api_tokens SET revoked_at=$1 WHERE id=$2", s.now(), id); err != nil {
			return err
		}
		if err := s.changed(ctx); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "token.revoke", "api_token", strconv.FormatInt(id, 10), t, nil, "")
	})
}

// TokenActor resolves a bearer token to its actor.
func (s *Service) TokenActor(ctx context.Context, raw string) (*auth.Actor, error) {
	if !strings.HasPrefix(raw, TokenPrefix) {
		return nil, yserr.ErrUnauthorized()
	}
	hash := hashToken(raw)
	t, err := s.cache().tokens.Get(ctx, hash, func() (tokenRow, error) {
		var t tokenRow
		err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id, user_id, expires_at, revoked_at, last_used_at FROM api_tokens WHERE token_hash = $1", hash).
			Scan(&t.id, &t.userID, &t.expires, &t.revoked, &t.used)
		return t, err
	})
	if db.IsNoRows(err) {
		return nil, yserr.ErrUnauthorized()
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if t.revoked != nil || (t.expires != nil && !t.expires.After(now)) {
		return nil, yserr.ErrUnauthorized()
	}
	if t.used == nil || now.Sub(*t.used) > time.Minute {
		if _, err := s.DB.W(ctx).Exec(ctx, "UPDATE api_tokens SET last_used_at=$1 WHERE id=$2", now, t.id); err != nil {
			return nil, err
		}
		// The last use is not a change of who the token is: the cached
		// row keeps its place with the new time.
		s.cache().tokens.Update(hash, func(t tokenRow) tokenRow { t.used = &now; return t })
	}
	return s.actor(ctx, t.userID, "token")
}
