package license

import "yingshang/internal/audit"

// RegisterStates adds licences to the audit deep check: a licence inserted,
// deleted, or changed (holder, dates, status, renewal, the holder's
// answer) outside the application shows. Every write records a "license"
// event: the import (license.create, in bulk), the daily scan
// (license.lapsed, in bulk), renewal and revocation, and the holder's
// answer.
func (s *Service) RegisterStates(st *audit.States) {
	st.Add("license", &audit.SQLSource{DB: s.DB, KindName: "license", Cols: 19,
		All:  licenseState + " ORDER BY id",
		One:  licenseState + " WHERE id = $1",
		Many: licenseState + " WHERE id IN (%s) ORDER BY id"})
}

// licenseState covers a licence's business columns; timestamps are left
// out (they follow the status, and their text form depends on the engine's
// session). The encrypted holder ID and phone are covered as stored.
const licenseState = `SELECT id, CAST(type_id AS TEXT), CAST(department_id AS TEXT), number, CAST(entity_id AS TEXT), holder_name,
	holder_id_enc, holder_id_mask, holder_id_hash, phone_enc, phone_mask, issued_on, expires_on, status,
	CAST(elderly AS TEXT), CAST(disabled AS TEXT), CAST(renewed_by_id AS TEXT), renewed_on, renewal_source, holder_answer FROM licenses`
