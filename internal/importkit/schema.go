package importkit

import "yingshang/internal/importkit/migrations"

// Schema is the tables importkit owns (internal/importkit/migrations); no other
// package's SQL names them.
var Schema = migrations.Source
