// Package account manages departments, users and their roles, login
// sessions and API tokens.
//
// Departments form a tree (city -> county/district -> bureau). A user's
// department scope is its department and everything below it: department
// admins manage users in that scope and department staff see restricted
// data of entities managed there. Platform admins see and manage
// everything; supervisors read.
//
// Error contract: unknown ids give yserr.NotFound; a caller without the
// right role gives yserr.Forbidden; bad input gives yserr.Invalid naming the
// field; a taken username or department code gives yserr.Conflict.
package account

import (
	"time"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/notify"
	"yingshang/internal/secret"
)

// Service is the account service.
type Service struct {
	DB    *db.DB
	Audit *audit.Log
	Keys  *secret.Keyring
	Clock clock.Clock

	// Notify tells an account holder that the account was locked (nil: nobody is told).
	Notify *notify.Service

	MaxFailures  int           // failures from one address before each further try waits (default 5)
	Lockout      time.Duration // the longest wait, and the length of an account lock (default 15 minutes)
	LockFailures int           // failures in a row from all addresses before the account locks (0: never)
	SessionTTL   time.Duration // idle session lifetime (default 12 hours)

	caches db.Lazy[*caches] // cache.go
}

// Department is a node of the department tree.
type Department struct {
	ID         int64     `json:"id"`
	ParentID   int64     `json:"parent_id,omitempty"`
	Code       string    `json:"code" doc:"short unique code, e.g. XC-SJJ"`
	Name       string    `json:"name" doc:"Chinese name, e.g. 许昌市市场监督管理局"`
	NameEN     string    `json:"name_en,omitempty"`
	Kind       string    `json:"kind" enum:"city,county,bureau,office"`
	RegionCode string    `json:"region_code,omitempty"`
	Depth      int       `json:"depth" doc:"0 for a root department"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// DepartmentInput creates or updates a department.
type DepartmentInput struct {
	ParentID   int64  `json:"parent_id,omitempty"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	NameEN     string `json:"name_en,omitempty"`
	Kind       string `json:"kind" enum:"city,county,bureau,office"`
	RegionCode string `json:"region_code,omitempty"`
}

// User is an account. Phone is masked unless the caller manages the user.
type User struct {
	ID           int64       `json:"id"`
	Username     string      `json:"username"`
	DisplayName  string      `json:"display_name"`
	DepartmentID int64       `json:"department_id,omitempty"`
	EntityID     int64       `json:"entity_id,omitempty"`
	Phone        string      `json:"phone,omitempty"`
	Email        string      `json:"email,omitempty"`
	Status       string      `json:"status" enum:"active,disabled"`
	Roles        []auth.Role `json:"roles"`
	Lang         string      `json:"lang"`
	LockedUntil  *time.Time  `json:"locked_until,omitempty"`
	LastLoginAt  *time.Time  `json:"last_login_at,omitempty"`
	CreatedAt    time.Time   `json:"created_at"`
}

// UserInput creates a user; on update, empty Password keeps the password.
type UserInput struct {
	Username     string      `json:"username"`
	DisplayName  string      `json:"display_name"`
	Password     string      `json:"password,omitempty"`
	DepartmentID int64       `json:"department_id,omitempty"`
	EntityID     int64       `json:"entity_id,omitempty"`
	Phone        string      `json:"phone,omitempty"`
	Email        string      `json:"email,omitempty"`
	Roles        []auth.Role `json:"roles"`
	Lang         string      `json:"lang,omitempty" enum:"zh-CN,en"`
	// RevokeTokens, with a new Password, also revokes the user's API
	// tokens (sessions always end on a reset).
	RevokeTokens bool `json:"revoke_tokens,omitempty"`
}

// UserFilter selects users.
type UserFilter struct {
	DepartmentID int64
	Role         auth.Role
	Q            string // username or display name substring
	Page         int
	PerPage      int
}

// Token is an API token's metadata; the secret is shown once at creation.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Username   string     `json:"username"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix" doc:"first characters of the token, to recognise it"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func (s *Service) maxFailures() int {
	if s.MaxFailures > 0 {
		return s.MaxFailures
	}
	return 5
}

func (s *Service) lockout() time.Duration {
	if s.Lockout > 0 {
		return s.Lockout
	}
	return 15 * time.Minute
}

func (s *Service) sessionTTL() time.Duration {
	if s.SessionTTL > 0 {
		return s.SessionTTL
	}
	return 12 * time.Hour
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }
