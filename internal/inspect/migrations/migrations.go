// Package migrations holds the inspect module's schema: the tables these
// files create belong to internal/inspect.
package migrations

import (
	"embed"

	"yingshang/internal/db"
)

//go:embed *.sql
var files embed.FS

// Source is the inspect module's schema.
var Source = db.Register(db.Source{Name: "inspect", FS: files})
