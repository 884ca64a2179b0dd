-- Two fewer indexes on findings: every index costs on every finding
-- written (a host's scan writes ≈ 75 findings, each changing one page of
-- each index at a place of its own). findings_check (account, check) is
-- served by findings_status_check (account, status, check, severity):
-- a filter on vulnerabilities without a status names every status
-- (findingWhere). findings_status_severity (account, status, rank, id)
-- is served by findings_rank, which gains the status to filter by it
-- from the index in the default order.
DROP INDEX findings_check;
DROP INDEX findings_status_severity;
DROP INDEX findings_rank;
CREATE INDEX findings_rank ON findings(account_id, severity_rank, id, severity, status);
