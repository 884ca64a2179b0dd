// Package match is vigil's matching engine: it turns an inventory of
// installed packages into vulnerabilities, using the OSV records of one
// advisory snapshot.
//
// An Index is built once per snapshot (Build from records, or Load, which
// reuses a compact binary copy persisted next to the snapshot). It is keyed
// by (ecosystem, normalised package name); every affected entry holds
// pre-parsed range events and its explicit versions list. Matching follows
// the OSV evaluation algorithm (https://ossf.github.io/osv-schema/#evaluation)
// exactly: events are sorted by version, never trusting record order, and
// shared records are never modified; GIT ranges are skipped without ending
// the evaluation of the other ranges; withdrawn records are not indexed.
//
// Distribution packages follow the distribution's own rules: Debian and
// Ubuntu match by source package and source version against the records of
// the detected release, Alpine by origin package, RPM distributions by
// binary package name. Kernel packages are skipped in images and, on hosts,
// only the running kernel counts unless Options.AllKernels is set.
//
// Records that match one package are merged through their aliases and
// upstream ids into one vulnerability, with one Evidence entry per record,
// and enriched with CVSS scores, the distribution's severity, EPSS and KEV.
//
// An Index is immutable once built and safe for concurrent use.
package match
