package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/console"
	"github.com/vigilsec/vigil/internal/job"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/report"
	"github.com/vigilsec/vigil/internal/scan"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/storeopen"
)

// Config configures an App.
type Config struct {
	// Listen is the API's address (host:port); empty runs no API (worker
	// mode).
	Listen string
	// TLSCert and TLSKey, both set, make the API serve HTTPS.
	TLSCert, TLSKey string
	// DataDir holds the SQLite database (when DB is empty) and scratch
	// files.
	DataDir string
	// DB is a postgres:// URL; empty means SQLite in DataDir.
	DB string
	// AdvisoryDir is the advisory database directory (the CLI's --db-dir).
	AdvisoryDir string
	// UpdateInterval runs the advisory updater that often; 0 runs none.
	UpdateInterval time.Duration
	// Update configures each update (Mirror, NoEnrich, source URLs).
	Update advisory.UpdateOptions
	// MaintainInterval is how often suppression rules are re-evaluated
	// (expiry) and old closed findings purged; DefaultMaintainInterval
	// when zero.
	MaintainInterval time.Duration
	// Retention is how long closed findings are kept; DefaultRetention
	// when zero.
	Retention time.Duration
	// EventRetention is how long events are kept in the outbox once every
	// delivery target has passed them; DefaultEventRetention when zero.
	EventRetention time.Duration
	// RescanInterval queues a scan of every image whose last scan is
	// older than this (images change under their tags and their base
	// layers get rebuilt); 0 disables scheduled rescans.
	RescanInterval time.Duration
	// RematchBatch is how many inventories one transaction of a rematch
	// after an advisory update reconciles; DefaultRematchBatch when zero.
	RematchBatch int
	// Workers is the number of concurrent job handlers; 0 means 4, a
	// negative number runs no workers.
	Workers int
	// LeaseTTL, Poll and ShutdownGrace tune the worker pool (zero: the
	// pool's defaults).
	LeaseTTL, Poll, ShutdownGrace time.Duration
	// Scan configures indexing (layer cache, limits, registry access).
	Scan scan.Options
	// BootstrapToken, when set, is the admin token created on first start
	// instead of a random one.
	BootstrapToken string
	// NoBootstrap skips the first-start bootstrap (workers).
	NoBootstrap bool
	// Out receives the one-time bootstrap message; io.Discard when nil.
	Out io.Writer
	// Version names vigil in exported SBOMs.
	Version string
	// Logger receives the server's logs; slog.Default() when nil.
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Delivery configures event delivery and /metrics.
	Delivery DeliveryConfig
}

// Bootstrap is what the first start created.
type Bootstrap struct {
	Organization model.OrganizationID
	Account      model.AccountID
	TokenID      model.TokenID
	// Token is the admin token's secret.
	Token string
}

// App is a running vigil server (or worker).
type App struct {
	cfg     Config
	log     *slog.Logger
	store   store.Store
	db      *advisory.DB
	matcher *matcher
	api     *api.Server
	pool    *job.Pool
	ln      net.Listener
	boot    *Bootstrap
	// delivery is the event relay and the metrics (servers only).
	delivery *deliveryParts

	extractions atomic.Int64
	matched     atomic.Int64
	updates     atomic.Int64
	// pending holds the updates whose rematch has not ended.
	pending pendingUpdates
	// dictsPruned is when the maintenance loop last pruned the findings'
	// content dictionaries (the app's start before the first time).
	dictsPruned time.Time
}

// New opens the store and the advisory database, bootstraps an empty store
// and binds the API's listener (so Addr is known before Run).
func New(ctx context.Context, cfg Config) (*App, error) {
	a := &App{cfg: cfg, log: cfg.Logger}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.cfg.Now == nil {
		a.cfg.Now = time.Now
	}
	a.dictsPruned = a.now()
	if a.cfg.Out == nil {
		a.cfg.Out = io.Discard
	}
	if cfg.AdvisoryDir == "" {
		return nil, &ConfigError{Field: "advisory directory", Reason: "required"}
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return nil, &ConfigError{Field: "tls", Reason: "give both a certificate and a key"}
	}
	var err error
	if a.db, err = advisory.Open(cfg.AdvisoryDir); err != nil {
		return nil, err
	}
	a.matcher = &matcher{db: a.db, log: a.log}
	if a.store, err = storeopen.Open(ctx, cfg.DB, cfg.DataDir, store.Options{Logger: a.log, Clock: cfg.Now}); err != nil {
		return nil, err
	}
	a.setupDelivery()
	fail := func(err error) (*App, error) {
		a.Close()
		return nil, err
	}
	if !cfg.NoBootstrap {
		if a.boot, err = bootstrap(ctx, a.store, cfg.BootstrapToken); err != nil {
			return fail(fmt.Errorf("bootstrap: %w", err))
		}
		if a.boot != nil {
			a.announce()
		}
	}
	if cfg.Workers >= 0 {
		n := cfg.Workers
		if n == 0 {
			n = 4
		}
		a.pool, err = job.New(job.Config{
			Queue: a.store.Queue(),
			Handlers: a.timedHandlers(map[model.JobKind]job.Handler{
				api.KindScan:       job.Batch{One: a.handleScan, Many: a.handleScanBatch, Max: scanBatchMax},
				api.KindRematch:    job.HandlerFunc(a.handleRematchAndAnnounce),
				api.KindScanConfig: job.HandlerFunc(a.handleScanConfig),
			}),
			Concurrency: n, LeaseTTL: cfg.LeaseTTL, Poll: cfg.Poll, ShutdownGrace: cfg.ShutdownGrace, Logger: a.log,
		})
		if err != nil {
			return fail(err)
		}
	}
	if cfg.Listen != "" {
		a.api = api.New(api.Config{
			Store: a.store, Logger: a.log, Now: cfg.Now, Notify: a.notify, Ready: a.ready,
			Index: a.extract, TempDir: cfg.Scan.Index.TempDir,
			Generator: report.Generator{Name: "vigil", Version: cfg.Version}, Database: a.databaseStatus,
			AllowCommandTargets: a.commandTargetsAllowed(),
		})
		if a.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			return fail(err)
		}
	}
	return a, nil
}

// ConfigError says a setting is unusable.
type ConfigError struct {
	Field  string
	Reason string
}

func (e *ConfigError) Error() string { return e.Field + ": " + e.Reason }

// Addr returns the API's address once New returned ("" in worker mode).
func (a *App) Addr() string {
	if a.ln == nil {
		return ""
	}
	return a.ln.Addr().String()
}

// Bootstrap returns what the first start created, or nil when the store
// was not empty.
func (a *App) Bootstrap() *Bootstrap { return a.boot }

// Store returns the app's store.
func (a *App) Store() store.Store { return a.store }

// Stats counts what the app did.
type Stats struct {
	// Extractions counts indexing runs (image pulls, function uploads).
	Extractions int64
	// Matched counts inventories matched (scans and rematches).
	Matched int64
	// Updates counts advisory updates that produced a new snapshot.
	Updates int64
	// Pool is the worker pool's counters.
	Pool job.Stats
}

// Stats returns the app's counters.
func (a *App) Stats() Stats {
	s := Stats{Extractions: a.extractions.Load(), Matched: a.matched.Load(), Updates: a.updates.Load()}
	if a.pool != nil {
		s.Pool = a.pool.Stats()
	}
	return s
}

// Run serves until ctx is cancelled, then shuts down gracefully: the API
// stops accepting requests and finishes those in flight, the pool releases
// the jobs it cannot finish. It returns the first failure of a component.
func (a *App) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	if a.ln != nil {
		// The web console serves "/" and /console/; everything else is the API.
		handler, err := console.New(a.api)
		if err != nil {
			return err
		}
		srv := &http.Server{
			Handler:           a.withMetrics(handler),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		}
		g.Go(func() error {
			var err error
			if a.cfg.TLSCert != "" {
				srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
				err = srv.ServeTLS(a.ln, a.cfg.TLSCert, a.cfg.TLSKey)
			} else {
				err = srv.Serve(a.ln)
			}
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return err
		})
		g.Go(func() error {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		})
	}
	if a.pool != nil {
		g.Go(func() error { return a.pool.Run(ctx) })
	}
	if a.cfg.UpdateInterval > 0 {
		g.Go(func() error { return a.runUpdater(ctx) })
	}
	if a.ln != nil {
		g.Go(func() error { return a.runMaintenance(ctx) })
		g.Go(func() error { return a.runDelivery(ctx) })
	}
	a.log.Info("vigil running", "addr", a.Addr(), "workers", a.pool != nil, "updater", a.cfg.UpdateInterval)
	return g.Wait()
}

// Close releases the store and the advisory snapshots. Call it after Run
// returned.
func (a *App) Close() error {
	if a.ln != nil {
		a.ln.Close()
	}
	a.matcher.close()
	if a.store != nil {
		return a.store.Close()
	}
	return nil
}

func (a *App) notify() {
	if a.pool != nil {
		a.pool.Notify()
	}
}

// ready says whether scans can be matched: an advisory snapshot exists.
func (a *App) ready(ctx context.Context) error {
	if _, _, err := a.matcher.get(ctx, ""); err != nil {
		return fmt.Errorf("no advisory database yet: %w", err)
	}
	return nil
}

// extract indexes a target, counting the extraction.
func (a *App) extract(ctx context.Context, req scan.Request) (*model.Inventory, error) {
	a.extractions.Add(1)
	return scan.Inventory(ctx, req, a.cfg.Scan)
}

func (a *App) now() time.Time { return a.cfg.Now().UTC().Truncate(time.Microsecond) }
