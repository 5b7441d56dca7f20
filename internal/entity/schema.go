package entity

import "yingshang/internal/entity/migrations"

// Schema is the tables entity owns (internal/entity/migrations); no other
// package's SQL names them.
var Schema = migrations.Source
