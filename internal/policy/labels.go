package policy

// LabelTables returns the module's label tables by kind: code -> {zh, en},
// read from the one map Label reads (labels). "code" is that whole map
// (Label names any code by itself); "mode", "category", "status",
// "grant_status", "push_status" and "cause" are its codes by kind. The
// handlers register them in the platform's one label table
// (module.Info.Labels) as "policy.<kind>", so both always say the same.
func LabelTables() map[string]map[string][2]string {
	kinds := map[string][]string{
		"mode": Modes, "category": Categories, "status": Statuses,
		"grant_status": {GrantAccepted, GrantApproved, GrantPaid, GrantExcluded},
		"push_status":  {PushSent, PushHeld},
		"cause":        {CausePublish, CauseFacts},
	}
	out := map[string]map[string][2]string{"code": {}}
	for code, t := range labels {
		out["code"][code] = [2]string{t.ZH, t.EN}
	}
	for kind, codes := range kinds {
		m := make(map[string][2]string, len(codes))
		for _, c := range codes {
			if t, ok := labels[c]; ok {
				m[c] = [2]string{t.ZH, t.EN}
			}
		}
		out[kind] = m
	}
	return out
}
