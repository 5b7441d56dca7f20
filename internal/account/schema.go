package account

import "yingshang/internal/account/migrations"

// Schema is the tables account owns (internal/account/migrations); no other
// package's SQL names them.
var Schema = migrations.Source
