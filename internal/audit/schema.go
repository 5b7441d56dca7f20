package audit

import "yingshang/internal/audit/migrations"

// Schema is the tables audit owns (internal/audit/migrations); no other
// package's SQL names them.
var Schema = migrations.Source
