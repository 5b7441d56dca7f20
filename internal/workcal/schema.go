package workcal

import "yingshang/internal/workcal/migrations"

// Schema is the tables workcal owns (internal/workcal/migrations); no other
// package's SQL names them.
var Schema = migrations.Source
