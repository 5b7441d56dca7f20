package draw

import "yingshang/internal/audit"

// projectState covers what a draw project is registered as; its status
// moves with the draw and its bidders list with bideval's bids, each
// audited on its own object.
const projectState = `SELECT id, code, name, kind, CAST(budget_yuan AS TEXT), specialties, econ_specialties, tenderer_uscc,
	region_code, CAST(cross_region AS TEXT), CAST(committee AS TEXT), CAST(department_id AS TEXT) FROM draw_projects`

// RegisterStates adds draw projects to the audit deep check.
func (s *Service) RegisterStates(st *audit.States) {
	st.Add("draw", &audit.SQLSource{DB: s.DB, KindName: "draw_project", Cols: 11,
		All: projectState + " ORDER BY id", One: projectState + " WHERE id = $1"})
}
