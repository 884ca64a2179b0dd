// Package store holds the server's persistence contracts: a Store that runs
// transactions, and the narrow sub-stores a transaction exposes (accounts,
// tokens, resources, inventories, outbox, audit log, job queue).
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
// Times are stored as Unix microseconds in both dialects.
package store
