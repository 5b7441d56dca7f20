-- The licence module's first migration (global 0004) created an index on
-- this package's table that duplicates notifications_object. Tables have
-- one owner: the duplicate goes (a no-op on databases made since).
DROP INDEX IF EXISTS license_notifications_object;
