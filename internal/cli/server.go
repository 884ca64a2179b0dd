package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/app"
	"github.com/vigilsec/vigil/internal/memtarget"
	"github.com/vigilsec/vigil/internal/store/storeopen"
)

// serverFlags are the flags of `vigil server` and `vigil worker`.
type serverFlags struct {
	listen         string
	dataDir        string
	db             string
	tlsCert        string
	tlsKey         string
	updateInterval time.Duration
	rescanInterval time.Duration
	mirror         string
	noEnrich       bool
	workers        int
	rematchBatch   int
	shutdownGrace  time.Duration
	retention      time.Duration
	eventRetention time.Duration
	memoryTarget   string
}

// defaultDataDir returns $XDG_DATA_HOME/vigil, else ~/.local/share/vigil.
func defaultDataDir() string {
	if d := os.Getenv("VIGIL_DATA_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "vigil")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "vigil")
	}
	return filepath.Join(os.TempDir(), "vigil-data")
}

func newServerCmd(g *Globals) *cobra.Command {
	f := &serverFlags{}
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the vigil server: API, scan workers and the advisory updater",
		Long: `Server runs the HTTP API (JSON under /v1, OpenAPI at /v1/openapi.yaml), a pool of scan
workers and the advisory database updater, until SIGINT or SIGTERM; then it stops accepting
requests, lets running scans finish for --shutdown-grace and returns the others to the queue.

The store is SQLite in --data-dir unless --db names a PostgreSQL database. The advisory database
is the CLI's (--db-dir, VIGIL_DB_DIR). On first start with an empty store the server creates the
organisation and its admin account and prints a one-time admin token, or uses the token in
VIGIL_BOOTSTRAP_TOKEN.`,
		Example: `  vigil server --listen 127.0.0.1:8080 --data-dir /var/lib/vigil
  vigil server --listen :8443 --db postgres://vigil@db/vigil --tls-cert cert.pem --tls-key key.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.listen == "" {
				return fmt.Errorf("--listen: required")
			}
			return runServer(cmd, g, f, true)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8080", "API address (host:port)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate (PEM); serve HTTPS with --tls-key")
	fl.StringVar(&f.tlsKey, "tls-key", "", "TLS private key (PEM)")
	fl.DurationVar(&f.updateInterval, "update-interval", 6*time.Hour, "update the advisory database this often (0 disables)")
	fl.DurationVar(&f.rescanInterval, "rescan-interval", 24*time.Hour, "rescan each image whose last scan is older than this (0 disables)")
	fl.StringVar(&f.mirror, "mirror", "", "OSV mirror (URL or directory in bucket layout) for updates")
	fl.BoolVar(&f.noEnrich, "no-enrich", false, "do not download CISA KEV and EPSS with updates")
	fl.DurationVar(&f.retention, "retention", app.DefaultRetention, "keep closed findings this long")
	fl.DurationVar(&f.eventRetention, "event-retention", app.DefaultEventRetention, "keep events this long once every delivery target has passed them")
	serverCommonFlags(cmd, f)
	return cmd
}

func newWorkerCmd(g *Globals) *cobra.Command {
	f := &serverFlags{}
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run extra scan workers against a shared PostgreSQL store",
		Long: `Worker runs only the scan workers, against the PostgreSQL database a server uses, to scale
scanning out. It serves no API and runs no updater; it reads the advisory database in --db-dir,
which must be the server's (a shared volume) or kept current by ` + "`vigil db update`" + `.`,
		Example: `  vigil worker --db postgres://vigil@db/vigil --workers 8`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !storeopen.IsPostgres(f.db) {
				return fmt.Errorf("--db: a postgres:// URL is required (workers share the server's database)")
			}
			return runServer(cmd, g, f, false)
		},
	}
	serverCommonFlags(cmd, f)
	return cmd
}

// defaultWorkers is how many scan workers a server runs. On SQLite one
// writer bounds the rate whatever their number; each holds a batch of up
// to 64 prepared scans, so a fourth worker only added memory: 49.3 against
// 48.9 inventories/s pushing 10,000 hosts, peak RSS 494 against 443 MB
// (BENCHMARKS.md). More workers pay on PostgreSQL or with slow image pulls.
const defaultWorkers = 3

func serverCommonFlags(cmd *cobra.Command, f *serverFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.dataDir, "data-dir", defaultDataDir(), "data directory: SQLite database, layer cache, scratch (env VIGIL_DATA_DIR)")
	fl.StringVar(&f.db, "db", os.Getenv("VIGIL_DATABASE_URL"), "PostgreSQL URL (postgres://…); SQLite in --data-dir when empty (env VIGIL_DATABASE_URL)")
	fl.IntVar(&f.workers, "workers", defaultWorkers, "concurrent scan workers, each taking up to 64 queued scans at once (more: more memory)")
	fl.IntVar(&f.rematchBatch, "rematch-batch", app.DefaultRematchBatch, "inventories one transaction re-matches after an advisory update (larger: fewer writes, more memory)")
	fl.DurationVar(&f.shutdownGrace, "shutdown-grace", 10*time.Second, "how long running jobs may finish after SIGTERM before they are returned to the queue")
	fl.StringVar(&f.memoryTarget, "memory-target", defaultMemoryTarget,
		"memory the Go runtime may use before it collects garbage (larger: less CPU, more memory; 0: Go's default; GOGC or GOMEMLIMIT in the environment take precedence)")
}

// defaultMemoryTarget lets the server's heap grow to memtarget.Default
// (256 MiB) between collections. With Go's default the server collected
// every time its small live heap doubled, several times a second under
// load; with this target it used 3–13% less CPU per inventory on the push
// benchmark, for ≈ 30 MB more resident memory (BENCHMARKS.md, session 8).
var defaultMemoryTarget = humanize.IBytes(memtarget.Default)

// startMemoryTarget applies --memory-target (package memtarget) and
// returns what undoes it.
func startMemoryTarget(g *Globals, spec string) (func(), error) {
	var target uint64
	if spec != "0" {
		n, err := humanize.ParseBytes(spec)
		if err != nil {
			return nil, fmt.Errorf("--memory-target: %w", err)
		}
		target = n
	}
	t, err := memtarget.Start(target)
	var skipped *memtarget.SkippedError
	switch {
	case errors.As(err, &skipped):
		g.Logger.Debug("gc: memory target not applied", "reason", skipped.Reason)
		return func() {}, nil
	case err != nil:
		return nil, err
	}
	g.Logger.Debug("gc: memory target", "bytes", target)
	return t.Stop, nil
}

func runServer(cmd *cobra.Command, g *Globals, f *serverFlags, server bool) error {
	ctx := cmd.Context()
	if f.workers < 1 {
		return fmt.Errorf("--workers: at least 1")
	}
	if f.rematchBatch < 1 {
		return fmt.Errorf("--rematch-batch: at least 1")
	}
	stopTarget, err := startMemoryTarget(g, f.memoryTarget)
	if err != nil {
		return err
	}
	defer stopTarget()
	cfg := app.Config{
		DataDir: f.dataDir, DB: f.db, AdvisoryDir: g.DBDir,
		Workers: f.workers, ShutdownGrace: f.shutdownGrace, RematchBatch: f.rematchBatch,
		Out: g.Stdout, Logger: g.Logger, Version: vigilVersion(),
	}
	cfg.Scan.Index.CacheDir = filepath.Join(f.dataDir, "layers")
	if server {
		cfg.Listen, cfg.TLSCert, cfg.TLSKey = f.listen, f.tlsCert, f.tlsKey
		cfg.UpdateInterval, cfg.RescanInterval = f.updateInterval, f.rescanInterval
		cfg.Retention, cfg.EventRetention = f.retention, f.eventRetention
		cfg.Update = advisory.UpdateOptions{Mirror: f.mirror, NoEnrich: f.noEnrich, Common: advisory.Common{Logger: g.Logger}}
		cfg.BootstrapToken = os.Getenv("VIGIL_BOOTSTRAP_TOKEN")
	} else {
		cfg.NoBootstrap = true
	}
	if err := os.MkdirAll(f.dataDir, 0o700); err != nil {
		return err
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if server {
		scheme := "http"
		if f.tlsCert != "" {
			scheme = "https"
		}
		fmt.Fprintf(g.Stderr, "vigil: serving %s://%s\n", scheme, a.Addr())
	}
	return a.Run(ctx)
}
