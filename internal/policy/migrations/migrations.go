// Package migrations holds the policy module's schema: the tables these
// files create belong to internal/policy.
package migrations

import (
	"embed"

	"yingshang/internal/db"
)

//go:embed *.sql
var files embed.FS

// Source is policy's schema, registered so that test databases create it.
var Source = db.Register(db.Source{Name: "policy", FS: files})
