package appeal

// LabelTables returns the module's label tables by kind ("state",
// "action", "kind", "channel", "rating", "clock", "issue_class",
// "stage"): code -> {zh, en}. The handlers register them in the
// platform's one label table (web.Labels); the module's own Label
// functions read the same maps.
func LabelTables() map[string]map[string][2]string {
	out := map[string]map[string][2]string{"state": {}, "action": {}, "kind": {}, "channel": {}, "rating": {},
		"clock": {}, "issue_class": {}, "stage": {}}
	for _, s := range machine.States {
		out["state"][string(s.ID)] = [2]string{s.Label.Zh, s.Label.En}
	}
	for _, a := range machine.Actions {
		out["action"][string(a.ID)] = [2]string{a.Label.Zh, a.Label.En}
	}
	for k, l := range kindLabels {
		out["kind"][string(k)] = l
	}
	for _, m := range []struct {
		kind string
		src  map[string][2]string
	}{{"channel", channelLabels}, {"rating", ratingLabels}, {"clock", clockLabels}, {"issue_class", issueClassLabels}, {"stage", stageLabels}} {
		for k, l := range m.src {
			if k != "" {
				out[m.kind][k] = l
			}
		}
	}
	return out
}
