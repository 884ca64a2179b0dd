// Package metrics exposes vigil's Prometheus metrics: figures counted in
// the database at scrape time (findings by severity and status, coverage
// by status and reason, queued jobs and the oldest one's age, dead
// letters, outbox events), advisory feed ages, and the counters and
// histograms of work done in this process (scan durations, deliveries and
// failures per target).
package metrics
