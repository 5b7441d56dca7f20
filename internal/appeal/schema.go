package appeal

import "yingshang/internal/appeal/migrations"

// Schema is the tables appeal owns (internal/appeal/migrations); no other
// package's SQL names them.
var Schema = migrations.Source
