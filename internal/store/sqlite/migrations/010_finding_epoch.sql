-- The finding epoch (FindingStore.Epoch): a number that every transaction
-- writing a finding or a suppression rule increments once. A rematch
-- plans a batch's reconciliation on a reader connection, from the stored
-- states it reads there, while the previous batch commits; it writes the
-- plan when the epoch shows that only its own earlier batches (other
-- resources) have written findings since, and otherwise reads the states
-- again in its transaction.
CREATE TABLE finding_epoch (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n INTEGER NOT NULL
);
INSERT INTO finding_epoch (id, n) VALUES (1, 0);
