package draw

import "yingshang/internal/draw/migrations"

// Schema is the tables draw owns (internal/draw/migrations); no other
// package's SQL names them.
var Schema = migrations.Source
