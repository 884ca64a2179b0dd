package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/report"
	"github.com/vigilsec/vigil/internal/scan"
	"github.com/vigilsec/vigil/internal/store"
)

// Job kinds the API enqueues and the workers run.
const (
	KindScan    model.JobKind = "scan"
	KindRematch model.JobKind = "rematch"
)

// ScanPayload is the payload of a scan job.
type ScanPayload struct {
	ResourceID model.ResourceID `json:"resourceId"`
	// Reason says why the scan was requested ("registered", "requested",
	// "inventory").
	Reason string `json:"reason,omitempty"`
}

// Body size limits.
const (
	// MaxJSONBody bounds ordinary JSON requests.
	MaxJSONBody = 1 << 20
	// MaxInventoryBody bounds a pushed host inventory.
	MaxInventoryBody = 64 << 20
	// MaxUploadBody bounds an uploaded SBOM or function package.
	MaxUploadBody = 256 << 20
)

// Config configures a Server.
type Config struct {
	// Store is the database; required.
	Store store.Store
	// Logger receives request logs; slog.Default() when nil.
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Notify is called after jobs were enqueued, to wake idle workers.
	Notify func()
	// Ready reports whether the server can do its work (the advisory
	// database is loaded, …); /readyz answers 503 with its error.
	Ready func(ctx context.Context) error
	// Index indexes an uploaded function package; uploads answer 501
	// when nil.
	Index func(ctx context.Context, req scan.Request) (*model.Inventory, error)
	// TempDir receives uploads while they are indexed; os.TempDir() when
	// empty.
	TempDir string
	// Generator names vigil in exported SBOMs.
	Generator report.Generator
	// Database reports the advisory database's freshness for the
	// dashboard; the dashboard leaves it out when nil.
	Database func(ctx context.Context) (DatabaseStatus, error)
	// AllowCommandTargets accepts command targets (programs run on the
	// server); without it creating one is refused, since it would never run.
	AllowCommandTargets bool
}

// Server is the HTTP API.
type Server struct {
	store   store.Store
	log     *slog.Logger
	clock   func() time.Time
	notify  func()
	ready   func(ctx context.Context) error
	index   func(ctx context.Context, req scan.Request) (*model.Inventory, error)
	tempDir string
	gen     report.Generator
	mux     *http.ServeMux
	// dbStatus is Config.Database.
	dbStatus func(ctx context.Context) (DatabaseStatus, error)
	// allowCommands is Config.AllowCommandTargets.
	allowCommands bool
	routes        []Route
}

// New returns a Server with every route registered.
func New(cfg Config) *Server {
	s := &Server{
		store: cfg.Store, log: cfg.Logger, clock: cfg.Now, notify: cfg.Notify, ready: cfg.Ready,
		index: cfg.Index, tempDir: cfg.TempDir, gen: cfg.Generator, dbStatus: cfg.Database,
		allowCommands: cfg.AllowCommandTargets,
		mux:           http.NewServeMux(),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.notify == nil {
		s.notify = func() {}
	}
	for _, rt := range s.table() {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(s.guard(rt.Access, rt.handler)))
		s.routes = append(s.routes, rt)
	}
	s.mux.Handle("/", s.wrap(func(r *http.Request) (any, error) {
		return nil, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no such route: " + r.Method + " " + r.URL.Path}
	}))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Routes lists the registered routes.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

func (s *Server) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// viewValue runs fn in a read-only transaction and returns its value: the
// shape of every handler that reads one thing.
func viewValue[T any](ctx context.Context, st store.Store, fn func(tx store.Tx) (T, error)) (T, error) {
	var v T
	err := st.View(ctx, func(tx store.Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v, err
}

// pageOf turns one page of stored items into their views (never nil, so
// an empty page is `[]` in JSON) and the cursor of the next page: the last
// item's id when the page is full, "" otherwise.
func pageOf[T, V any](items []T, limit int, view func(T) V, id func(T) string) ([]V, string) {
	out := make([]V, 0, len(items))
	for _, it := range items {
		out = append(out, view(it))
	}
	if len(items) == limit && limit > 0 {
		return out, id(items[len(items)-1])
	}
	return out, ""
}
