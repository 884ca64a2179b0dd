-- Event delivery: rules route outbox events to targets; each target keeps
-- the cursor of the last event it is done with; attempts and dead letters
-- are kept per target. secret is a webhook's signing key or a forward
-- target's token (the API never shows it after creation). One relay at a
-- time delivers to a target: the one whose lease (owner, until) is live. Deleting a
-- target removes its rule links, attempts and dead letters in the store
-- code (no ON DELETE actions: foreign keys may be off).
CREATE TABLE delivery_targets (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id),
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	config BYTEA NOT NULL,
	secret TEXT NOT NULL,
	last_seq BIGINT NOT NULL,
	lease_owner TEXT NOT NULL DEFAULT '',
	lease_until BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (account_id, name)
);
CREATE TABLE event_rules (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id),
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	pattern TEXT NOT NULL,
	enabled BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (account_id, name)
);
CREATE TABLE event_rule_targets (
	rule_id TEXT NOT NULL,
	target_id TEXT NOT NULL,
	PRIMARY KEY (rule_id, target_id)
);
CREATE INDEX event_rule_targets_target ON event_rule_targets(target_id);
-- version moves with every rule or target change (the relay reloads).
CREATE TABLE delivery_config (
	id BIGINT PRIMARY KEY,
	version BIGINT NOT NULL
);
INSERT INTO delivery_config (id, version) VALUES (1, 0);
CREATE TABLE deliveries (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	target_id TEXT NOT NULL,
	account_id TEXT NOT NULL,
	seq BIGINT NOT NULL,
	event_id TEXT NOT NULL,
	attempt BIGINT NOT NULL,
	outcome TEXT NOT NULL,
	status BIGINT NOT NULL,
	error TEXT NOT NULL,
	duration_ns BIGINT NOT NULL,
	at BIGINT NOT NULL
);
CREATE INDEX deliveries_target ON deliveries(target_id, id);
CREATE INDEX deliveries_at ON deliveries(at);
CREATE TABLE dead_letters (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	target_id TEXT NOT NULL,
	account_id TEXT NOT NULL,
	seq BIGINT NOT NULL,
	event_id TEXT NOT NULL,
	attempts BIGINT NOT NULL,
	last_error TEXT NOT NULL,
	replay BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (target_id, seq)
);
-- Forwarded events received, so a retried forward is recorded once.
CREATE TABLE ingested_events (
	account_id TEXT NOT NULL,
	event_id TEXT NOT NULL,
	at BIGINT NOT NULL,
	PRIMARY KEY (account_id, event_id)
);
