package credit

import "yingshang/internal/credit/migrations"

// Schema is the tables credit owns (internal/credit/migrations); no other
// package's SQL names them.
var Schema = migrations.Source
