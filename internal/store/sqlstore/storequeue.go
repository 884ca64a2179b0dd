package sqlstore

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// storeQueue runs each queue call in its own transaction (grouped with
// concurrent ones where the database commits one at a time: every call's
// closure only assigns its results, so it may run again).
type storeQueue struct{ s *Store }

func (q *storeQueue) write(ctx context.Context, fn func(store.Queue) error) error {
	return q.s.InTxGrouped(ctx, func(tx store.Tx) error { return fn(tx.Jobs()) })
}

func (q *storeQueue) read(ctx context.Context, fn func(store.Queue) error) error {
	return q.s.View(ctx, func(tx store.Tx) error { return fn(tx.Jobs()) })
}

func (q *storeQueue) Enqueue(ctx context.Context, j model.Job) (out model.Job, created bool, err error) {
	err = q.write(ctx, func(tq store.Queue) error { out, created, err = tq.Enqueue(ctx, j); return err })
	return out, created, err
}

func (q *storeQueue) Lease(ctx context.Context, worker string, kinds []model.JobKind, ttl time.Duration) (l *model.Lease, err error) {
	err = q.write(ctx, func(tq store.Queue) error { l, err = tq.Lease(ctx, worker, kinds, ttl); return err })
	return l, err
}

func (q *storeQueue) LeaseBatch(ctx context.Context, worker string, kind model.JobKind, ttl time.Duration, max int) (ls []*model.Lease, err error) {
	err = q.write(ctx, func(tq store.Queue) error { ls, err = tq.LeaseBatch(ctx, worker, kind, ttl, max); return err })
	return ls, err
}

func (q *storeQueue) Extend(ctx context.Context, l *model.Lease, ttl time.Duration) error {
	return q.write(ctx, func(tq store.Queue) error { return tq.Extend(ctx, l, ttl) })
}

func (q *storeQueue) Ack(ctx context.Context, l *model.Lease) error {
	return q.write(ctx, func(tq store.Queue) error { return tq.Ack(ctx, l) })
}

func (q *storeQueue) Nack(ctx context.Context, l *model.Lease, retryAt time.Time, cause string) error {
	return q.write(ctx, func(tq store.Queue) error { return tq.Nack(ctx, l, retryAt, cause) })
}

func (q *storeQueue) Release(ctx context.Context, l *model.Lease) error {
	return q.write(ctx, func(tq store.Queue) error { return tq.Release(ctx, l) })
}

func (q *storeQueue) Bury(ctx context.Context, l *model.Lease, cause string) error {
	return q.write(ctx, func(tq store.Queue) error { return tq.Bury(ctx, l, cause) })
}

func (q *storeQueue) Get(ctx context.Context, id model.JobID) (j model.Job, err error) {
	err = q.read(ctx, func(tq store.Queue) error { j, err = tq.Get(ctx, id); return err })
	return j, err
}

func (q *storeQueue) Dead(ctx context.Context, after model.JobID, limit int) (js []model.Job, err error) {
	err = q.read(ctx, func(tq store.Queue) error { js, err = tq.Dead(ctx, after, limit); return err })
	return js, err
}

func (q *storeQueue) Requeue(ctx context.Context, id model.JobID) (j model.Job, err error) {
	err = q.write(ctx, func(tq store.Queue) error { j, err = tq.Requeue(ctx, id); return err })
	return j, err
}

func (q *storeQueue) Stats(ctx context.Context) (m map[model.JobState]int, err error) {
	err = q.read(ctx, func(tq store.Queue) error { m, err = tq.Stats(ctx); return err })
	return m, err
}
