package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// Config configures a Pool. Zero fields take the defaults noted.
type Config struct {
	// Queue is where jobs come from (store.Store.Queue()).
	Queue store.Queue
	// Handlers maps each kind the pool runs to its handler. A
	// BatchHandler gets the ready jobs of its kind many at a time.
	Handlers map[model.JobKind]Handler
	// Worker names this process in leases; default host-pid.
	Worker string
	// Concurrency bounds the handlers running at once; default 4.
	Concurrency int
	// LeaseTTL is the lease length, renewed every third of it while a
	// handler runs; default 1 min.
	LeaseTTL time.Duration
	// Poll is how long an idle worker waits before asking again (Notify
	// wakes it sooner); default 1 s.
	Poll time.Duration
	// Backoff spaces retries; default DefaultBackoff.
	Backoff *Backoff
	// ShutdownGrace is how long in-flight handlers may run after Run's
	// context is cancelled before their own context is cancelled and
	// their jobs are released; default 10 s.
	ShutdownGrace time.Duration
	// SettleTimeout bounds the Ack/Nack/Release calls made after
	// shutdown began; default 10 s.
	SettleTimeout time.Duration
	Logger        *slog.Logger
}

// Stats counts what a pool did.
type Stats struct {
	Leased, Succeeded, Retried, Buried, Released, Lost int64
}

// Pool runs handlers for leased jobs.
type Pool struct {
	cfg   Config
	kinds []model.JobKind
	wake  chan struct{}
	log   *slog.Logger

	leased, succeeded, retried, buried, released, lost atomic.Int64
}

// New checks cfg and returns a pool.
func New(cfg Config) (*Pool, error) {
	if cfg.Queue == nil {
		return nil, errors.New("job: Config.Queue is nil")
	}
	if len(cfg.Handlers) == 0 {
		return nil, errors.New("job: no handlers")
	}
	if cfg.Worker == "" {
		host, _ := os.Hostname()
		cfg.Worker = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Backoff == nil {
		b := DefaultBackoff
		cfg.Backoff = &b
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 10 * time.Second
	}
	if cfg.SettleTimeout <= 0 {
		cfg.SettleTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Pool{
		cfg:   cfg,
		kinds: slices.Sorted(maps.Keys(cfg.Handlers)),
		wake:  make(chan struct{}, cfg.Concurrency),
		log:   cfg.Logger.With("worker", cfg.Worker),
	}, nil
}

// Notify wakes idle workers, e.g. after enqueueing a job.
func (p *Pool) Notify() {
	for range p.cfg.Concurrency {
		select {
		case p.wake <- struct{}{}:
		default:
			return
		}
	}
}

// Stats returns the pool's counters.
func (p *Pool) Stats() Stats {
	return Stats{Leased: p.leased.Load(), Succeeded: p.succeeded.Load(), Retried: p.retried.Load(),
		Buried: p.buried.Load(), Released: p.released.Load(), Lost: p.lost.Load()}
}

// Run leases and runs jobs until ctx is cancelled, then waits for the
// in-flight jobs to finish or be released. It returns nil after a clean
// shutdown.
func (p *Pool) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range p.cfg.Concurrency {
		wg.Go(func() { p.loop(ctx) })
	}
	wg.Wait()
	return nil
}

func (p *Pool) loop(ctx context.Context) {
	for ctx.Err() == nil {
		l, err := p.cfg.Queue.Lease(ctx, p.cfg.Worker, p.kinds, p.cfg.LeaseTTL)
		if err != nil {
			if ctx.Err() == nil {
				p.log.ErrorContext(ctx, "job: lease", "err", err)
			}
			p.idle(ctx)
			continue
		}
		if l == nil {
			p.idle(ctx)
			continue
		}
		p.leased.Add(1)
		if h, ok := p.cfg.Handlers[l.Job.Kind].(BatchHandler); ok && h.MaxBatch() > 0 {
			p.runBatch(ctx, h, l)
			continue
		}
		p.run(ctx, l)
	}
}

func (p *Pool) idle(ctx context.Context) {
	t := time.NewTimer(p.cfg.Poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-p.wake:
	case <-t.C:
	}
}

// run executes one leased job and settles it.
func (p *Pool) run(ctx context.Context, l *model.Lease) {
	p.handle(ctx, []*model.Lease{l}, func(hctx context.Context) []error { return []error{p.call(hctx, l.Job)} }, false)
}

// handle runs fn (the handler of leases) with their leases kept, then
// settles each lease by its result. With handlerAcks, a nil result means
// that the handler already acked the job (a BatchHandler).
func (p *Pool) handle(ctx context.Context, leases []*model.Lease, fn func(hctx context.Context) []error, handlerAcks bool) {
	// The handler's context outlives ctx by the shutdown grace.
	hctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	done := make(chan struct{})
	var keeper sync.WaitGroup
	keeper.Go(func() { p.keep(ctx, leases, done, cancel) })
	errs := fn(hctx)
	close(done)
	keeper.Wait()
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.SettleTimeout)
	defer scancel()
	cause := context.Cause(hctx)
	for i, l := range leases {
		p.settle(sctx, l, errs[i], cause, handlerAcks)
	}
}

// settle acks, releases, buries or nacks a job by its handler's result
// and the cause of its context's end.
func (p *Pool) settle(sctx context.Context, l *model.Lease, err, cause error, handlerAcks bool) {
	log := p.log.With("job", l.Job.ID, "kind", l.Job.Kind, "attempt", l.Job.Attempts)
	var settle error
	var ll *store.LeaseLostError
	switch {
	case errors.Is(cause, errLeaseLost) || errors.As(err, &ll):
		p.lost.Add(1)
		log.WarnContext(sctx, "job: lease lost while running; another worker has the job")
		return
	case err == nil && handlerAcks:
		p.succeeded.Add(1)
		return
	case err == nil:
		settle = p.cfg.Queue.Ack(sctx, l)
		if settle == nil {
			p.succeeded.Add(1)
		}
	case errors.Is(cause, errShutdown):
		settle = p.cfg.Queue.Release(sctx, l)
		if settle == nil {
			p.released.Add(1)
			log.InfoContext(sctx, "job: released at shutdown")
		}
	case isPermanent(err):
		settle = p.cfg.Queue.Bury(sctx, l, err.Error())
		if settle == nil {
			p.buried.Add(1)
		}
	default:
		retry := time.Now().Add(p.cfg.Backoff.Delay(l.Job.Attempts))
		settle = p.cfg.Queue.Nack(sctx, l, retry, err.Error())
		if settle == nil {
			p.retried.Add(1)
			log.WarnContext(sctx, "job: failed", "err", err, "retryAt", retry)
		}
	}
	if errors.As(settle, &ll) {
		p.lost.Add(1)
		log.WarnContext(sctx, "job: lease lost before settling", "err", settle)
	} else if settle != nil {
		// The lease will expire and the job be delivered again.
		log.ErrorContext(sctx, "job: settle", "err", settle)
	}
}

var (
	errShutdown  = errors.New("job: pool shutting down")
	errLeaseLost = errors.New("job: lease lost")
)

// keep renews the leases until done, and cancels the handler when every
// lease is lost or when the shutdown grace after ctx's cancellation runs
// out. (A batch that lost some of its leases runs on: its handler finds
// them lost when it acks.)
func (p *Pool) keep(ctx context.Context, leases []*model.Lease, done <-chan struct{}, cancel context.CancelCauseFunc) {
	tick := time.NewTicker(p.cfg.LeaseTTL / 3)
	defer tick.Stop()
	var grace <-chan time.Time
	shutdown := ctx.Done()
	lost := make([]bool, len(leases))
	nlost := 0
	for {
		select {
		case <-done:
			return
		case <-shutdown:
			shutdown = nil
			t := time.NewTimer(p.cfg.ShutdownGrace)
			defer t.Stop()
			grace = t.C
		case <-grace:
			cancel(errShutdown)
			grace = nil
		case <-tick.C:
			for i, l := range leases {
				if lost[i] {
					continue
				}
				ectx, ecancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.LeaseTTL/3)
				err := p.cfg.Queue.Extend(ectx, l, p.cfg.LeaseTTL)
				ecancel()
				var ll *store.LeaseLostError
				if errors.As(err, &ll) {
					lost[i] = true
					nlost++
					continue
				}
				if err != nil {
					p.log.WarnContext(ctx, "job: extend lease", "job", l.Job.ID, "err", err)
				}
			}
			if nlost == len(leases) {
				cancel(errLeaseLost)
				return
			}
		}
	}
}

// call runs the handler, turning a panic into an error.
func (p *Pool) call(ctx context.Context, j model.Job) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v}
		}
	}()
	h := p.cfg.Handlers[j.Kind]
	if h == nil {
		return Permanent(fmt.Errorf("no handler for kind %q", j.Kind))
	}
	return h.Handle(ctx, j)
}
