package notify

import "yingshang/internal/notify/migrations"

// Schema is the tables notify owns (internal/notify/migrations); no other
// package's SQL names them.
var Schema = migrations.Source
