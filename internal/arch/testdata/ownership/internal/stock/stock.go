package stock

func create() string { return `CREATE TABLE IF NOT EXISTS stock_log (id BIGINT)` }

const own = "SELECT id FROM stock_items"
