package shop

import "fmt"

const cols = "o.id, o.item_id"

// Owned: fine.
var own = "SELECT " + cols + " FROM shop_orders o WHERE o.id = $1"

// A comma join in a raw literal: stock_items on the second line.
var join = `SELECT o.id
	FROM shop_orders o, stock_items s WHERE s.id = o.item_id`

// A concatenation split just before the table name.
var split = "UPDATE " +
	"stock_log SET id = 1"

func dynamic(table string) string {
	// A variable part is blank: nothing is reported for it.
	return fmt.Sprintf("DELETE FROM shop_orders WHERE id IN (SELECT id FROM %s)", table) + " AND id IN (SELECT id FROM users)"
}
