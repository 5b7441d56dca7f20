package credit

// LabelTables returns the module's plain label tables by kind ("kind",
// "status", "penalty_type", "repair_status", "measure"): code -> {zh, en}.
// The handlers register them in the platform's one label table
// (module.Info.Labels) as "credit.<kind>"; KindLabel, StatusLabel,
// PenaltyTypeLabel, RepairLabel and MeasureLabel read the same maps, so
// both always say the same. (Scene labels are not here: an installation
// may configure its own scenes.)
func LabelTables() map[string]map[string][2]string {
	tables := map[string]map[string][2]string{
		"kind": kindLabels, "status": statusLabels, "penalty_type": penaltyTypes,
		"repair_status": repairLabels, "measure": measureLabels,
	}
	out := make(map[string]map[string][2]string, len(tables))
	for kind, m := range tables {
		c := make(map[string][2]string, len(m))
		for k, v := range m {
			c[k] = v
		}
		out[kind] = c
	}
	return out
}
