-- Events appended together are stored together: a row of the outbox holds
-- one event, or (events > 1) a block of consecutive events of one account
-- written by one transaction, its seq the block's last (sqlstore
-- outbox.go, encodeBlock). A scan's findings make about 75 events of
-- ≈ 1 KB each; compressed one by one they were a third of every byte a
-- scan writes, compressed as blocks about a quarter of that
-- (BENCHMARKS.md, session 8).
ALTER TABLE outbox ADD COLUMN events INTEGER NOT NULL DEFAULT 1;
