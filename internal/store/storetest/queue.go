package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

func mustLease(t *testing.T, q store.Queue, worker string, kinds ...model.JobKind) *model.Lease {
	t.Helper()
	l, err := q.Lease(context.Background(), worker, kinds, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if l == nil {
		t.Fatal("no job leased")
	}
	return l
}

func wantNoLease(t *testing.T, q store.Queue, kinds ...model.JobKind) {
	t.Helper()
	l, err := q.Lease(context.Background(), "w", kinds, time.Minute)
	if err != nil || l != nil {
		t.Fatalf("Lease = %+v, %v; want none", l, err)
	}
}

func wantLost(t *testing.T, what string, err error) {
	t.Helper()
	var ll *store.LeaseLostError
	if !errors.As(err, &ll) {
		t.Errorf("%s: got %v, want *store.LeaseLostError", what, err)
	}
}

func testQueueBasics(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	q := e.s.Queue()
	// Enqueue inside a larger transaction, with the resource it scans.
	var jobID model.JobID
	e.tx(t, func(tx store.Tx) error {
		r, _, err := tx.Resources(store.AccountScope(e.b.ID)).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceImage, Name: "app"})
		if err != nil {
			return err
		}
		j, created, err := tx.Jobs().Enqueue(ctx, model.Job{Kind: "scan", AccountID: e.b.ID, Payload: []byte(r.ID)})
		jobID = j.ID
		if !created || j.State != model.JobQueued || j.MaxAttempts != store.DefaultMaxAttempts {
			t.Errorf("enqueued %+v created=%v", j, created)
		}
		return err
	})
	// Priority first, then run-at; future jobs wait; kinds filter.
	if _, _, err := q.Enqueue(ctx, model.Job{Kind: "scan", Priority: 10}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Enqueue(ctx, model.Job{Kind: "scan", RunAt: e.clock.Now().Add(time.Hour), Priority: 100}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Enqueue(ctx, model.Job{Kind: "rematch"}); err != nil {
		t.Fatal(err)
	}
	l1 := mustLease(t, q, "w1", "scan")
	if l1.Job.Priority != 10 || l1.Job.Attempts != 1 || l1.Job.State != model.JobLeased || l1.Worker != "w1" {
		t.Errorf("first lease = %+v", l1.Job)
	}
	l2 := mustLease(t, q, "w1", "scan")
	if l2.Job.ID != jobID || string(l2.Job.Payload) == "" || l2.Job.AccountID != e.b.ID {
		t.Errorf("second lease = %+v, want job %d", l2.Job, jobID)
	}
	wantNoLease(t, q, "scan")
	l3 := mustLease(t, q, "w2")
	if l3.Job.Kind != "rematch" {
		t.Errorf("any-kind lease got %s", l3.Job.Kind)
	}
	for _, l := range []*model.Lease{l1, l2, l3} {
		if err := q.Ack(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	wantLost(t, "second Ack", q.Ack(ctx, l1))
	_, err := q.Get(ctx, l1.Job.ID)
	wantNotFound(t, "Get acked job", err)
	stats, err := q.Stats(ctx)
	if err != nil || stats[model.JobQueued] != 1 || stats[model.JobLeased] != 0 {
		t.Errorf("Stats = %v, %v", stats, err)
	}
	e.clock.Advance(2 * time.Hour)
	l4 := mustLease(t, q, "w1")
	if l4.Job.Priority != 100 {
		t.Errorf("future job = %+v", l4.Job)
	}
	// Extend keeps the lease past its first expiry.
	e.clock.Advance(50 * time.Second)
	if err := q.Extend(ctx, l4, time.Minute); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(50 * time.Second)
	wantNoLease(t, q)
	if err := q.Ack(ctx, l4); err != nil {
		t.Fatal(err)
	}
	wantLost(t, "Extend after Ack", q.Extend(ctx, l4, time.Minute))
}

// testQueueExclusive has many workers lease at once: each job is leased
// exactly once.
func testQueueExclusive(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	q := e.s.Queue()
	const jobs, workers = 60, 8
	for i := range jobs {
		if _, _, err := q.Enqueue(ctx, model.Job{Kind: "scan", Payload: []byte(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[model.JobID]string{}
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("w%d", w)
			for {
				l, err := q.Lease(ctx, name, []model.JobKind{"scan"}, time.Minute)
				if err != nil {
					errc <- err
					return
				}
				if l == nil {
					return
				}
				mu.Lock()
				if prev, dup := seen[l.Job.ID]; dup {
					errc <- fmt.Errorf("job %d leased by %s and %s", l.Job.ID, prev, name)
				}
				seen[l.Job.ID] = name
				mu.Unlock()
				if err := q.Ack(ctx, l); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if len(seen) != jobs {
		t.Errorf("%d jobs leased, want %d", len(seen), jobs)
	}
}

func testQueueExpiry(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	q := e.s.Queue()
	j, _, err := q.Enqueue(ctx, model.Job{Kind: "scan", MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	l1 := mustLease(t, q, "crashed")
	wantNoLease(t, q)
	e.clock.Advance(61 * time.Second) // the worker died: its lease expires
	l2 := mustLease(t, q, "w2")
	if l2.Job.ID != j.ID || l2.Job.Attempts != 2 || l2.Token == l1.Token {
		t.Errorf("re-lease = %+v", l2)
	}
	wantLost(t, "Ack with the expired token", q.Ack(ctx, l1))
	wantLost(t, "Nack with the expired token", q.Nack(ctx, l1, time.Time{}, "x"))
	// The second holder crashes too: the delivery limit is reached and
	// the job goes dead instead of being leased a third time.
	e.clock.Advance(61 * time.Second)
	wantNoLease(t, q)
	dead, err := q.Dead(ctx, 0, 10)
	if err != nil || len(dead) != 1 || dead[0].ID != j.ID || dead[0].LastError == "" {
		t.Errorf("Dead = %+v, %v", dead, err)
	}
}

func testQueueNack(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	q := e.s.Queue()
	if _, _, err := q.Enqueue(ctx, model.Job{Kind: "scan"}); err != nil {
		t.Fatal(err)
	}
	l := mustLease(t, q, "w")
	if err := q.Nack(ctx, l, e.clock.Now().Add(10*time.Second), "registry unreachable"); err != nil {
		t.Fatal(err)
	}
	wantNoLease(t, q)
	e.clock.Advance(11 * time.Second)
	l2 := mustLease(t, q, "w")
	if l2.Job.Attempts != 2 || l2.Job.LastError != "registry unreachable" {
		t.Errorf("after backoff = %+v", l2.Job)
	}
}

func testQueueDead(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	q := e.s.Queue()
	j, _, err := q.Enqueue(ctx, model.Job{Kind: "scan", MaxAttempts: 3, DedupeKey: "res-1"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		l := mustLease(t, q, "w")
		if err := q.Nack(ctx, l, time.Time{}, fmt.Sprintf("fail %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	wantNoLease(t, q)
	dead, err := q.Dead(ctx, 0, 10)
	if err != nil || len(dead) != 1 || dead[0].ID != j.ID || dead[0].State != model.JobDead || dead[0].Attempts != 3 {
		t.Fatalf("Dead = %+v, %v", dead, err)
	}
	// A dead job does not block a new one with the same key.
	j2, created, err := q.Enqueue(ctx, model.Job{Kind: "scan", DedupeKey: "res-1"})
	if err != nil || !created {
		t.Fatalf("enqueue beside dead = %+v %v %v", j2, created, err)
	}
	_, err = q.Requeue(ctx, j.ID)
	var ce *store.ConflictError
	if !errors.As(err, &ce) {
		t.Errorf("Requeue beside a queued duplicate: got %v, want *store.ConflictError", err)
	}
	l := mustLease(t, q, "w")
	if err := q.Ack(ctx, l); err != nil {
		t.Fatal(err)
	}
	re, err := q.Requeue(ctx, j.ID)
	if err != nil || re.State != model.JobQueued || re.Attempts != 0 {
		t.Fatalf("Requeue = %+v, %v", re, err)
	}
	l = mustLease(t, q, "w")
	if l.Job.ID != j.ID || l.Job.Attempts != 1 {
		t.Errorf("requeued lease = %+v", l.Job)
	}
	if err := q.Bury(ctx, l, "poison"); err != nil {
		t.Fatal(err)
	}
	got, err := q.Get(ctx, j.ID)
	if err != nil || got.State != model.JobDead || got.LastError != "poison" {
		t.Errorf("buried = %+v, %v", got, err)
	}
	_, err = q.Requeue(ctx, 999999)
	wantNotFound(t, "Requeue unknown", err)
}

func testQueueDedupe(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	q := e.s.Queue()
	later := e.clock.Now().Add(time.Hour)
	a, created, err := q.Enqueue(ctx, model.Job{Kind: "scan", DedupeKey: "res-1", RunAt: later})
	if err != nil || !created {
		t.Fatal(a, created, err)
	}
	b, created, err := q.Enqueue(ctx, model.Job{Kind: "scan", DedupeKey: "res-1", Priority: 5})
	if err != nil || created || b.ID != a.ID || b.Priority != 5 || !b.RunAt.Equal(e.clock.Now()) {
		t.Errorf("duplicate = %+v created=%v err=%v; want job %d pulled forward", b, created, err, a.ID)
	}
	other, created, err := q.Enqueue(ctx, model.Job{Kind: "rematch", DedupeKey: "res-1"})
	if err != nil || !created || other.ID == a.ID {
		t.Errorf("other kind, same key = %+v %v %v", other, created, err)
	}
	l := mustLease(t, q, "w", "scan")
	// While it runs, a new request queues a fresh job (the running one may
	// have read stale state).
	c, created, err := q.Enqueue(ctx, model.Job{Kind: "scan", DedupeKey: "res-1"})
	if err != nil || !created || c.ID == a.ID {
		t.Errorf("enqueue while leased = %+v %v %v", c, created, err)
	}
	// Nacking the running one folds it into the queued duplicate.
	if err := q.Nack(ctx, l, time.Time{}, "x"); err != nil {
		t.Fatal(err)
	}
	stats, err := q.Stats(ctx)
	if err != nil || stats[model.JobQueued] != 2 || stats[model.JobLeased] != 0 {
		t.Errorf("Stats = %v, %v", stats, err)
	}
	// Concurrent duplicates: exactly one job.
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[model.JobID]int{}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, _, err := q.Enqueue(ctx, model.Job{Kind: "scan", DedupeKey: "res-2"})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			ids[j.ID]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(ids) != 1 {
		t.Errorf("concurrent duplicates made jobs %v", ids)
	}
}

func testQueueRelease(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	q := e.s.Queue()
	if _, _, err := q.Enqueue(ctx, model.Job{Kind: "scan", MaxAttempts: 1}); err != nil {
		t.Fatal(err)
	}
	for range 3 { // releasing never uses up the delivery limit
		l := mustLease(t, q, "w")
		if err := q.Release(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	l := mustLease(t, q, "w")
	if l.Job.Attempts != 1 {
		t.Errorf("attempts after releases = %d", l.Job.Attempts)
	}
	if err := q.Ack(ctx, l); err != nil {
		t.Fatal(err)
	}
}

// testQueueLeaseBatch checks LeaseBatch: one kind only, in Lease's order,
// at most max, never a job another batch holds, every lease settled on its
// own (an ack inside a larger transaction included).
func testQueueLeaseBatch(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	q := e.s.Queue()
	const scans = 25
	for i := range scans {
		if _, _, err := q.Enqueue(ctx, model.Job{Kind: "scan", Payload: []byte(fmt.Sprint(i)), Priority: i % 3}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := q.Enqueue(ctx, model.Job{Kind: "rematch", Priority: 100}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		kind model.JobKind
		max  int
	}{{"scan", 0}, {"scan", -1}, {"scan", 1001}, {"", 5}} {
		var inv *store.InvalidError
		if _, err := q.LeaseBatch(ctx, "w", bad.kind, time.Minute, bad.max); !errors.As(err, &inv) {
			t.Errorf("LeaseBatch(%q, %d) = %v, want *store.InvalidError", bad.kind, bad.max, err)
		}
	}
	first, err := q.LeaseBatch(ctx, "w1", "scan", time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	second, err := q.LeaseBatch(ctx, "w2", "scan", time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 10 || len(second) != scans-10 {
		t.Fatalf("batches of %d and %d, want 10 and %d", len(first), len(second), scans-10)
	}
	seen := map[model.JobID]bool{}
	prio := 1 << 30
	for i, l := range append(first, second...) {
		if l.Job.Kind != "scan" || l.Job.State != model.JobLeased || l.Job.Attempts != 1 || l.Token == "" {
			t.Errorf("lease %d = %+v", i, l)
		}
		if seen[l.Job.ID] {
			t.Errorf("job %d leased twice", l.Job.ID)
		}
		seen[l.Job.ID] = true
		if l.Job.Priority > prio {
			t.Errorf("lease %d has priority %d after one of %d: not in Lease's order", i, l.Job.Priority, prio)
		}
		prio = l.Job.Priority
	}
	if ls, err := q.LeaseBatch(ctx, "w3", "scan", time.Minute, 5); err != nil || len(ls) != 0 {
		t.Errorf("LeaseBatch with none ready = %d leases, %v", len(ls), err)
	}
	// The leases settle one by one: acks in one transaction, a nack, and
	// a token that lost its job.
	e.tx(t, func(tx store.Tx) error {
		for _, l := range first {
			if err := tx.Jobs().Ack(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
	if err := q.Nack(ctx, second[0], time.Time{}, "retry"); err != nil {
		t.Fatal(err)
	}
	wantLost(t, "Ack of an acked lease", q.Ack(ctx, first[0]))
	stats, err := q.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[model.JobState]int{model.JobQueued: 2, model.JobLeased: scans - 11}; stats[model.JobQueued] != want[model.JobQueued] || stats[model.JobLeased] != want[model.JobLeased] {
		t.Errorf("Stats = %v, want %v", stats, want)
	}
}
