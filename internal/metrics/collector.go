package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// storeCollector reads its figures from the database at every scrape, so
// they are never out of step with it.
type storeCollector struct{ o Options }

var (
	descFindings = prometheus.NewDesc("vigil_findings", "Findings by severity and status.", []string{"severity", "status"}, nil)
	descCoverage = prometheus.NewDesc("vigil_resources", "Resources by coverage status and reason.", []string{"coverage_status", "coverage_reason"}, nil)
	descQueued   = prometheus.NewDesc("vigil_jobs_queued", "Queued jobs by kind.", []string{"kind"}, nil)
	descOldest   = prometheus.NewDesc("vigil_jobs_oldest_queued_age_seconds", "Age of the oldest queued job (0 when none).", nil, nil)
	descDead     = prometheus.NewDesc("vigil_dead_letters", "Events on a target's dead-letter list.", []string{"target"}, nil)
	descOutbox   = prometheus.NewDesc("vigil_outbox_events_total", "Events written to the outbox (its last sequence number).", nil, nil)
	descFeedAge  = prometheus.NewDesc("vigil_advisory_feed_age_seconds", "Time since each advisory feed's source was last checked.", []string{"feed"}, nil)
	descUp       = prometheus.NewDesc("vigil_store_up", "1 when the database answered the scrape's queries, else 0.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descFindings, descCoverage, descQueued, descOldest, descDead, descOutbox, descFeedAge, descUp} {
		ch <- d
	}
}

var statuses = []model.FindingStatus{model.StatusActive, model.StatusSuppressed, model.StatusClosed}

// Collect implements prometheus.Collector.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.o.Timeout)
	defer cancel()
	var counts store.Counts
	var last int64
	err := c.o.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if counts, err = tx.Delivery(store.SystemScope()).Counts(ctx); err != nil {
			return err
		}
		last, err = tx.Outbox(store.SystemScope()).Last(ctx)
		return err
	})
	up := 1.0
	if err != nil {
		c.o.Logger.Warn("metrics: cannot count in the database", "err", err)
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
	if err == nil {
		// Every severity and status is reported, zeros included, so a
		// series does not vanish when its last finding closes.
		for _, sev := range model.Severities {
			for _, st := range statuses {
				k := [2]string{string(sev), string(st)}
				ch <- prometheus.MustNewConstMetric(descFindings, prometheus.GaugeValue, float64(counts.Findings[k]), k[0], k[1])
				delete(counts.Findings, k)
			}
		}
		for k, n := range counts.Findings {
			ch <- prometheus.MustNewConstMetric(descFindings, prometheus.GaugeValue, float64(n), k[0], k[1])
		}
		for k, n := range counts.Coverage {
			ch <- prometheus.MustNewConstMetric(descCoverage, prometheus.GaugeValue, float64(n), k[0], k[1])
		}
		for k, n := range counts.Queued {
			ch <- prometheus.MustNewConstMetric(descQueued, prometheus.GaugeValue, float64(n), string(k))
		}
		age := 0.0
		if !counts.OldestQueued.IsZero() {
			age = max(0, c.o.Now().Sub(counts.OldestQueued).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, age)
		for id, n := range counts.DeadLetters {
			ch <- prometheus.MustNewConstMetric(descDead, prometheus.GaugeValue, float64(n), string(id))
		}
		ch <- prometheus.MustNewConstMetric(descOutbox, prometheus.CounterValue, float64(last))
	}
	if c.o.Feeds == nil {
		return
	}
	feeds, err := c.o.Feeds(ctx)
	if err != nil {
		c.o.Logger.Debug("metrics: no advisory feeds", "err", err)
		return
	}
	for _, f := range feeds {
		if f.CheckedAt.IsZero() {
			continue
		}
		ch <- prometheus.MustNewConstMetric(descFeedAge, prometheus.GaugeValue, max(0, c.o.Now().Sub(f.CheckedAt).Seconds()), f.Name)
	}
}
