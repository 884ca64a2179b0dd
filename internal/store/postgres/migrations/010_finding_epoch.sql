-- The finding epoch of SQLite's migration 010, kept so that both schemas
-- have the same tables; PostgreSQL never increments it
-- (FindingStore.Epoch reports none): its concurrent writers would all
-- wait for this one row.
CREATE TABLE finding_epoch (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n BIGINT NOT NULL
);
INSERT INTO finding_epoch (id, n) VALUES (1, 0);
