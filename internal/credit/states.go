package credit

import "yingshang/internal/audit"

const recordState = `SELECT id, CAST(entity_id AS TEXT), CAST(department_id AS TEXT), kind, class, CAST(current_version AS TEXT), status,
	CAST(negative AS TEXT), decided_on, min_end, max_end, CAST(obligations_met AS TEXT), obligations_note FROM credit_records`

// RegisterStates adds credit records and repair applications to the audit
// deep check: a record set to repaired, a repair approved, or either
// deleted, outside the application shows.
func (s *Service) RegisterStates(st *audit.States) {
	st.Add("credit_record", &audit.SQLSource{DB: s.DB, KindName: "credit_record", Cols: 12,
		All: recordState + " ORDER BY id", One: recordState + " WHERE id = $1"})
	st.Add("credit_repair", &audit.SQLSource{DB: s.DB, KindName: "credit_repair", Cols: 12,
		All: repairState + " ORDER BY id", One: repairState + " WHERE id = $1"})
	// Issue 18 (migration 0006): service points, assisted applications and
	// red/black lists with their entries; every write of each records an
	// event on the object after the change, in its transaction.
	st.Add("credit_service_point", &audit.SQLSource{DB: s.DB, KindName: "credit_service_point", Cols: 3,
		All: pointState + " ORDER BY department_id", One: pointState + " WHERE department_id = $1"})
	st.Add("credit_assisted", &audit.SQLSource{DB: s.DB, KindName: "credit_assisted", Cols: 11,
		All: assistedState + " ORDER BY id", One: assistedState + " WHERE id = $1"})
	st.Add("credit_list", &audit.SQLSource{DB: s.DB, KindName: "credit_list", Cols: 6,
		All: listState + " ORDER BY id", One: listState + " WHERE id = $1"})
	st.Add("credit_list_entries", &audit.SQLSource{DB: s.DB, KindName: "credit_list", Cols: 5,
		All: listEntryState + " ORDER BY list_id, entity_id", One: listEntryState + " WHERE list_id = $1 ORDER BY entity_id"})
}

// The states of issue 18's objects (timestamps left out, as above). The
// review routes (credit_review_route) are keyed by record kind, not a row
// id, and are not covered.
const (
	pointState    = `SELECT department_id, kind, label, CAST(active AS TEXT) FROM credit_service_points`
	assistedState = `SELECT id, CAST(record_id AS TEXT), CAST(entity_id AS TEXT), CAST(point_id AS TEXT), statement, CAST(auth_file_id AS TEXT),
	auth_sha256, status, answer_note, CAST(repair_id AS TEXT), CAST(created_by AS TEXT), CAST(answered_by AS TEXT) FROM credit_assisted`
	listState      = `SELECT id, kind, title, criteria, grades, status, CAST(published_by AS TEXT) FROM credit_lists`
	listEntryState = `SELECT list_id, CAST(entity_id AS TEXT), grade, reason, reason_en, CAST(included AS TEXT) FROM credit_list_entries`
)

// repairState covers a repair application and its decision; every write
// (apply, supplement, more information, approve, reject, the due-date
// warning) records a credit_repair event. Timestamps are left out: they
// follow the status and their text form depends on the engine's session.
const repairState = `SELECT id, CAST(record_id AS TEXT), CAST(entity_id AS TEXT), CAST(department_id AS TEXT), status, statement,
	CAST(commitment_id AS TEXT), CAST(resubmission_of AS TEXT), CAST(warned AS TEXT), request_note, reason,
	CAST(decided_by AS TEXT), CAST(created_by AS TEXT) FROM credit_repairs`
