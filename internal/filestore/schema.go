package filestore

import "yingshang/internal/filestore/migrations"

// Schema is the tables filestore owns (internal/filestore/migrations); no
// other package's SQL names them.
var Schema = migrations.Source
