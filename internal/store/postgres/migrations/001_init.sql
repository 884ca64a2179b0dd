CREATE TABLE organizations (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE accounts (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organizations(id),
	name TEXT NOT NULL,
	delegated_admin BOOLEAN NOT NULL DEFAULT false,
	created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX accounts_one_admin ON accounts(org_id) WHERE delegated_admin;
CREATE TABLE tokens (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id),
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	hash BYTEA NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL DEFAULT 0,
	last_used_at BIGINT NOT NULL DEFAULT 0,
	revoked_at BIGINT NOT NULL DEFAULT 0
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
	last_scanned_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
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
	data BYTEA NOT NULL,
	packages INTEGER NOT NULL,
	indexed_at BIGINT NOT NULL,
	saved_at BIGINT NOT NULL
);
-- No foreign key here: it would make every multi-row insert keep a
-- statement journal (SQLite); resource deletion removes the rows itself.
CREATE TABLE inventory_packages (
	ecosystem TEXT NOT NULL,
	name TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	account_id TEXT NOT NULL,
	PRIMARY KEY (ecosystem, name, resource_id)
);
CREATE INDEX inventory_packages_resource ON inventory_packages(resource_id);
CREATE TABLE outbox_counter (
	id INTEGER PRIMARY KEY,
	seq BIGINT NOT NULL
);
INSERT INTO outbox_counter (id, seq) VALUES (1, 0);
CREATE TABLE outbox (
	seq BIGINT PRIMARY KEY,
	account_id TEXT NOT NULL,
	type TEXT NOT NULL,
	subject TEXT NOT NULL,
	payload BYTEA,
	created_at BIGINT NOT NULL
);
CREATE INDEX outbox_account ON outbox(account_id, seq);
CREATE TABLE audit_log (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id TEXT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL,
	detail BYTEA,
	at BIGINT NOT NULL
);
CREATE INDEX audit_log_account ON audit_log(account_id, id);
CREATE TABLE jobs (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind TEXT NOT NULL,
	account_id TEXT NOT NULL DEFAULT '',
	payload BYTEA,
	dedupe_key TEXT NOT NULL DEFAULT '',
	priority BIGINT NOT NULL DEFAULT 0,
	run_at BIGINT NOT NULL,
	max_attempts INTEGER NOT NULL,
	attempts BIGINT NOT NULL DEFAULT 0,
	state TEXT NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	leased_by TEXT NOT NULL DEFAULT '',
	lease_token TEXT NOT NULL DEFAULT '',
	lease_until BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX jobs_dedupe ON jobs(kind, dedupe_key) WHERE state = 'queued' AND dedupe_key <> '';
CREATE INDEX jobs_ready ON jobs(state, priority DESC, run_at, id);
CREATE INDEX jobs_expiry ON jobs(state, lease_until);
