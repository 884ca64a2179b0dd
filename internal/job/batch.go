package job

import (
	"context"
	"fmt"

	"github.com/vigilsec/vigil/internal/model"
)

// BatchHandler is a Handler that runs many ready jobs of its kind at once
// when the queue holds them, so that it can write their results in one
// transaction: on SQLite's single writer, one commit for many scans
// writes each page they share (index pages of common packages and
// vulnerabilities, the last pages of tables) once instead of once per job.
type BatchHandler interface {
	Handler
	// MaxBatch bounds the jobs one HandleBatch call gets.
	MaxBatch() int
	// HandleBatch runs the leased jobs (one to MaxBatch, all of the
	// handler's kind) and returns one result per lease, in order. A nil
	// result says that the job is done and acked: the handler acks each
	// job it completes (store.Queue.Ack through the transaction that
	// writes its results), so that a job's results and its completion
	// commit together; a *store.LeaseLostError result says that the job
	// was not done because its lease was lost. The pool settles every
	// other result as it settles Handle's error.
	HandleBatch(ctx context.Context, leases []*model.Lease) []error
}

// Batch adapts two functions to BatchHandler.
type Batch struct {
	// One handles a single job (Handler.Handle).
	One HandlerFunc
	// Many is HandleBatch.
	Many func(ctx context.Context, leases []*model.Lease) []error
	// Max is MaxBatch.
	Max int
}

// Handle implements Handler.
func (b Batch) Handle(ctx context.Context, j model.Job) error { return b.One(ctx, j) }

// HandleBatch implements BatchHandler.
func (b Batch) HandleBatch(ctx context.Context, leases []*model.Lease) []error {
	return b.Many(ctx, leases)
}

// MaxBatch implements BatchHandler.
func (b Batch) MaxBatch() int { return b.Max }

// runBatch leases up to h.MaxBatch()-1 more ready jobs of first's kind and
// runs them all with h.
func (p *Pool) runBatch(ctx context.Context, h BatchHandler, first *model.Lease) {
	leases := []*model.Lease{first}
	if n := h.MaxBatch() - 1; n > 0 {
		more, err := p.cfg.Queue.LeaseBatch(ctx, p.cfg.Worker, first.Job.Kind, p.cfg.LeaseTTL, n)
		if err != nil && ctx.Err() == nil {
			p.log.WarnContext(ctx, "job: lease batch; running one job", "kind", first.Job.Kind, "err", err)
		}
		leases = append(leases, more...)
		p.leased.Add(int64(len(more)))
	}
	p.handle(ctx, leases, func(hctx context.Context) []error { return p.callBatch(hctx, h, leases) }, true)
}

// callBatch runs h.HandleBatch, turning a panic into every job's error.
func (p *Pool) callBatch(ctx context.Context, h BatchHandler, leases []*model.Lease) (errs []error) {
	defer func() {
		if v := recover(); v != nil {
			err := &PanicError{Value: v}
			errs = make([]error, len(leases))
			for i := range errs {
				errs[i] = err
			}
		}
	}()
	errs = h.HandleBatch(ctx, leases)
	if len(errs) != len(leases) {
		err := fmt.Errorf("job: batch handler returned %d results for %d jobs", len(errs), len(leases))
		errs = make([]error, len(leases))
		for i := range errs {
			errs[i] = err
		}
	}
	return errs
}
