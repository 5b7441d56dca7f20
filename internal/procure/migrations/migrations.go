// Package migrations holds the schema of internal/procure: the tables these
// files create belong to procure, and no other package's SQL names them.
package migrations

import (
	"embed"

	"yingshang/internal/db"
)

//go:embed *.sql
var files embed.FS

// Source is procure's schema, registered so that test databases create it.
var Source = db.Register(db.Source{Name: "procure", FS: files})
