package account

const q = "SELECT id FROM departments WHERE parent_id = $1"
