// Package postgres is the scale-out store: PostgreSQL through a pgx/v5
// pool. Transactions run at READ COMMITTED; the queue's Lease selects its
// candidate with FOR UPDATE SKIP LOCKED so that concurrent workers never
// wait on, nor take, the same job. Migrations run under a transaction
// advisory lock so that servers starting together migrate once.
//
// The connection string is pgx's (postgres://user:pass@host:port/db?...);
// a search_path parameter selects the schema.
package postgres
