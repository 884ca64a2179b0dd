-- Findings: data holds what a scan determines (model.Finding.ContentJSON,
-- S2-compressed; fingerprint is its digest); the lifecycle (status,
-- suppression, times, reopen count, scan) lives in columns only. The other columns exist to
-- filter, sort and aggregate. Numbers a finding lacks (score, CVSS, EPSS)
-- are stored as -1. No foreign key to resources: findings outlive a
-- deleted resource (closed, until the retention period passes).
CREATE TABLE findings (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	resource_type TEXT NOT NULL,
	type TEXT NOT NULL,
	check_id TEXT NOT NULL,
	title TEXT NOT NULL,
	status TEXT NOT NULL,
	severity TEXT NOT NULL,
	severity_rank INTEGER NOT NULL,
	score REAL NOT NULL,
	cvss REAL NOT NULL,
	epss REAL NOT NULL,
	fix_available TEXT NOT NULL,
	exploit_available TEXT NOT NULL,
	package_ecosystem TEXT NOT NULL,
	package_name TEXT NOT NULL,
	package_version TEXT NOT NULL,
	file_path TEXT NOT NULL,
	layer TEXT NOT NULL,
	image_repository TEXT NOT NULL,
	image_tag TEXT NOT NULL,
	suppressed_by TEXT NOT NULL,
	suppression_reason TEXT NOT NULL,
	suppression_expires_at INTEGER NOT NULL,
	closed_reason TEXT NOT NULL,
	reopen_count INTEGER NOT NULL,
	fingerprint TEXT NOT NULL,
	first_observed_at INTEGER NOT NULL,
	last_observed_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	closed_at INTEGER NOT NULL,
	scan_id TEXT NOT NULL,
	snapshot_id TEXT NOT NULL,
	data BLOB NOT NULL
);
CREATE INDEX findings_resource ON findings(resource_id);
CREATE INDEX findings_status_severity ON findings(account_id, status, severity_rank, id);
CREATE INDEX findings_check ON findings(account_id, check_id);
CREATE INDEX findings_package ON findings(account_id, package_name, package_version);
CREATE TABLE suppression_rules (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts(id),
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	action TEXT NOT NULL,
	reason TEXT NOT NULL,
	owner TEXT NOT NULL,
	filter BLOB NOT NULL,
	expires_at INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (account_id, name)
);
