package job_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/job"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// TestPoolBatches runs a batch handler over queued jobs: it gets them many
// at a time (never more than its maximum, never another kind), the jobs it
// acks are done, and every other result is settled as a single job's
// would be: retried, buried, or left to another worker when its lease was
// lost.
func TestPoolBatches(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		q := s.Queue()
		const n, max = 50, 8
		for range n {
			enqueue(t, q, model.Job{Kind: "scan", Payload: []byte("ok")})
		}
		flaky := enqueue(t, q, model.Job{Kind: "scan", Payload: []byte("flaky"), MaxAttempts: 5})
		bad := enqueue(t, q, model.Job{Kind: "scan", Payload: []byte("bad")})
		stolen := enqueue(t, q, model.Job{Kind: "scan", Payload: []byte("stolen")})
		enqueue(t, q, model.Job{Kind: "rematch"})
		var (
			mu      sync.Mutex
			sizes   []int
			calls   = map[model.JobID]int{}
			singles atomic.Int64
		)
		h := job.Batch{
			Max: max,
			One: func(context.Context, model.Job) error { singles.Add(1); return nil },
			Many: func(ctx context.Context, leases []*model.Lease) []error {
				mu.Lock()
				sizes = append(sizes, len(leases))
				mu.Unlock()
				errs := make([]error, len(leases))
				err := s.InTx(ctx, func(tx store.Tx) error {
					for i, l := range leases {
						if l.Job.Kind != "scan" {
							t.Errorf("batch got a %q job", l.Job.Kind)
						}
						mu.Lock()
						calls[l.Job.ID]++
						k := calls[l.Job.ID]
						mu.Unlock()
						switch string(l.Job.Payload) {
						case "flaky":
							if k < 3 {
								errs[i] = errors.New("registry timeout")
								continue
							}
						case "bad":
							errs[i] = job.Permanent(errors.New("malformed payload"))
							continue
						case "stolen":
							// Another holder took the job: the ack finds the
							// lease lost and nothing of the job is written.
							if err := tx.Jobs().Ack(ctx, &model.Lease{Job: l.Job, Token: "not-ours"}); err != nil {
								errs[i] = err
								continue
							}
							t.Error("ack with another token succeeded")
						}
						if err := tx.Jobs().Ack(ctx, l); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
				}
				return errs
			},
		}
		var rematches atomic.Int64
		p := newPool(t, job.Config{Queue: q, Concurrency: 2, Handlers: map[model.JobKind]job.Handler{
			"scan":    h,
			"rematch": job.HandlerFunc(func(context.Context, model.Job) error { rematches.Add(1); return nil }),
		}})
		stop := start(p)
		waitFor(t, "every scan settled", func() bool {
			st, err := q.Stats(ctx)
			return err == nil && st[model.JobQueued] == 0 && st[model.JobLeased] <= 1 && rematches.Load() == 1
		})
		stop()
		mu.Lock()
		defer mu.Unlock()
		total, big := 0, false
		for _, k := range sizes {
			if k < 1 || k > max {
				t.Errorf("a batch of %d jobs (max %d)", k, max)
			}
			total += k
			big = big || k > 1
		}
		if !big {
			t.Errorf("batches %v: jobs queued together never ran together", sizes)
		}
		if singles.Load() != 0 {
			t.Errorf("Handle called %d times for a batch handler", singles.Load())
		}
		if calls[flaky.ID] != 3 {
			t.Errorf("flaky job ran %d times, want 3", calls[flaky.ID])
		}
		got, err := q.Get(ctx, bad.ID)
		if err != nil || got.State != model.JobDead {
			t.Errorf("permanently failed job: %+v, %v; want dead", got, err)
		}
		// The stolen job's lease was not lost in the queue (only the
		// handler's ack used another token): the pool counted it lost and
		// left it leased, to be delivered again when the lease expires.
		got, err = q.Get(ctx, stolen.ID)
		if err != nil || got.State != model.JobLeased {
			t.Errorf("job whose ack lost its lease: %+v, %v; want still leased", got, err)
		}
		st := p.Stats()
		want := job.Stats{Leased: int64(total) + 1, Succeeded: n + 1 + 1, Retried: 2, Buried: 1, Lost: 1}
		if diff := cmp.Diff(want, st); diff != "" {
			t.Errorf("pool stats (-want +got):\n%s", diff)
		}
	})
}

// TestPoolBatchReleasedAtShutdown checks that a batch still running when
// the shutdown grace ends has its jobs released, ready for the next worker.
func TestPoolBatchReleasedAtShutdown(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		q := s.Queue()
		for range 5 {
			enqueue(t, q, model.Job{Kind: "scan"})
		}
		started := make(chan int, 1)
		p := newPool(t, job.Config{Queue: q, Concurrency: 1, ShutdownGrace: 50 * time.Millisecond, Handlers: map[model.JobKind]job.Handler{
			"scan": job.Batch{Max: 10, One: func(context.Context, model.Job) error { return nil },
				Many: func(ctx context.Context, leases []*model.Lease) []error {
					started <- len(leases)
					<-ctx.Done()
					errs := make([]error, len(leases))
					for i := range errs {
						errs[i] = ctx.Err()
					}
					return errs
				}},
		}})
		stop := start(p)
		if k := <-started; k != 5 {
			t.Errorf("batch of %d, want the 5 queued", k)
		}
		stop()
		st, err := q.Stats(ctx)
		if err != nil || st[model.JobQueued] != 5 || st[model.JobLeased] != 0 {
			t.Errorf("after shutdown: %v, %v; want 5 queued", st, err)
		}
		if got := p.Stats(); got.Released != 5 || got.Retried != 0 {
			t.Errorf("pool stats %+v, want 5 released", got)
		}
	})
}
