CREATE TABLE stock_items (
    id BIGINT PRIMARY KEY
);
