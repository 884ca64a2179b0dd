-- Dictionaries findings' contents are compressed with (sqlstore,
-- findingdict.go): each is the advisory's part of a vulnerability's
-- findings (no account's data), stored once under the first 16 bytes of
-- the SHA-256 of its bytes (hex), and named by the data column of every
-- finding compressed with it. Findings written before keep plain S2
-- blocks and are read as before. A package finding's data shrinks from
-- about 1,400 to about 470 bytes (BENCHMARKS.md, session 11).
CREATE TABLE finding_dicts (
	id TEXT PRIMARY KEY,
	data BYTEA NOT NULL
);
