package account

import "yingshang/internal/audit"

const (
	userState = `SELECT id, username, display_name, password_hash, CAST(department_id AS TEXT), CAST(entity_id AS TEXT),
	status, email, phone_hash, oidc_subject FROM users`
	roleState = `SELECT user_id, role FROM user_roles`
)

// RegisterStates adds accounts and their roles to the audit deep check:
// an enterprise user given platform_admin outside the application shows.
func (s *Service) RegisterStates(st *audit.States) {
	st.Add("user", &audit.SQLSource{DB: s.DB, KindName: "user", Cols: 9,
		All: userState + " ORDER BY id", One: userState + " WHERE id = $1"})
	st.Add("roles", &audit.SQLSource{DB: s.DB, KindName: "user", Cols: 1,
		All: roleState + " ORDER BY user_id, role", One: roleState + " WHERE user_id = $1 ORDER BY role"})
}
