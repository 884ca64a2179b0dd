-- Indexes for the console's views (issue 8): each page's first view reads
-- a short range of an index, or one account's open findings from an index
-- alone, rather than every finding (BENCHMARKS.md, "Web console"). Every
-- index costs on every finding write, so there are few, each serving
-- several queries. Each is the only one that both filters and orders a
-- query's rows (or covers it), so that SQLite chooses it with or without
-- ANALYZE statistics; columns after the ordering ones are there to be
-- filtered or read from the index without reading the row.
--
-- A status by resource (a resource's findings, in the default order) and
-- the rollups by resource and severity (the riskiest resources; the
-- internet-exposed ones, by type).
CREATE INDEX findings_status_resource ON findings(account_id, status, resource_id, severity_rank, id, severity, type);
-- A status by vulnerability and severity (the most widespread
-- vulnerabilities; open findings by severity).
CREATE INDEX findings_status_check ON findings(account_id, status, check_id, severity);
-- A status by score (riskiest by score; the known exploited findings,
-- counted from the index).
CREATE INDEX findings_status_score ON findings(account_id, status, score, id, exploit_available);
-- A status by EPSS (the high-EPSS panel; lists sorted by EPSS, filtered
-- by package from the index).
CREATE INDEX findings_status_epss ON findings(account_id, status, epss, id, package_name);
-- Any status in the default order, filtered by severity from the index
-- (the findings of one severity).
CREATE INDEX findings_rank ON findings(account_id, severity_rank, id, severity);
-- A status by first observation (the trend: findings first observed in a
-- window; the closed ones by when they closed).
CREATE INDEX findings_status_observed ON findings(account_id, status, first_observed_at, updated_at);
