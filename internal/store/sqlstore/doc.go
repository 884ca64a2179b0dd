// Package sqlstore is the SQL shared by the sqlite and postgres stores: one
// implementation of every store contract over a small Backend interface,
// so that the two dialects behave the same by construction. Queries are
// written with '?' placeholders; the postgres backend rewrites them to $n.
// A Dialect holds the few differences (row locking for the queue, the
// migration lock, error classification).
package sqlstore
