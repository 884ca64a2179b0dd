// Package store holds the server's persistence contracts: a Store that runs
// transactions, and the narrow sub-stores a transaction exposes (accounts,
// tokens, resources, inventories, outbox, audit log, job queue, findings,
// suppression rules).
//
// Two implementations satisfy the same contracts and pass the same
// conformance suite (package storetest): sqlite (embedded, pure Go, WAL, one
// writer) and postgres (pgx). Their shared SQL lives in sqlstore.
//
// # Tenancy
//
// Every row belongs to an account and every sub-store is opened with a
// Scope: the accounts whose rows it may read and write. The zero Scope
// sees nothing. SystemScope is for the server's own machinery (the
// authenticator, the rematcher, the outbox relay) and is never derived
// from a request.
//
// # Transactions
//
// InTx runs a read-write transaction; on SQLite write transactions are
// serialised (BEGIN IMMEDIATE on the single writer connection). View runs
// a read-only one, concurrent with writers. Events appended to the outbox
// get their sequence number when the transaction commits, so sequence
// order is commit order and no sequence number is skipped.
//
// Never start a transaction inside another on the same goroutine: on
// SQLite the single writer connection makes that a deadlock.
//
// # Schema
//
// Migrations are numbered files per dialect (sqlite/migrations,
// postgres/migrations, NNN_name.sql) embedded in the binary, applied at
// Open in order, each in its own transaction, and recorded in
// schema_migrations; a database with a migration this binary does not know
// is refused with *SchemaTooNewError. Tables: organizations, accounts
// (one delegated admin per organisation, by a partial unique index),
// tokens (SHA-256 of the secret, unique), resources (unique account, type,
// name) and resource_tags, inventories (zstd-compressed JSON, one row per
// resource, with its content hash) and inventory_packages (ecosystem,
// normalised name, resource: the index an advisory update queries; keyed
// by ecosystem, name and the inventory's index_seq since migration 012,
// so that new inventories' rows are appended to each package's range),
// outbox and outbox_counter, audit_log, jobs; migration 002 adds
// findings (filter, sort and aggregation columns, lifecycle columns, and
// the scan-determined content as S2-compressed JSON with its fingerprint)
// and suppression_rules (saved filters, unique name per account);
// migration 003 adds scan_configs (one row per account that set its scan
// configuration) and scan_eligibility (when each image's rescan window
// started); later ones are described in their files (009: each package
// index row carries its packages; 014: new rows name a chunk of their
// inventory's package data, inventory_held, instead; 015: the index on
// seq keeps only the older rows).
//
// Times are stored as Unix microseconds in both dialects.
package store
