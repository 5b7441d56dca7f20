-- The legacy shared folder: owners come from legacyOwners.
CREATE TABLE departments (id BIGINT PRIMARY KEY, parent_id BIGINT);
CREATE TABLE IF NOT EXISTS users (id BIGINT PRIMARY KEY);
