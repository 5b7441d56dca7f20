-- engine: postgres
-- Issue 17: on PostgreSQL a foreign key check locks the referenced row
-- (SELECT ... FOR KEY SHARE), and a lock on a row is a write: its heap page
-- is changed and logged. Every intake checked its entity's row and its
-- submitter's or operator's user row three times (the appeal's entity,
-- submitter or registrar, and its timeline step's actor), and a busy 12345
-- operator registers hundreds of appeals a day on the same user row, which
-- concurrent transactions (two instances) share through a MultiXact.
--
-- These columns name rows of other owners' tables (entity, account), which
-- this module does not read or write itself (modules own their tables, as
-- audit_events, whose actor_id has no foreign key either). Their values come
-- from the service layer: the entity found by id or credit code just
-- before the insert, the signed-in user; market entities and users are
-- never deleted (an entity is marked cancelled, a user disabled). SQLite
-- keeps the constraints: its checks take no locks and its one writer
-- serialises anyway.
ALTER TABLE appeals DROP CONSTRAINT IF EXISTS appeals_entity_id_fkey,
    DROP CONSTRAINT IF EXISTS appeals_submitter_id_fkey,
    DROP CONSTRAINT IF EXISTS appeals_registered_by_fkey;
ALTER TABLE appeal_events DROP CONSTRAINT IF EXISTS appeal_events_actor_id_fkey;
