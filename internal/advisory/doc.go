// Package advisory is vigil's on-disk advisory database: it fetches feeds
// (OSV per ecosystem, Debian and Alpine native lists, CISA KEV, FIRST
// EPSS, NVD CVSS), verifies them, and publishes immutable snapshots that
// the match engine reads, each with the diff from the snapshot before.
//
// # Layout
//
//	<dir>/CURRENT                      id of the current snapshot (replaced by rename)
//	<dir>/snapshots/<id>/manifest.json per feed: name, kind, source, fingerprint, fetchedAt, records, blob
//	<dir>/snapshots/<id>/diff.json     ids added, modified, withdrawn; (ecosystem, package) touched
//	<dir>/snapshots/<id>/checked.json  when feeds were last confirmed unchanged (no new snapshot)
//	<dir>/blobs/<sha256>.<ext>         verified feed files, immutable, shared by snapshots
//	<dir>/blobs/<blob>.idx             per-blob record index (id, entry, modified, hash, packages)
//	<dir>/tmp/                         downloads in progress (cleared by the next run)
//	<dir>/wanted.json                  ecosystems updates download
//	<dir>/lock, wanted.lock            flock files
//
// Records are read from the verified blobs themselves: an OSV all.zip is
// stored as downloaded and is randomly accessible by entry name, so an
// update copies nothing that did not change, and a snapshot is a small
// manifest. Native distro feeds are converted to OSV records and stored as
// a deterministic OSV zip, so every advisory feed is read the same way:
// Debian DSA/DLA lists when fetched; Alpine secdb files (one per branch and
// repository, kind alpine-secdb) are kept as fetched and merged into one
// derived "alpine/secdb" feed, because one ALPINE-CVE record spans every branch
// (secdb has no dates: a record's modified time is the newest fetch of a
// file listing it). Enrichment files (KEV JSON, EPSS CSV, merged NVD API
// 2.0 JSON) are stored as fetched and loaded into maps on first lookup.
//
// When the same id is in several feeds (GHSA records are published in
// every ecosystem zip they affect), the copy with the newest modified time
// wins, earlier feed on a tie. A Snapshot opens all its blobs and their
// indexes when it is opened, so a long-lived reader keeps working after
// later updates garbage-collect them, but reads only the manifest then:
// a feed's index is decoded, and its zip directory parsed, the first time
// that feed is needed, so a scan that reads records through RecordFrom
// (as the match engine does) pays only for the feeds it matched against.
//
// The per-blob index is a cache next to the blob rather than a copy per
// snapshot: blobs are immutable and content-addressed, so the index of an
// unchanged feed is reused as is, and diffs compare two sets of indexes
// without parsing any record. A missing or damaged index is rebuilt from
// its blob.
//
// # Atomicity
//
// An update downloads to tmp/, verifies (every zip entry must parse with
// osv.Parse), renames verified files into blobs/ under their hash, writes
// the snapshot directory under a temporary name and renames it, and only
// then replaces CURRENT by rename. Blobs still used by the kept snapshots
// are never removed, so a crash or kill at any point leaves the previous
// snapshot current and complete; leftovers are removed by the next run.
// Concurrent updaters serialise on an flock; readers take no lock.
//
// # Feeds
//
// Feeds implement Feed (fetch with a fingerprint) and are listed in
// feeds.go; their Kind says how a fetched file is verified and read. Only
// the OSV ecosystems in the wanted set are downloaded (Want adds to it).
// A feed whose source lacks the file (HTTP 404) falls back to a native
// feed where one exists (Debian, Alpine). The opt-in NVD feed asks the NVD
// API only for CVEs of records that carry no severity and that the held NVD
// data lacks; answers are merged into one stored API 2.0 document. A CVE
// NVD has no record for is asked again on the next update, and held NVD
// data is not refreshed (known limitations).
package advisory
