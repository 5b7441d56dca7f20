package appeal

import "yingshang/internal/audit"

// appealState covers what an appeal says and where it stands: the
// submission (audited by appeal.submit) and the columns a transition
// writes and audits (appeal.<action>). The deadlines, timestamps and alert
// levels are left out: the SLA scan settles alert levels in bulk and the
// demo backdates its appeals, neither with an event, and they follow from
// the covered state and the calendar.
const appealState = `SELECT id, number, CAST(year AS TEXT), CAST(entity_id AS TEXT), CAST(submitter_id AS TEXT),
	CAST(registered_by AS TEXT), person_name, person_phone_mask, channel, kind, topic, region_code, title, description,
	contact_pref, CAST(publishable AS TEXT), state, CAST(version AS TEXT), CAST(lead_dept_id AS TEXT), CAST(handler_id AS TEXT),
	CAST(merged_into AS TEXT), CAST(reopen_count AS TEXT), CAST(supervision_level AS TEXT), CAST(extension_days AS TEXT),
	CAST(ext_requested_days AS TEXT), ext_reason, reply, rating, rating_comment FROM appeals`

// RegisterStates adds appeals to the audit deep check: an appeal closed,
// reassigned, re-rated or deleted outside the application shows.
func (s *Service) RegisterStates(st *audit.States) {
	st.Add("appeal", &audit.SQLSource{DB: s.DB, KindName: "appeal", Cols: 28,
		All: appealState + " ORDER BY id", One: appealState + " WHERE id = $1"})
}
