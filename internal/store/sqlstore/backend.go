package sqlstore

import (
	"context"
	"errors"
)

// ErrNoRows is what backends return from Row.Scan when a query matched
// nothing.
var ErrNoRows = errors.New("sqlstore: no rows")

// Rows iterates over a result set.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is a single-row result; Scan returns ErrNoRows when there was none.
type Row interface {
	Scan(dest ...any) error
}

// Conn runs statements; '?' marks parameters.
type Conn interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Tx is a backend transaction.
type Tx interface {
	Conn
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Backend opens transactions on a database.
type Backend interface {
	// Begin starts a transaction: read-write when write is true (on
	// SQLite such transactions are serialised), read-only otherwise.
	Begin(ctx context.Context, write bool) (Tx, error)
	Close() error
}

// Dialect holds what differs between databases.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// LockRows is appended to the queue's candidate SELECT
	// (" FOR UPDATE SKIP LOCKED" on PostgreSQL, "" on SQLite where the
	// write transaction already excludes other writers).
	LockRows string
	// MigrationLock, when set, is run first in the migration transaction
	// (a transaction-scoped advisory lock on PostgreSQL).
	MigrationLock string
	// IsUnique reports a unique-constraint violation.
	IsUnique func(error) bool
	// IsForeignKey reports a foreign-key violation.
	IsForeignKey func(error) bool
	// InsertIgnore starts an INSERT that skips rows violating a
	// constraint instead of aborting ("INSERT OR IGNORE" on SQLite, where
	// it also spares a statement journal; "INSERT" on PostgreSQL, whose
	// statements then end with IgnoreSuffix).
	InsertIgnore string
	// IgnoreSuffix ends such an INSERT (" ON CONFLICT DO NOTHING").
	IgnoreSuffix string
	// UpdateMany starts an UPDATE that may change many rows and sets only
	// columns it never sets to NULL: "UPDATE OR IGNORE" on SQLite, where
	// a NOT NULL check that could abort makes a multi-row statement keep
	// a statement journal (a copy of every page it changes), "UPDATE" on
	// PostgreSQL.
	UpdateMany string
	// MaxParams bounds the parameters of one statement.
	MaxParams int
	// IndexSeqs, when set, is a query of one parameter n returning n new
	// numbers of the package index sequence (a PostgreSQL sequence);
	// unset, they come from the counter row of inventory_index_seq
	// (SQLite, whose single writer holds it for the transaction anyway).
	IndexSeqs string
	// GroupCommit runs concurrent InTxGrouped calls in one transaction
	// (SQLite, whose single writer commits one transaction at a time).
	GroupCommit bool
	// DictRefs selects the distinct ids (hex) of the content dictionaries
	// the findings' data columns name (findingdict.go).
	DictRefs string
	// DictLockShared, when set, is run by a transaction before it relies
	// on a stored dictionary, and DictTryLockExclusive (a query whose one
	// row says whether it got the lock, without waiting) by one that
	// prunes dictionaries: transaction-scoped advisory locks on
	// PostgreSQL, whose writers run concurrently; unset on SQLite, whose
	// one writer excludes the others. The pruner does not wait: queued
	// for the lock, it would make every writer that then asks for it wait
	// behind it while holding locks of its own, and a writer it waits
	// for could be waiting for one of those.
	DictLockShared, DictTryLockExclusive string
}
