package license

import "yingshang/internal/license/migrations"

// Schema is the tables license owns (internal/license/migrations); no other
// package's SQL names them.
var Schema = migrations.Source
