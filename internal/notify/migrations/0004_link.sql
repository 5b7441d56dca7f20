-- Notifications: the item a message is about, as a path on the platform
-- ("/appeals/12"). The inbox links to it (opening marks the message read);
-- SMS and e-mail carry it as a public URL (SMS in its short form, /n/<code>).
ALTER TABLE notifications ADD COLUMN link TEXT NOT NULL DEFAULT '';
