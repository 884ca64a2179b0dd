CREATE TABLE organizations (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE accounts (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organizations(id),
	name TEXT NOT NULL,
	delegated_admin INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX accounts_one_admin ON accounts(org_id) WHERE delegated_admin;
CREATE TABLE tokens (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id),
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	hash BLOB NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL DEFAULT 0,
	last_used_at INTEGER NOT NULL DEFAULT 0,
	revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_account ON tokens(account_id);
CREATE TABLE resources (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id),
	type TEXT NOT NULL,
	name TEXT NOT NULL,
	digest TEXT NOT NULL DEFAULT '',
	tags TEXT NOT NULL DEFAULT '{}',
	coverage_status TEXT NOT NULL,
	coverage_reason TEXT NOT NULL,
	last_scanned_at INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (account_id, type, name)
);
CREATE TABLE resource_tags (
	account_id TEXT NOT NULL,
	resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (resource_id, key)
);
CREATE INDEX resource_tags_kv ON resource_tags(account_id, key, value);
CREATE TABLE inventories (
	resource_id TEXT PRIMARY KEY REFERENCES resources(id) ON DELETE CASCADE,
	account_id TEXT NOT NULL,
	hash TEXT NOT NULL,
	data BLOB NOT NULL,
	packages INTEGER NOT NULL,
	indexed_at INTEGER NOT NULL,
	saved_at INTEGER NOT NULL
);
-- No foreign key here: it would make every multi-row insert keep a
-- statement journal (SQLite); resource deletion removes the rows itself.
CREATE TABLE inventory_packages (
	ecosystem TEXT NOT NULL,
	name TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	account_id TEXT NOT NULL,
	PRIMARY KEY (ecosystem, name, resource_id)
) WITHOUT ROWID;
CREATE INDEX inventory_packages_resource ON inventory_packages(resource_id);
CREATE TABLE outbox_counter (
	id INTEGER PRIMARY KEY,
	seq INTEGER NOT NULL
);
INSERT INTO outbox_counter (id, seq) VALUES (1, 0);
CREATE TABLE outbox (
	seq INTEGER PRIMARY KEY,
	account_id TEXT NOT NULL,
	type TEXT NOT NULL,
	subject TEXT NOT NULL,
	payload BLOB,
	created_at INTEGER NOT NULL
);
CREATE INDEX outbox_account ON outbox(account_id, seq);
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id TEXT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL,
	detail BLOB,
	at INTEGER NOT NULL
);
CREATE INDEX audit_log_account ON audit_log(account_id, id);
CREATE TABLE jobs (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	kind TEXT NOT NULL,
	account_id TEXT NOT NULL DEFAULT '',
	payload BLOB,
	dedupe_key TEXT NOT NULL DEFAULT '',
	priority INTEGER NOT NULL DEFAULT 0,
	run_at INTEGER NOT NULL,
	max_attempts INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	state TEXT NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	leased_by TEXT NOT NULL DEFAULT '',
	lease_token TEXT NOT NULL DEFAULT '',
	lease_until INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX jobs_dedupe ON jobs(kind, dedupe_key) WHERE state = 'queued' AND dedupe_key <> '';
CREATE INDEX jobs_ready ON jobs(state, priority DESC, run_at, id);
CREATE INDEX jobs_expiry ON jobs(state, lease_until);
