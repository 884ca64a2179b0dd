package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// txQueue is the queue bound to one transaction.
type txQueue struct{ t *tx }

const jobCols = `id, kind, account_id, payload, dedupe_key, priority, run_at, max_attempts, attempts, state, last_error, leased_by, lease_token, lease_until, created_at, updated_at`

func scanJob(r Row) (model.Job, string, error) {
	var j model.Job
	var token string
	var runAt, until, created, updated int64
	err := r.Scan(&j.ID, &j.Kind, &j.AccountID, &j.Payload, &j.DedupeKey, &j.Priority, &runAt, &j.MaxAttempts,
		&j.Attempts, &j.State, &j.LastError, &j.LeasedBy, &token, &until, &created, &updated)
	j.RunAt, j.LeaseUntil, j.CreatedAt, j.UpdatedAt = fromMicro(runAt), fromMicro(until), fromMicro(created), fromMicro(updated)
	return j, token, err
}

// maxDedupeRetries bounds Enqueue's insert-or-find loop, which only spins
// when the duplicate it collided with is leased at that very moment.
const maxDedupeRetries = 10

func (q *txQueue) Enqueue(ctx context.Context, j model.Job) (model.Job, bool, error) {
	if err := q.t.writable(); err != nil {
		return j, false, err
	}
	if j.Kind == "" {
		return j, false, &store.InvalidError{Field: "job.kind", Reason: "empty"}
	}
	now := q.t.s.now()
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = store.DefaultMaxAttempts
	}
	j.State, j.Attempts, j.LastError, j.LeasedBy, j.LeaseUntil = model.JobQueued, 0, "", "", time.Time{}
	j.CreatedAt, j.UpdatedAt = now, now
	for range maxDedupeRetries {
		var id int64
		err := q.t.c.QueryRow(ctx, `INSERT INTO jobs (kind, account_id, payload, dedupe_key, priority, run_at, max_attempts, attempts, state, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'queued', ?, ?)
			ON CONFLICT (kind, dedupe_key) WHERE state = 'queued' AND dedupe_key <> '' DO NOTHING RETURNING id`,
			string(j.Kind), string(j.AccountID), j.Payload, j.DedupeKey, j.Priority, micro(j.RunAt), j.MaxAttempts, micro(now), micro(now)).Scan(&id)
		if err == nil {
			j.ID = model.JobID(id)
			return j, true, nil
		}
		if !errors.Is(err, ErrNoRows) {
			return j, false, err
		}
		// A queued duplicate exists: pull it forward if asked to.
		n, err := q.t.c.Exec(ctx, `UPDATE jobs SET
				run_at = CASE WHEN run_at > ? THEN ? ELSE run_at END,
				priority = CASE WHEN priority < ? THEN ? ELSE priority END,
				updated_at = ?
			WHERE kind = ? AND dedupe_key = ? AND state = 'queued'`,
			micro(j.RunAt), micro(j.RunAt), j.Priority, j.Priority, micro(now), string(j.Kind), j.DedupeKey)
		if err != nil {
			return j, false, err
		}
		if n == 0 {
			continue // leased meanwhile: insert again
		}
		got, _, err := scanJob(q.t.c.QueryRow(ctx, `SELECT `+jobCols+` FROM jobs WHERE kind = ? AND dedupe_key = ? AND state = 'queued'`,
			string(j.Kind), j.DedupeKey))
		return got, false, err
	}
	return j, false, fmt.Errorf("enqueue %s %q: too much contention", j.Kind, j.DedupeKey)
}

// maxDeadPerLease bounds the exhausted jobs one Lease call moves aside.
const maxDeadPerLease = 100

func (q *txQueue) Lease(ctx context.Context, worker string, kinds []model.JobKind, ttl time.Duration) (*model.Lease, error) {
	if err := q.t.writable(); err != nil {
		return nil, err
	}
	if ttl <= 0 {
		return nil, &store.InvalidError{Field: "ttl", Reason: "must be positive"}
	}
	kindCond := ""
	var kindArgs []any
	if len(kinds) > 0 {
		kindCond = ` AND kind IN (` + placeholders(len(kinds)) + `)`
		for _, k := range kinds {
			kindArgs = append(kindArgs, string(k))
		}
	}
	now := q.t.s.now()
	lock := q.t.s.d.LockRows
	for range maxDeadPerLease {
		// Expired leases first: they are the oldest work.
		j, _, err := scanJob(q.t.c.QueryRow(ctx, `SELECT `+jobCols+` FROM jobs WHERE state = 'leased' AND lease_until <= ?`+kindCond+
			` ORDER BY lease_until, id LIMIT 1`+lock, append([]any{micro(now)}, kindArgs...)...))
		if errors.Is(err, ErrNoRows) {
			j, _, err = scanJob(q.t.c.QueryRow(ctx, `SELECT `+jobCols+` FROM jobs WHERE state = 'queued' AND run_at <= ?`+kindCond+
				` ORDER BY priority DESC, run_at, id LIMIT 1`+lock, append([]any{micro(now)}, kindArgs...)...))
		}
		if errors.Is(err, ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if j.Attempts >= j.MaxAttempts {
			cause := fmt.Sprintf("lease expired after %d deliveries (worker %s)", j.Attempts, j.LeasedBy)
			if _, err := q.t.c.Exec(ctx, `UPDATE jobs SET state = 'dead', last_error = ?, leased_by = '', lease_token = '', lease_until = 0, updated_at = ? WHERE id = ?`,
				cause, micro(now), int64(j.ID)); err != nil {
				return nil, err
			}
			q.t.s.opts.Log().WarnContext(ctx, "job: dead letter", "job", j.ID, "kind", j.Kind, "reason", cause)
			continue
		}
		l := &model.Lease{Token: store.NewToken(), Worker: worker, Expires: now.Add(ttl)}
		if _, err := q.t.c.Exec(ctx, `UPDATE jobs SET state = 'leased', attempts = attempts + 1, leased_by = ?, lease_token = ?, lease_until = ?, updated_at = ? WHERE id = ?`,
			worker, l.Token, micro(l.Expires), micro(now), int64(j.ID)); err != nil {
			return nil, err
		}
		j.State, j.Attempts, j.LeasedBy, j.LeaseUntil, j.UpdatedAt = model.JobLeased, j.Attempts+1, worker, l.Expires, now
		l.Job = j
		return l, nil
	}
	return nil, nil
}

// maxLeaseBatch bounds LeaseBatch.
const maxLeaseBatch = 1000

func (q *txQueue) LeaseBatch(ctx context.Context, worker string, kind model.JobKind, ttl time.Duration, max int) ([]*model.Lease, error) {
	if max <= 0 || max > maxLeaseBatch {
		return nil, &store.InvalidError{Field: "max", Reason: fmt.Sprintf("must be 1 to %d", maxLeaseBatch)}
	}
	if kind == "" {
		return nil, &store.InvalidError{Field: "kind", Reason: "must be set"}
	}
	var out []*model.Lease
	for len(out) < max {
		l, err := q.Lease(ctx, worker, []model.JobKind{kind}, ttl)
		if err != nil {
			return nil, err
		}
		if l == nil {
			break
		}
		out = append(out, l)
	}
	return out, nil
}

func (q *txQueue) held(ctx context.Context, l *model.Lease) (model.Job, error) {
	j, _, err := scanJob(q.t.c.QueryRow(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = ? AND lease_token = ? AND state = 'leased'`,
		int64(l.Job.ID), l.Token))
	if errors.Is(err, ErrNoRows) {
		return j, &store.LeaseLostError{Job: int64(l.Job.ID), Token: l.Token}
	}
	return j, err
}

func (q *txQueue) lost(n int64, err error, l *model.Lease) error {
	if err == nil && n == 0 {
		return &store.LeaseLostError{Job: int64(l.Job.ID), Token: l.Token}
	}
	return err
}

func (q *txQueue) Extend(ctx context.Context, l *model.Lease, ttl time.Duration) error {
	if err := q.t.writable(); err != nil {
		return err
	}
	now := q.t.s.now()
	until := now.Add(ttl)
	n, err := q.t.c.Exec(ctx, `UPDATE jobs SET lease_until = ?, updated_at = ? WHERE id = ? AND lease_token = ? AND state = 'leased'`,
		micro(until), micro(now), int64(l.Job.ID), l.Token)
	if err = q.lost(n, err, l); err == nil {
		l.Expires = until
	}
	return err
}

func (q *txQueue) Ack(ctx context.Context, l *model.Lease) error {
	if err := q.t.writable(); err != nil {
		return err
	}
	n, err := q.t.c.Exec(ctx, `DELETE FROM jobs WHERE id = ? AND lease_token = ? AND state = 'leased'`, int64(l.Job.ID), l.Token)
	return q.lost(n, err, l)
}

func (q *txQueue) Nack(ctx context.Context, l *model.Lease, retryAt time.Time, cause string) error {
	return q.requeue(ctx, l, retryAt, cause, true)
}

func (q *txQueue) Release(ctx context.Context, l *model.Lease) error {
	return q.requeue(ctx, l, time.Time{}, "", false)
}

// requeue returns a held job to the queue; with penalty the delivery
// counts (and may exhaust the job), without it the delivery is undone.
func (q *txQueue) requeue(ctx context.Context, l *model.Lease, retryAt time.Time, cause string, penalty bool) error {
	if err := q.t.writable(); err != nil {
		return err
	}
	j, err := q.held(ctx, l)
	if err != nil {
		return err
	}
	now := q.t.s.now()
	if penalty && j.Attempts >= j.MaxAttempts {
		return q.bury(ctx, j, fmt.Sprintf("delivery limit %d reached: %s", j.MaxAttempts, cause), now)
	}
	if j.DedupeKey != "" {
		// A newer queued duplicate will do this work.
		var other int64
		err := q.t.c.QueryRow(ctx, `SELECT id FROM jobs WHERE kind = ? AND dedupe_key = ? AND state = 'queued'`, string(j.Kind), j.DedupeKey).Scan(&other)
		if err == nil {
			_, err = q.t.c.Exec(ctx, `DELETE FROM jobs WHERE id = ?`, int64(j.ID))
			return err
		}
		if !errors.Is(err, ErrNoRows) {
			return err
		}
	}
	attempts, lastErr := j.Attempts, j.LastError
	if retryAt.IsZero() || retryAt.Before(now) {
		retryAt = now
	}
	if penalty {
		lastErr = cause
	} else {
		attempts = max(attempts-1, 0)
	}
	_, err = q.t.c.Exec(ctx, `UPDATE jobs SET state = 'queued', attempts = ?, run_at = ?, last_error = ?, leased_by = '', lease_token = '', lease_until = 0, updated_at = ? WHERE id = ?`,
		attempts, micro(retryAt), lastErr, micro(now), int64(j.ID))
	return err
}

func (q *txQueue) Bury(ctx context.Context, l *model.Lease, cause string) error {
	if err := q.t.writable(); err != nil {
		return err
	}
	j, err := q.held(ctx, l)
	if err != nil {
		return err
	}
	return q.bury(ctx, j, cause, q.t.s.now())
}

func (q *txQueue) bury(ctx context.Context, j model.Job, cause string, now time.Time) error {
	_, err := q.t.c.Exec(ctx, `UPDATE jobs SET state = 'dead', last_error = ?, leased_by = '', lease_token = '', lease_until = 0, updated_at = ? WHERE id = ?`,
		cause, micro(now), int64(j.ID))
	if err == nil {
		q.t.s.opts.Log().WarnContext(ctx, "job: dead letter", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts, "reason", cause)
	}
	return err
}

func (q *txQueue) Get(ctx context.Context, id model.JobID) (model.Job, error) {
	j, _, err := scanJob(q.t.c.QueryRow(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = ?`, int64(id)))
	return j, notFound(err, "job", fmt.Sprint(id))
}

func (q *txQueue) Dead(ctx context.Context, after model.JobID, limit int) ([]model.Job, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := q.t.c.Query(ctx, `SELECT `+jobCols+` FROM jobs WHERE state = 'dead' AND id > ? ORDER BY id LIMIT ?`, int64(after), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Job
	for rows.Next() {
		j, _, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

func (q *txQueue) Requeue(ctx context.Context, id model.JobID) (model.Job, error) {
	if err := q.t.writable(); err != nil {
		return model.Job{}, err
	}
	j, err := q.Get(ctx, id)
	if err != nil {
		return j, err
	}
	if j.State != model.JobDead {
		return j, &store.ConflictError{Kind: "job", ID: fmt.Sprint(id), Reason: "not dead"}
	}
	if j.DedupeKey != "" {
		var other int64
		err := q.t.c.QueryRow(ctx, `SELECT id FROM jobs WHERE kind = ? AND dedupe_key = ? AND state = 'queued'`, string(j.Kind), j.DedupeKey).Scan(&other)
		if err == nil {
			return j, &store.ConflictError{Kind: "job", ID: fmt.Sprint(id), Reason: fmt.Sprintf("job %d with the same dedupe key is queued", other)}
		}
		if !errors.Is(err, ErrNoRows) {
			return j, err
		}
	}
	now := q.t.s.now()
	if _, err := q.t.c.Exec(ctx, `UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, updated_at = ? WHERE id = ?`,
		micro(now), micro(now), int64(id)); err != nil {
		return j, err
	}
	j.State, j.Attempts, j.RunAt, j.UpdatedAt = model.JobQueued, 0, now, now
	return j, nil
}

func (q *txQueue) Stats(ctx context.Context) (map[model.JobState]int, error) {
	rows, err := q.t.c.Query(ctx, `SELECT state, COUNT(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[model.JobState]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[model.JobState(s)] = n
	}
	return out, rows.Err()
}
