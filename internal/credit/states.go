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
}

// repairState covers a repair application and its decision; every write
// (apply, supplement, more information, approve, reject, the due-date
// warning) records a credit_repair event. Timestamps are left out: they
// follow the status and their text form depends on the engine's session.
const repairState = `SELECT id, CAST(record_id AS TEXT), CAST(entity_id AS TEXT), CAST(department_id AS TEXT), status, statement,
	CAST(commitment_id AS TEXT), CAST(resubmission_of AS TEXT), CAST(warned AS TEXT), request_note, reason,
	CAST(decided_by AS TEXT), CAST(created_by AS TEXT) FROM credit_repairs`
