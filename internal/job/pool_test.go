package job_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigilsec/vigil/internal/job"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/postgres"
	"github.com/vigilsec/vigil/internal/store/sqlite"
)

// stores returns the real stores to run a test against: SQLite always,
// PostgreSQL when VIGIL_TEST_POSTGRES is set.
func stores(t *testing.T) map[string]func(t *testing.T) store.Store {
	m := map[string]func(t *testing.T) store.Store{
		"sqlite": func(t *testing.T) store.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	}
	if dsn := os.Getenv("VIGIL_TEST_POSTGRES"); dsn != "" {
		m["postgres"] = func(t *testing.T) store.Store { return openPostgres(t, dsn) }
	} else {
		t.Log("VIGIL_TEST_POSTGRES is not set: PostgreSQL skipped")
	}
	return m
}

func openPostgres(tb testing.TB, base string) store.Store {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close(ctx)
	schema := "j_" + store.NewToken()[:16]
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := postgres.Open(ctx, u.String(), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = s.Close()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
	})
	return s
}

func forEachStore(t *testing.T, fn func(t *testing.T, s store.Store)) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) { fn(t, open(t)) })
	}
}

func enqueue(t *testing.T, q store.Queue, j model.Job) model.Job {
	t.Helper()
	got, _, err := q.Enqueue(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newPool(t *testing.T, cfg job.Config) *job.Pool {
	t.Helper()
	if cfg.Poll == 0 {
		cfg.Poll = 10 * time.Millisecond
	}
	if cfg.Backoff == nil {
		cfg.Backoff = &job.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond}
	}
	p, err := job.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func start(p *job.Pool) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = p.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func TestPoolRunsAndBoundsConcurrency(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		q := s.Queue()
		const n, conc = 40, 3
		var running, peak, scans, rematches atomic.Int64
		slow := func(counter *atomic.Int64) job.HandlerFunc {
			return func(ctx context.Context, j model.Job) error {
				cur := running.Add(1)
				defer running.Add(-1)
				for {
					p := peak.Load()
					if cur <= p || peak.CompareAndSwap(p, cur) {
						break
					}
				}
				time.Sleep(2 * time.Millisecond)
				counter.Add(1)
				return nil
			}
		}
		for i := range n {
			kind := model.JobKind("scan")
			if i%4 == 0 {
				kind = "rematch"
			}
			enqueue(t, q, model.Job{Kind: kind})
		}
		enqueue(t, q, model.Job{Kind: "other"}) // no handler here: never leased
		p := newPool(t, job.Config{Queue: q, Concurrency: conc, Handlers: map[model.JobKind]job.Handler{
			"scan": slow(&scans), "rematch": slow(&rematches),
		}})
		stop := start(p)
		waitFor(t, "all jobs", func() bool { return scans.Load()+rematches.Load() == n })
		stop()
		if peak.Load() > conc {
			t.Errorf("peak concurrency %d > %d", peak.Load(), conc)
		}
		if scans.Load() != 30 || rematches.Load() != 10 {
			t.Errorf("scans %d rematches %d", scans.Load(), rematches.Load())
		}
		stats, err := q.Stats(context.Background())
		if err != nil || stats[model.JobQueued] != 1 || stats[model.JobLeased] != 0 {
			t.Errorf("queue stats = %v, %v", stats, err)
		}
		if st := p.Stats(); st.Succeeded != n || st.Leased != n {
			t.Errorf("pool stats = %+v", st)
		}
	})
}

func TestPoolRetriesThenDeadLetters(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		q := s.Queue()
		var calls sync.Map
		flaky := enqueue(t, q, model.Job{Kind: "scan", Payload: []byte("flaky"), MaxAttempts: 5})
		broken := enqueue(t, q, model.Job{Kind: "scan", Payload: []byte("broken"), MaxAttempts: 3})
		bad := enqueue(t, q, model.Job{Kind: "scan", Payload: []byte("bad")})
		panics := enqueue(t, q, model.Job{Kind: "scan", Payload: []byte("panic"), MaxAttempts: 2})
		p := newPool(t, job.Config{Queue: q, Concurrency: 2, Handlers: map[model.JobKind]job.Handler{
			"scan": job.HandlerFunc(func(ctx context.Context, j model.Job) error {
				v, _ := calls.LoadOrStore(j.ID, new(atomic.Int64))
				n := v.(*atomic.Int64).Add(1)
				switch string(j.Payload) {
				case "flaky":
					if n < 3 {
						return errors.New("registry timeout")
					}
					return nil
				case "broken":
					return fmt.Errorf("attempt %d failed", n)
				case "bad":
					return job.Permanent(errors.New("malformed payload"))
				case "panic":
					panic("boom")
				}
				return nil
			}),
		}})
		stop := start(p)
		waitFor(t, "settled", func() bool {
			st, _ := q.Stats(context.Background())
			return st[model.JobDead] == 3 && st[model.JobQueued] == 0 && st[model.JobLeased] == 0
		})
		stop()
		count := func(id model.JobID) int64 {
			v, _ := calls.Load(id)
			return v.(*atomic.Int64).Load()
		}
		if count(flaky.ID) != 3 || count(broken.ID) != 3 || count(bad.ID) != 1 || count(panics.ID) != 2 {
			t.Errorf("calls: flaky %d broken %d bad %d panic %d", count(flaky.ID), count(broken.ID), count(bad.ID), count(panics.ID))
		}
		dead, err := q.Dead(context.Background(), 0, 10)
		if err != nil || len(dead) != 3 {
			t.Fatalf("dead = %v, %v", dead, err)
		}
		for _, d := range dead {
			if d.LastError == "" {
				t.Errorf("dead job %d has no error", d.ID)
			}
		}
	})
}

func TestPoolShutdownReleases(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		q := s.Queue()
		quick := enqueue(t, q, model.Job{Kind: "quick", MaxAttempts: 1})
		stuck := enqueue(t, q, model.Job{Kind: "stuck", MaxAttempts: 1})
		started := make(chan model.JobID, 2)
		p := newPool(t, job.Config{Queue: q, Concurrency: 2, ShutdownGrace: 100 * time.Millisecond, Handlers: map[model.JobKind]job.Handler{
			// Finishes within the grace period after shutdown begins.
			"quick": job.HandlerFunc(func(ctx context.Context, j model.Job) error {
				started <- j.ID
				time.Sleep(50 * time.Millisecond)
				return nil
			}),
			// Runs until its context is cancelled.
			"stuck": job.HandlerFunc(func(ctx context.Context, j model.Job) error {
				started <- j.ID
				<-ctx.Done()
				return ctx.Err()
			}),
		}})
		stop := start(p)
		<-started
		<-started
		stop()
		ctx := context.Background()
		if _, err := q.Get(ctx, quick.ID); err == nil {
			t.Error("quick job not acknowledged")
		}
		got, err := q.Get(ctx, stuck.ID)
		if err != nil || got.State != model.JobQueued || got.Attempts != 0 {
			t.Fatalf("stuck job after shutdown = %+v, %v; want queued, no delivery counted", got, err)
		}
		if st := p.Stats(); st.Released != 1 || st.Succeeded != 1 {
			t.Errorf("stats = %+v", st)
		}
		// A new pool finishes it.
		done := make(chan struct{})
		p2 := newPool(t, job.Config{Queue: q, Handlers: map[model.JobKind]job.Handler{
			"stuck": job.HandlerFunc(func(ctx context.Context, j model.Job) error { close(done); return nil }),
		}})
		stop2 := start(p2)
		<-done
		stop2()
		if _, err := q.Get(ctx, stuck.ID); err == nil {
			t.Error("job not acknowledged by the second pool")
		}
	})
}

// TestPoolExtendsLease runs a job longer than its lease TTL beside a
// second pool: the lease is renewed, so the job is delivered once.
func TestPoolExtendsLease(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		q := s.Queue()
		enqueue(t, q, model.Job{Kind: "long"})
		var calls atomic.Int64
		h := map[model.JobKind]job.Handler{"long": job.HandlerFunc(func(ctx context.Context, j model.Job) error {
			calls.Add(1)
			select {
			case <-time.After(2500 * time.Millisecond):
			case <-ctx.Done():
			}
			return nil
		})}
		// The TTL is well above scheduling delays on a loaded machine, and
		// the job runs for more than two TTLs, so it must be renewed.
		p1 := newPool(t, job.Config{Queue: q, Worker: "a", LeaseTTL: time.Second, Handlers: h})
		p2 := newPool(t, job.Config{Queue: q, Worker: "b", LeaseTTL: time.Second, Handlers: h})
		stop1, stop2 := start(p1), start(p2)
		waitFor(t, "ack", func() bool { return p1.Stats().Succeeded+p2.Stats().Succeeded == 1 })
		stop1()
		stop2()
		if calls.Load() != 1 {
			t.Errorf("handler ran %d times, want 1", calls.Load())
		}
	})
}

func TestBackoff(t *testing.T) {
	b := job.Backoff{Base: time.Second, Max: 10 * time.Second}
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {4, 8 * time.Second}, {5, 10 * time.Second}, {50, 10 * time.Second}} {
		if got := b.Delay(tc.attempt); got != tc.want {
			t.Errorf("Delay(%d) = %v, want %v", tc.attempt, got, tc.want)
		}
	}
	j := job.Backoff{Base: time.Second, Max: time.Minute, Jitter: 0.2}
	for range 100 {
		if d := j.Delay(1); d < 800*time.Millisecond || d > 1200*time.Millisecond {
			t.Fatalf("jittered delay %v out of ±20%%", d)
		}
	}
}
