package app

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/job"
	"github.com/vigilsec/vigil/internal/metrics"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// DeliveryConfig configures event delivery and monitoring.
type DeliveryConfig struct {
	// Region names this installation in the events it delivers
	// (VIGIL_REGION, else "local", when empty).
	Region string
	// Poll is how often the relay looks for events no commit announced
	// (written by another process); 500 ms when zero.
	Poll time.Duration
	// AllowCommands lets command targets run programs on this server.
	// When false, VIGIL_ALLOW_COMMAND_TARGETS=1 in the environment turns
	// it on.
	AllowCommands bool
	// MetricsPublic serves /metrics without a token; by default it needs
	// an admin token.
	MetricsPublic bool
}

// deliveryParts is the relay and the metrics of a server.
type deliveryParts struct {
	relay   *delivery.Relay
	metrics *metrics.Metrics
}

// notifyStore wakes the relay after every committed write, so an event is
// delivered as soon as the transaction that wrote it commits.
type notifyStore struct {
	store.Store
	notify func()
}

// InTx implements store.Store.
func (s *notifyStore) InTx(ctx context.Context, fn func(tx store.Tx) error) error {
	err := s.Store.InTx(ctx, fn)
	if err == nil {
		s.notify()
	}
	return err
}

// InTxGrouped implements store.Store.
func (s *notifyStore) InTxGrouped(ctx context.Context, fn func(tx store.Tx) error) error {
	err := s.Store.InTxGrouped(ctx, fn)
	if err == nil {
		s.notify()
	}
	return err
}

// setupDelivery builds the relay and the metrics and makes the app's
// store announce commits to the relay. Workers without an API deliver
// nothing: the server's relay polls for their events.
func (a *App) setupDelivery() {
	if a.cfg.Listen == "" {
		return
	}
	dc := a.cfg.Delivery
	if dc.Region == "" {
		dc.Region = os.Getenv("VIGIL_REGION")
	}
	allow := a.commandTargetsAllowed()
	d := &deliveryParts{}
	d.metrics = metrics.New(metrics.Options{Store: a.store, Logger: a.log, Now: a.cfg.Now, Feeds: a.feeds})
	// A restarted server takes its targets' leases back at once: its
	// owner name is its host and data directory.
	host, _ := os.Hostname()
	dir, _ := filepath.Abs(a.cfg.DataDir)
	d.relay = delivery.New(delivery.Options{Store: a.store, Logger: a.log, Region: dc.Region, Poll: dc.Poll,
		AllowCommands: allow, Observe: d.metrics.ObserveDelivery, Owner: host + ":" + dir})
	a.store = &notifyStore{Store: a.store, notify: d.relay.Notify}
	a.delivery = d
}

// commandTargetsAllowed reports whether command targets may run here:
// Config.Delivery.AllowCommands or VIGIL_ALLOW_COMMAND_TARGETS=1.
func (a *App) commandTargetsAllowed() bool {
	return a.cfg.Delivery.AllowCommands || os.Getenv("VIGIL_ALLOW_COMMAND_TARGETS") == "1"
}

// feeds lists the advisory feeds for the metrics.
func (a *App) feeds(ctx context.Context) ([]metrics.Feed, error) {
	st, err := a.db.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]metrics.Feed, 0, len(st.Feeds))
	for _, f := range st.Feeds {
		out = append(out, metrics.Feed{Name: f.Name, CheckedAt: f.CheckedAt})
	}
	return out, nil
}

// runDelivery runs the relay until ctx ends.
func (a *App) runDelivery(ctx context.Context) error {
	if a.delivery == nil {
		return nil
	}
	return a.delivery.relay.Run(ctx)
}

// timedHandlers wraps the job handlers so their durations reach the
// metrics.
func (a *App) timedHandlers(hs map[model.JobKind]job.Handler) map[model.JobKind]job.Handler {
	if a.delivery == nil {
		return hs
	}
	out := make(map[model.JobKind]job.Handler, len(hs))
	for k, h := range hs {
		one := job.HandlerFunc(func(ctx context.Context, j model.Job) error {
			start := time.Now()
			err := h.Handle(ctx, j)
			a.delivery.metrics.ObserveScan(string(k), err != nil, time.Since(start))
			return err
		})
		out[k] = one
		if bh, ok := h.(job.BatchHandler); ok {
			// Each job of a batch took the batch's time.
			out[k] = job.Batch{One: one, Max: bh.MaxBatch(), Many: func(ctx context.Context, leases []*model.Lease) []error {
				start := time.Now()
				errs := bh.HandleBatch(ctx, leases)
				took := time.Since(start)
				for _, err := range errs {
					a.delivery.metrics.ObserveScan(string(k), err != nil, took)
				}
				return errs
			}}
		}
	}
	return out
}

// withMetrics serves GET /metrics in front of h: to an admin token, or to
// anyone with MetricsPublic.
func (a *App) withMetrics(h http.Handler) http.Handler {
	if a.delivery == nil {
		return h
	}
	m := a.delivery.metrics.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			h.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if !a.cfg.Delivery.MetricsPublic {
			if status := a.metricsAccess(r); status != http.StatusOK {
				w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
				http.Error(w, http.StatusText(status), status)
				return
			}
		}
		m.ServeHTTP(w, r)
	})
}

// metricsAccess checks the request's bearer token: an admin token may
// read the metrics (they cover every account).
func (a *App) metricsAccess(r *http.Request) int {
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return http.StatusUnauthorized
	}
	ctx := r.Context()
	var t model.Token
	err := a.store.View(ctx, func(tx store.Tx) error {
		var err error
		t, err = tx.Tokens(store.SystemScope()).Lookup(ctx, store.HashToken(strings.TrimSpace(secret)))
		return err
	})
	switch {
	case err != nil || !t.Usable(a.now()):
		return http.StatusUnauthorized
	case t.Role != model.RoleAdmin:
		return http.StatusForbidden
	}
	return http.StatusOK
}
