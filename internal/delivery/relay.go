package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/event/pattern"
	"github.com/vigilsec/vigil/internal/store"
)

// Options configure a Relay.
type Options struct {
	// Store is the database; required.
	Store store.Store
	// Logger receives delivery failures; slog.Default() when nil.
	Logger *slog.Logger
	// Region names this installation in envelopes; "local" when empty.
	Region string
	// Poll is how often targets look for events without a notification,
	// and how often the configuration is checked; 500 ms when zero.
	Poll time.Duration
	// Batch is how many events a target reads at once; 500 when zero.
	Batch int
	// Client sends webhook, Slack and forward requests; a client with
	// no redirects when nil.
	Client *http.Client
	// AllowCommands lets command targets run; without it they fail.
	AllowCommands bool
	// Observe, when set, is called after every attempt (metrics).
	Observe func(Attempt)
	// Retention is how long delivery attempts are kept; 7 days when
	// zero.
	Retention time.Duration
	// Owner names this relay in target leases; a restarted relay with
	// the same owner takes its targets back at once. Random when empty.
	Owner string
	// LeaseTTL is how long a target's lease lasts without renewal (how
	// long another relay waits after this one dies); 15 s when zero.
	LeaseTTL time.Duration
}

// Attempt is what Observe learns of one attempt.
type Attempt struct {
	Target   store.TargetID
	Kind     store.TargetKind
	Outcome  string
	Duration time.Duration
}

// Relay delivers the outbox to the targets of the event rules.
type Relay struct {
	o       Options
	log     *slog.Logger
	wake    chan struct{}
	version int64
	lanes   map[store.TargetID]*lane
	pruned  time.Time
	// mu guards lanes against Lanes() readers.
	mu sync.Mutex
}

// New returns a relay; Run starts it.
func New(o Options) *Relay {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Region == "" {
		o.Region = "local"
	}
	if o.Poll <= 0 {
		o.Poll = 500 * time.Millisecond
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Client == nil {
		o.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.Retention <= 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	if o.Owner == "" {
		o.Owner = store.NewID("relay")
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 15 * time.Second
	}
	return &Relay{o: o, log: o.Logger, wake: make(chan struct{}, 1), version: -1, lanes: map[store.TargetID]*lane{}}
}

// Notify wakes the relay: events were committed. It never blocks.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is cancelled; the targets' loops stop with it.
func (r *Relay) Run(ctx context.Context) error {
	t := time.NewTicker(r.o.Poll)
	defer t.Stop()
	defer r.stopAll()
	for {
		if err := r.sync(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("delivery: cannot load rules and targets", "err", err)
		}
		r.mu.Lock()
		for _, l := range r.lanes {
			l.notify()
		}
		r.mu.Unlock()
		r.prune(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
		case <-t.C:
		}
	}
}

func (r *Relay) stopAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, l := range r.lanes {
		l.stop()
		delete(r.lanes, id)
	}
}

// prune deletes old delivery attempts once an hour.
func (r *Relay) prune(ctx context.Context) {
	now := time.Now()
	if now.Sub(r.pruned) < time.Hour {
		return
	}
	r.pruned = now
	err := r.o.Store.InTx(ctx, func(tx store.Tx) error {
		_, err := tx.Delivery(store.SystemScope()).PruneDeliveries(ctx, now.Add(-r.o.Retention))
		return err
	})
	if err != nil && ctx.Err() == nil {
		r.log.Warn("delivery: cannot prune the attempt log", "err", err)
	}
}

// plan is what a target's loop runs with.
type plan struct {
	target store.Target
	cfg    Config
	snd    sender
	set    *pattern.Set
	// sig changes when the target or one of its rules does.
	sig string
}

// sync reloads targets and rules when their version moved, and restarts
// the loops whose plan changed.
func (r *Relay) sync(ctx context.Context) error {
	var v int64
	var targets []store.Target
	var rules []store.EventRule
	err := r.o.Store.View(ctx, func(tx store.Tx) error {
		d := tx.Delivery(store.SystemScope())
		var err error
		if v, err = d.Version(ctx); err != nil || v == r.version {
			return err
		}
		if targets, err = listAll(func(after string) ([]store.Target, error) {
			return d.ListTargets(ctx, store.TargetID(after), 1000)
		}, func(t store.Target) string { return string(t.ID) }); err != nil {
			return err
		}
		rules, err = listAll(func(after string) ([]store.EventRule, error) {
			return d.ListRules(ctx, store.RuleID(after), 1000)
		}, func(r store.EventRule) string { return string(r.ID) })
		return err
	})
	if err != nil || v == r.version {
		return err
	}
	plans := r.plans(targets, rules)
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, l := range r.lanes {
		if p, ok := plans[id]; !ok || p.sig != l.p.sig {
			l.stop()
			delete(r.lanes, id)
		}
	}
	for id, p := range plans {
		if _, ok := r.lanes[id]; !ok {
			r.lanes[id] = r.start(ctx, p)
		}
	}
	r.version = v
	return nil
}

func listAll[T any](page func(after string) ([]T, error), key func(T) string) ([]T, error) {
	var out []T
	after := ""
	for {
		xs, err := page(after)
		if err != nil || len(xs) == 0 {
			return out, err
		}
		out = append(out, xs...)
		after = key(xs[len(xs)-1])
	}
}

// plans compiles each target's rules into a pattern set. A target no
// enabled rule names still runs: its cursor moves past the events it does
// not receive, so enabling a rule later does not deliver old events.
func (r *Relay) plans(targets []store.Target, rules []store.EventRule) map[store.TargetID]*plan {
	byID := map[store.TargetID]*plan{}
	for _, t := range targets {
		cfg, err := ParseConfig(t.Kind, t.Config)
		var snd sender
		if err == nil {
			snd, err = newSender(&t, &cfg, r.o.Client, r.o.AllowCommands)
		}
		if err != nil {
			r.log.Warn("delivery: target unusable", "target", t.ID, "err", err)
			continue
		}
		byID[t.ID] = &plan{target: t, cfg: cfg, snd: snd, set: pattern.NewSet(),
			sig: fmt.Sprintf("%s|%d", t.ID, t.UpdatedAt.UnixMicro())}
	}
	for _, ru := range rules {
		if !ru.Enabled {
			continue
		}
		p, err := pattern.Compile([]byte(ru.Pattern))
		if err != nil {
			r.log.Warn("delivery: rule pattern does not compile", "rule", ru.ID, "err", err)
			continue
		}
		for _, tid := range ru.Targets {
			pl := byID[tid]
			if pl == nil || pl.target.AccountID != ru.AccountID {
				continue
			}
			pl.set.Add(string(ru.ID), p)
			pl.sig += fmt.Sprintf("|%s@%d", ru.ID, ru.UpdatedAt.UnixMicro())
		}
	}
	return byID
}

// Targets lists the targets the relay is delivering to, sorted.
func (r *Relay) Targets() []store.TargetID {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []store.TargetID
	for id := range r.lanes {
		out = append(out, id)
	}
	slices.SortFunc(out, func(a, b store.TargetID) int { return strings.Compare(string(a), string(b)) })
	return out
}
