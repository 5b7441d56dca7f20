package bideval

import "yingshang/internal/bideval/migrations"

// Schema is the tables bideval owns (internal/bideval/migrations); no other
// package's SQL names them.
var Schema = migrations.Source
