// Package report turns the result of a scan — an inventory, the matches
// against it and the suppression decisions — into a Report, and writes a
// Report in the formats people and machines read: a table for terminals,
// vigil's versioned JSON (schema in schema/report.schema.json), SARIF
// 2.1.0, CycloneDX 1.6 with vulnerabilities, and CSV.
//
// Building a report is pure: no I/O, no clock (the caller passes the time).
package report
