// Package migrations holds the example module's schema: the tables these
// files create belong to internal/module/example.
package migrations

import (
	"embed"

	"yingshang/internal/db"
)

//go:embed *.sql
var files embed.FS

// Source is the example module's schema.
var Source = db.Register(db.Source{Name: "example", FS: files})
