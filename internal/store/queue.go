package store

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// DefaultMaxAttempts is the delivery limit of a job enqueued without one.
const DefaultMaxAttempts = 5

// Queue is the persisted job queue (nomad's eval broker semantics over
// SQL). Deliveries are at least once: a handler must be idempotent.
type Queue interface {
	// Enqueue adds a job (RunAt now when zero, MaxAttempts
	// DefaultMaxAttempts when zero). With a DedupeKey, when a queued (not
	// yet leased) job of the same kind and key exists, that job is
	// returned with created false and nothing is added; its RunAt moves
	// earlier and its Priority higher if the new job asks for it.
	Enqueue(ctx context.Context, j model.Job) (job model.Job, created bool, err error)
	// Lease hands the most urgent ready job of the kinds (any kind when
	// empty) to worker for ttl, counting a delivery. A job whose lease
	// expired is ready again; one that already had MaxAttempts deliveries
	// goes dead instead. It returns nil when no job is ready.
	Lease(ctx context.Context, worker string, kinds []model.JobKind, ttl time.Duration) (*model.Lease, error)
	// LeaseBatch leases up to max ready jobs of one kind, in Lease's
	// order, to worker for ttl (fewer, or none, when fewer are ready):
	// workers that handle many jobs of a kind at once take them in one
	// transaction.
	LeaseBatch(ctx context.Context, worker string, kind model.JobKind, ttl time.Duration, max int) ([]*model.Lease, error)
	// Extend pushes the lease's expiry to now+ttl (*LeaseLostError when
	// the lease is no longer held).
	Extend(ctx context.Context, l *model.Lease, ttl time.Duration) error
	// Ack completes the job and deletes it.
	Ack(ctx context.Context, l *model.Lease) error
	// Nack returns the job to the queue, ready at retryAt, recording
	// cause; after MaxAttempts deliveries it goes dead instead.
	Nack(ctx context.Context, l *model.Lease, retryAt time.Time, cause string) error
	// Release returns the job ready now without counting the delivery
	// (graceful shutdown).
	Release(ctx context.Context, l *model.Lease) error
	// Bury moves the job to the dead-letter list at once (a permanent
	// failure).
	Bury(ctx context.Context, l *model.Lease, cause string) error
	// Get returns a job by id.
	Get(ctx context.Context, id model.JobID) (model.Job, error)
	// Dead lists dead jobs by id, after the cursor.
	Dead(ctx context.Context, after model.JobID, limit int) ([]model.Job, error)
	// Requeue makes a dead job ready now with its attempts reset.
	Requeue(ctx context.Context, id model.JobID) (model.Job, error)
	// Stats counts jobs by state.
	Stats(ctx context.Context) (map[model.JobState]int, error)
}
