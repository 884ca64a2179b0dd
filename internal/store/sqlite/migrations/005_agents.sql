-- Host agents: enrollment tokens an admin creates, the agents that
-- enrolled with them (only the hash of each credential is kept), and each
-- agent's last report of host facts (listening sockets, firewall, kernel).
CREATE TABLE enrollment_tokens (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id),
	name TEXT NOT NULL,
	hash BLOB NOT NULL UNIQUE,
	uses INTEGER NOT NULL DEFAULT 0,
	max_uses INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL DEFAULT 0,
	revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX enrollment_tokens_account ON enrollment_tokens(account_id);
CREATE TABLE agents (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id),
	hostname TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	enrollment_token_id TEXT NOT NULL,
	hash BLOB NOT NULL UNIQUE,
	version TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL DEFAULT 0,
	revoked_at INTEGER NOT NULL DEFAULT 0,
	report_hash TEXT NOT NULL DEFAULT '',
	report BLOB,
	reported_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX agents_account ON agents(account_id);
CREATE INDEX agents_resource ON agents(resource_id);
