-- Each account's scan configuration; an account without a row has the
-- default one (every type, continuous, no tag filters, LIFETIME).
CREATE TABLE scan_configs (
	account_id TEXT PRIMARY KEY REFERENCES accounts(id),
	resource_types TEXT NOT NULL,
	mode TEXT NOT NULL,
	include_tags TEXT NOT NULL,
	exclude_tags TEXT NOT NULL,
	image_rescan_duration TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	updated_by TEXT NOT NULL DEFAULT ''
);
-- When a resource's rescan window started (image pushed or a scan of it
-- requested); none means its creation.
CREATE TABLE scan_eligibility (
	resource_id TEXT PRIMARY KEY REFERENCES resources(id) ON DELETE CASCADE,
	account_id TEXT NOT NULL,
	since INTEGER NOT NULL
);
