package credit

import "yingshang/internal/audit"

const recordState = `SELECT id, CAST(entity_id AS TEXT), CAST(department_id AS TEXT), kind, class, CAST(current_version AS TEXT), status,
	CAST(negative AS TEXT), decided_on, min_end, max_end, CAST(obligations_met AS TEXT), obligations_note FROM credit_records`

// RegisterStates adds credit records to the audit deep check: a record set
// to repaired, or deleted, outside the application shows.
func (s *Service) RegisterStates(st *audit.States) {
	st.Add("credit_record", &audit.SQLSource{DB: s.DB, KindName: "credit_record", Cols: 12,
		All: recordState + " ORDER BY id", One: recordState + " WHERE id = $1"})
}
