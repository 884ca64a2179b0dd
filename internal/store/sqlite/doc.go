// Package sqlite is the embedded store: modernc.org/sqlite (pure Go) in WAL
// mode with a busy timeout and foreign keys on. Writes go through one
// connection whose transactions start with BEGIN IMMEDIATE, so write
// transactions are serialised in Go instead of failing with SQLITE_BUSY;
// read-only transactions use a separate pool and run beside the writer.
// The queue's Lease is a write transaction, which makes it exclusive.
package sqlite
