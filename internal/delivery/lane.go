package delivery

import (
	"context"
	"errors"
	"time"

	"github.com/vigilsec/vigil/internal/event/pattern"
	"github.com/vigilsec/vigil/internal/job"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// lane is the delivery loop of one target: events in sequence order, one
// at a time, each retried until delivered or dead-lettered.
type lane struct {
	r      *Relay
	p      *plan
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
	cursor int64
	// matched is scratch space for the set's answers.
	matched []string
	// renew is when the lease must be renewed next.
	renew time.Time
}

// commitEvery bounds how many attempts, and for how long, progress is
// kept in memory before it is committed.
const (
	commitEvery    = 256
	commitInterval = 200 * time.Millisecond
)

func (r *Relay) start(ctx context.Context, p *plan) *lane {
	ctx, cancel := context.WithCancel(ctx)
	l := &lane{r: r, p: p, wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go l.run(ctx)
	return l
}

func (l *lane) notify() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *lane) stop() {
	l.cancel()
	<-l.done
}

func (l *lane) run(ctx context.Context) {
	defer close(l.done)
	defer l.release(ctx)
	log := l.r.log.With("target", l.p.target.ID)
	for {
		held, err := l.lease(ctx)
		if err == nil && !held {
			// Another relay delivers to this target; try again later.
			if !sleep(ctx, l.r.o.Poll) {
				return
			}
			continue
		}
		more := false
		if err == nil {
			more, err = l.step(ctx)
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Warn("delivery: target loop", "err", err)
			if !sleep(ctx, l.r.o.Poll) {
				return
			}
			continue
		}
		if more {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-l.wake:
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// lease holds the target's lease, renewing it when a third of it is
// spent. A loop without the lease delivers nothing.
func (l *lane) lease(ctx context.Context) (bool, error) {
	now := time.Now()
	if now.Before(l.renew) {
		return true, nil
	}
	var held bool
	fresh := l.renew.IsZero()
	err := l.r.o.Store.InTx(ctx, func(tx store.Tx) error {
		d := tx.Delivery(store.SystemScope())
		var err error
		if held, err = d.LeaseTarget(ctx, l.p.target.ID, l.r.o.Owner, l.ttl()); err != nil || !held || !fresh {
			return err
		}
		// Newly taken: another loop may have moved the cursor meanwhile.
		t, err := d.GetTarget(ctx, l.p.target.ID)
		l.cursor = t.Cursor
		return err
	})
	if err != nil || !held {
		l.renew = time.Time{}
		return false, err
	}
	l.renew = now.Add(l.r.o.LeaseTTL / 3)
	return true, nil
}

// release gives the lease up when the loop stops (a clean shutdown or a
// target removed), so another relay takes the target at once instead of
// waiting for the lease to expire. A killed relay cannot; its lease
// expires.
func (l *lane) release(ctx context.Context) {
	if l.renew.IsZero() {
		return // not held
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	err := l.r.o.Store.InTx(ctx, func(tx store.Tx) error {
		return tx.Delivery(store.SystemScope()).ReleaseTarget(ctx, l.p.target.ID, l.r.o.Owner)
	})
	var nf *store.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		l.r.log.Warn("delivery: releasing the target's lease", "target", l.p.target.ID, "err", err)
	}
	l.renew = time.Time{}
}

// ttl is the lease's length: it outlasts one attempt.
func (l *lane) ttl() time.Duration { return l.r.o.LeaseTTL + time.Duration(l.p.cfg.Timeout) }

// wait sleeps d before a retry, renewing the lease; false when ctx ended
// or the lease was lost.
func (l *lane) wait(ctx context.Context, d time.Duration) bool {
	end := time.Now().Add(d)
	for {
		left := time.Until(end)
		if left <= 0 {
			held, err := l.lease(ctx)
			return err == nil && held
		}
		if !sleep(ctx, min(left, l.r.o.LeaseTTL/3)) {
			return false
		}
		if held, err := l.lease(ctx); err != nil || !held {
			return false
		}
	}
}

// progress accumulates what the loop did since its last commit.
type progress struct {
	store.Progress
	since time.Time
}

func (l *lane) commit(ctx context.Context, p *progress) error {
	if p.Cursor <= l.cursor && len(p.Attempts) == 0 && len(p.Dead) == 0 {
		return nil
	}
	p.Target = l.p.target.ID
	// A shutdown must not lose what was delivered: commit regardless.
	cctx := context.WithoutCancel(ctx)
	err := l.r.o.Store.InTx(cctx, func(tx store.Tx) error {
		return tx.Delivery(store.SystemScope()).Commit(cctx, p.Progress)
	})
	if err != nil {
		return err
	}
	l.cursor = max(l.cursor, p.Cursor)
	p.Attempts, p.Dead, p.since = p.Attempts[:0], p.Dead[:0], time.Now()
	return nil
}

// step delivers the requested replays and the next batch of events; more
// is true when a full batch was read.
func (l *lane) step(ctx context.Context) (more bool, err error) {
	if err := l.replays(ctx); err != nil {
		return false, err
	}
	var evs []model.Event
	err = l.r.o.Store.View(ctx, func(tx store.Tx) error {
		var err error
		evs, err = tx.Outbox(store.AccountScope(l.p.target.AccountID)).List(ctx, l.cursor, l.r.o.Batch)
		return err
	})
	if err != nil || len(evs) == 0 {
		return false, err
	}
	p := &progress{since: time.Now()}
	for i := range evs {
		e := &evs[i]
		it, ok := l.prepare(e)
		if ok {
			if !l.deliver(ctx, it, p) {
				return false, errors.Join(ctx.Err(), l.commit(ctx, p))
			}
		}
		p.Cursor = e.Seq
		if len(p.Attempts) >= commitEvery || time.Since(p.since) >= commitInterval {
			if err := l.commit(ctx, p); err != nil {
				return false, err
			}
		}
	}
	return len(evs) == l.r.o.Batch, l.commit(ctx, p)
}

// prepare builds the envelope of e and reports whether a rule of the
// target matches it.
func (l *lane) prepare(e *model.Event) (*Item, bool) {
	env, ok, err := Envelope(e, l.r.o.Region)
	if err != nil {
		l.r.log.Warn("delivery: outbox event is not a valid envelope; skipped", "seq", e.Seq, "type", e.Type, "err", err)
		return nil, false
	}
	if !ok || l.p.set.Len() == 0 {
		return nil, false
	}
	body, err := env.Marshal()
	if err != nil {
		return nil, false
	}
	ev, err := pattern.ParseEvent(body)
	if err != nil {
		return nil, false
	}
	l.matched = l.p.set.Matches(ev, l.matched[:0])
	if len(l.matched) == 0 {
		return nil, false
	}
	return &Item{Seq: e.Seq, Env: env, Body: body}, true
}

// attempt sends it once within the target's time limit.
func (l *lane) attempt(ctx context.Context, it *Item, n int) (store.Delivery, Result) {
	actx, cancel := context.WithTimeout(ctx, time.Duration(l.p.cfg.Timeout))
	start := time.Now()
	res := l.p.snd.send(actx, it)
	cancel()
	d := store.Delivery{Seq: it.Seq, EventID: it.Env.ID, Attempt: n, Status: res.Status, Duration: time.Since(start), At: time.Now()}
	if res.Err != nil {
		d.Error = res.Err.Error()
	}
	return d, res
}

func (l *lane) observe(d *store.Delivery) {
	if l.r.o.Observe != nil {
		l.r.o.Observe(Attempt{Target: l.p.target.ID, Kind: l.p.target.Kind, Outcome: d.Outcome, Duration: d.Duration})
	}
}

// deliver sends it until it is delivered or dead-lettered, recording
// every attempt in p. It returns false when ctx ended or the lease was
// lost first (the event is then neither: it will be delivered again, with
// the same id).
func (l *lane) deliver(ctx context.Context, it *Item, p *progress) bool {
	b := job.Backoff{Base: time.Duration(l.p.cfg.BackoffMin), Max: time.Duration(l.p.cfg.BackoffMax), Jitter: 0.2}
	for n := 1; ; n++ {
		d, res := l.attempt(ctx, it, n)
		if ctx.Err() != nil {
			return false
		}
		switch {
		case res.Err == nil:
			d.Outcome = store.OutcomeDelivered
		case n >= l.p.cfg.MaxAttempts || res.Permanent:
			d.Outcome = store.OutcomeDead
			p.Dead = append(p.Dead, store.DeadLetter{Seq: it.Seq, EventID: it.Env.ID, Attempts: n, LastError: d.Error})
		default:
			d.Outcome = store.OutcomeFailed
		}
		p.Attempts = append(p.Attempts, d)
		l.observe(&d)
		if d.Outcome != store.OutcomeFailed {
			return true
		}
		// Make the failure visible, and what came before it durable,
		// before waiting.
		if err := l.commit(ctx, p); err != nil {
			l.r.log.Warn("delivery: cannot record an attempt", "target", l.p.target.ID, "err", err)
		}
		if !l.wait(ctx, b.Delay(n)) {
			return false
		}
	}
}

// replays makes one attempt at each dead letter marked for replay.
func (l *lane) replays(ctx context.Context) error {
	var rs []store.DeadLetter
	err := l.r.o.Store.View(ctx, func(tx store.Tx) error {
		var err error
		rs, err = tx.Delivery(store.SystemScope()).Replays(ctx, l.p.target.ID, 100)
		return err
	})
	if err != nil || len(rs) == 0 {
		return err
	}
	for _, dl := range rs {
		var evs []model.Event
		err := l.r.o.Store.View(ctx, func(tx store.Tx) error {
			var err error
			evs, err = tx.Outbox(store.AccountScope(l.p.target.AccountID)).List(ctx, dl.Seq-1, 1)
			return err
		})
		if err != nil {
			return err
		}
		var it *Item
		if len(evs) == 1 && evs[0].Seq == dl.Seq {
			if env, ok, err := Envelope(&evs[0], l.r.o.Region); err == nil && ok {
				if body, err := env.Marshal(); err == nil {
					it = &Item{Seq: dl.Seq, Env: env, Body: body}
				}
			}
		}
		delivered, msg := false, "the event is no longer in the outbox"
		var p progress
		if it != nil {
			d, res := l.attempt(ctx, it, dl.Attempts+1)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			d.Outcome = store.OutcomeDelivered
			if res.Err != nil {
				d.Outcome, msg = store.OutcomeDead, d.Error
			}
			delivered = res.Err == nil
			p.Attempts = append(p.Attempts, d)
			l.observe(&d)
		}
		cctx := context.WithoutCancel(ctx)
		err = l.r.o.Store.InTx(cctx, func(tx store.Tx) error {
			ds := tx.Delivery(store.SystemScope())
			if err := ds.Replayed(cctx, dl.ID, delivered, msg); err != nil {
				return err
			}
			p.Target = l.p.target.ID
			return ds.Commit(cctx, p.Progress)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
