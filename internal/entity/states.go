package entity

import "yingshang/internal/audit"

// entityState lists the columns of an entity that its audit events vouch
// for (the encrypted ID number is left out: key rotation re-encrypts it;
// its mask and the phone's blind index stand for it).
const entityState = `SELECT id, uscc, name, entity_type, legal_rep_name, legal_rep_id_mask, address, region_code, industry_code,
	size_class, size_source, CAST(employees AS TEXT), CAST(revenue_wan AS TEXT), CAST(assets_wan AS TEXT), founded_on, status,
	phone_mask, phone_hash, tags, CAST(department_id AS TEXT) FROM entities`

// RegisterStates adds the market entities to the audit deep check.
func (s *Service) RegisterStates(st *audit.States) {
	st.Add("entity", &audit.SQLSource{DB: s.DB, KindName: "entity", Cols: 19,
		All: entityState + " ORDER BY id", One: entityState + " WHERE id = $1"})
}
