package store

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// OutboxStore is the event outbox.
type OutboxStore interface {
	// Append queues events to be written when the transaction commits;
	// each gets the next sequence number then. AccountID must be in scope
	// (an empty AccountID needs the system scope).
	Append(ctx context.Context, events ...model.Event) error
	// List returns up to limit events of the scope with Seq > since, in
	// sequence order.
	List(ctx context.Context, since int64, limit int) ([]model.Event, error)
	// Last returns the highest sequence number committed (0 when none),
	// whatever the scope.
	Last(ctx context.Context) (int64, error)
	// Prune deletes events created before the given time that every
	// delivery target has passed (sequence number at or below the lowest
	// target cursor), oldest first, and returns how many it deleted. It
	// deletes up to limit stored units: events appended together may be
	// stored together and go together, once the last of them may, so the
	// count may exceed limit. It needs the system scope.
	Prune(ctx context.Context, before time.Time, limit int) (int, error)
}

// AuditStore is the audit log of configuration changes.
type AuditStore interface {
	// Append records an entry (At set from the store's clock when zero).
	Append(ctx context.Context, e model.AuditEntry) (model.AuditEntry, error)
	// List returns up to limit entries of the scope with ID > after, in
	// order.
	List(ctx context.Context, after int64, limit int) ([]model.AuditEntry, error)
}
