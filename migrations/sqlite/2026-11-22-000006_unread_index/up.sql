-- The unread count beside 通知 is read on every page.
CREATE INDEX notifications_unread ON notifications (user_id, org_id, read);
