package shop

// Test fixtures may name any table.
var fixture = "INSERT INTO stock_items (id) VALUES (1)"
