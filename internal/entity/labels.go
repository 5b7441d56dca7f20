package entity

// LabelTables returns the register's label tables by kind ("status"):
// code -> {zh, en}, a copy of the map Status.Label reads. The core
// registers it in the platform's one label table as "entity.status"
// (internal/web/labels_core.go), so both always say the same.
func LabelTables() map[string]map[string][2]string {
	st := make(map[string][2]string, len(statusLabels))
	for k, v := range statusLabels {
		st[string(k)] = v
	}
	return map[string]map[string][2]string{"status": st}
}
