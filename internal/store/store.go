package store

import (
	"context"
	"log/slog"
	"time"
)

// Store is an open database.
type Store interface {
	// InTx runs fn in a read-write transaction, committed when fn returns
	// nil and rolled back otherwise. fn must not keep tx after returning.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// InTxGrouped is InTx for the short write transactions many callers
	// issue at once (pushes, scan reconciliations): where the database
	// commits one transaction at a time (SQLite), calls waiting together
	// run in one transaction, committed once. fn may then run more than
	// once — when another call of its group fails, the group rolls back
	// and each runs again alone — so it must have no effect outside tx but
	// assigning its results. A failure is always the failing call's own;
	// a panic in fn is returned as an error.
	InTxGrouped(ctx context.Context, fn func(tx Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(tx Tx) error) error
	// Queue returns the job queue; each of its calls is its own
	// transaction. Use Tx.Jobs to enqueue within a larger transaction.
	Queue() Queue
	// SchemaVersion returns the highest applied migration.
	SchemaVersion(ctx context.Context) (int, error)
	// Close releases the database.
	Close() error
}

// Tx is one transaction and the sub-stores bound to it.
type Tx interface {
	Accounts(s Scope) AccountStore
	Tokens(s Scope) TokenStore
	Resources(s Scope) ResourceStore
	Inventories(s Scope) InventoryStore
	Outbox(s Scope) OutboxStore
	Audit(s Scope) AuditStore
	ScanConfigs(s Scope) ScanConfigStore
	Findings(s Scope) FindingStore
	SuppressionRules(s Scope) SuppressionRuleStore
	Delivery(s Scope) DeliveryStore
	Agents(s Scope) AgentStore
	// Jobs is the queue bound to this transaction.
	Jobs() Queue
}

// Options configure an implementation.
type Options struct {
	// Clock returns the current time; nil means time.Now. Tests use a
	// fake clock to expire leases.
	Clock func() time.Time
	// Logger receives migration and maintenance messages; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Now returns the options' clock reading, truncated to microseconds (the
// stored precision).
func (o *Options) Now() time.Time {
	if o.Clock == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return o.Clock().UTC().Truncate(time.Microsecond)
}

// Log returns the options' logger or the default one.
func (o *Options) Log() *slog.Logger {
	if o.Logger == nil {
		return slog.Default()
	}
	return o.Logger
}
