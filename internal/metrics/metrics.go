package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/store"
)

// Feed is an advisory feed and when its source was last checked.
type Feed struct {
	Name      string
	CheckedAt time.Time
}

// Options configure a Metrics.
type Options struct {
	// Store is the database the gauges are counted in; required.
	Store store.Store
	// Feeds lists the advisory feeds; nil reports none.
	Feeds func(ctx context.Context) ([]Feed, error)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives scrape failures; slog.Default() when nil.
	Logger *slog.Logger
	// Timeout bounds the database queries of one scrape; 5 s when zero.
	Timeout time.Duration
}

// Metrics is the registry of one server process.
type Metrics struct {
	reg        *prometheus.Registry
	scans      *prometheus.HistogramVec
	deliveries *prometheus.CounterVec
	failures   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
}

// New builds the registry: the store collector, the process's counters,
// and the Go runtime and process collectors.
func New(o Options) *Metrics {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		scans: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigil_scan_duration_seconds", Help: "Duration of scan and rematch jobs run by this process.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600},
		}, []string{"kind", "outcome"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_deliveries_total", Help: "Delivery attempts by target and outcome (delivered, failed, dead-lettered).",
		}, []string{"target", "kind", "outcome"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_delivery_failures_total", Help: "Failed delivery attempts by target (retried or dead-lettered).",
		}, []string{"target", "kind"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigil_delivery_duration_seconds", Help: "Duration of delivery attempts by target kind.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"kind"}),
	}
	m.reg.MustRegister(m.scans, m.deliveries, m.failures, m.latency,
		&storeCollector{o: o},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry (to gather in tests or add collectors).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// ObserveScan records a job's duration; outcome is "ok" or "error".
func (m *Metrics) ObserveScan(kind string, failed bool, d time.Duration) {
	outcome := "ok"
	if failed {
		outcome = "error"
	}
	m.scans.WithLabelValues(kind, outcome).Observe(d.Seconds())
}

// ObserveDelivery records one delivery attempt (delivery.Options.Observe).
func (m *Metrics) ObserveDelivery(a delivery.Attempt) {
	m.deliveries.WithLabelValues(string(a.Target), string(a.Kind), a.Outcome).Inc()
	if a.Outcome != store.OutcomeDelivered {
		m.failures.WithLabelValues(string(a.Target), string(a.Kind)).Inc()
	}
	m.latency.WithLabelValues(string(a.Kind)).Observe(a.Duration.Seconds())
}
