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
	// Issue 18 hand-overs (migration 0004): a clue (handed over, disclosed)
	// and a joint meeting with its departments and appeals (written once).
	// Meeting tasks are not covered: they are created with the meeting's
	// event, not one of their own.
	st.Add("appeal_clue", &audit.SQLSource{DB: s.DB, KindName: "appeal_clue", Cols: 5,
		All: clueState + " ORDER BY id", One: clueState + " WHERE id = $1"})
	st.Add("appeal_meeting", &audit.SQLSource{DB: s.DB, KindName: "appeal_meeting", Cols: 4,
		All: meetingState + " ORDER BY id", One: meetingState + " WHERE id = $1"})
	st.Add("appeal_meeting_links", &audit.SQLSource{DB: s.DB, KindName: "appeal_meeting", Cols: 2,
		All: meetingLinkState + " ORDER BY meeting_id, kind, ref", One: meetingLinkState + " WHERE meeting_id = $1 ORDER BY kind, ref"})
}

const (
	clueState    = `SELECT id, CAST(appeal_id AS TEXT), CAST(office_dept_id AS TEXT), summary, CAST(handed_by AS TEXT), CAST(disclosed AS TEXT) FROM appeal_clues`
	meetingState = `SELECT id, title, held_on, chair, minutes FROM appeal_meetings`
	// The departments (d) and appeals (a) a meeting took, one row each.
	meetingLinkState = `SELECT meeting_id, kind, ref FROM (SELECT meeting_id, 'd' AS kind, dept_id AS ref FROM appeal_meeting_depts
		UNION ALL SELECT meeting_id, 'a' AS kind, appeal_id AS ref FROM appeal_meeting_appeals) x`
)
