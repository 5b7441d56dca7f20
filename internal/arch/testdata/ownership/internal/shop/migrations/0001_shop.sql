CREATE TABLE shop_orders (id BIGINT PRIMARY KEY, item_id BIGINT);
-- CREATE TABLE commented_out (id BIGINT);
