package metrics_test

import (
	"bufio"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/metrics"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/storeopen"
)

var quiet = slog.New(slog.DiscardHandler)

// scrape fetches url and returns each sample as "name{labels}" → value.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

func obs(id string, sev model.Severity) model.Observation {
	return model.Observation{Type: model.FindingPackageVulnerability, CheckID: id, Title: id, Severity: sev,
		Package: &model.PackageDetail{Vulnerability: model.Vulnerability{ID: id, Severity: sev},
			Package: model.Package{Ecosystem: "npm", Name: "minimist", Version: "1.2.0", Path: "/app/package-lock.json", Manager: "NPM"}}}
}

// TestScrape: the gauges follow findings as they are created and closed,
// and the delivery counters follow the attempts observed.
func TestScrape(t *testing.T) {
	ctx := context.Background()
	st, err := storeopen.Open(ctx, "", t.TempDir(), store.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var res model.Resource
	err = st.InTx(ctx, func(tx store.Tx) error {
		a := tx.Accounts(store.SystemScope())
		org, err := a.CreateOrganization(ctx, "acme")
		if err != nil {
			return err
		}
		acct, err := a.Create(ctx, model.Account{Org: org.ID, Name: "prod"})
		if err != nil {
			return err
		}
		res, _, err = tx.Resources(store.SystemScope()).Upsert(ctx, model.Resource{AccountID: acct.ID, Type: model.ResourceHost, Name: "web-1"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	m := metrics.New(metrics.Options{Store: st, Logger: quiet, Now: func() time.Time { return now },
		Feeds: func(context.Context) ([]metrics.Feed, error) {
			return []metrics.Feed{{Name: "osv/npm", CheckedAt: now.Add(-90 * time.Minute)}}, nil
		}})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	reconcile := func(scan string, o ...model.Observation) {
		t.Helper()
		if err := st.InTx(ctx, func(tx store.Tx) error {
			_, err := finding.Reconcile(ctx, tx, store.SystemScope(), res, scan, "snap-1", o, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	const crit, closedHigh = `vigil_findings{severity="CRITICAL",status="ACTIVE"}`, `vigil_findings{severity="HIGH",status="CLOSED"}`
	pick := func(s map[string]float64, keys ...string) map[string]float64 {
		out := map[string]float64{}
		for _, k := range keys {
			out[k] = s[k]
		}
		return out
	}
	keys := []string{crit, closedHigh, `vigil_findings{severity="HIGH",status="ACTIVE"}`, `vigil_outbox_events_total`,
		`vigil_resources{coverage_reason="PENDING_INITIAL_SCAN",coverage_status="INACTIVE"}`, `vigil_advisory_feed_age_seconds{feed="osv/npm"}`, `vigil_store_up`}
	steps := []struct {
		name string
		do   func()
		want []float64 // in the order of keys
	}{
		{"empty", func() {}, []float64{0, 0, 0, 0, 1, 5400, 1}},
		{"two created", func() { reconcile("s1", obs("CVE-1", model.SeverityCritical), obs("CVE-2", model.SeverityHigh)) }, []float64{1, 0, 1, 2, 1, 5400, 1}},
		{"one closed", func() { reconcile("s2", obs("CVE-1", model.SeverityCritical)) }, []float64{1, 1, 0, 3, 1, 5400, 1}},
	}
	for _, s := range steps {
		s.do()
		want := map[string]float64{}
		for i, k := range keys {
			want[k] = s.want[i]
		}
		if diff := cmp.Diff(want, pick(scrape(t, srv.URL), keys...)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", s.name, diff)
		}
	}
	m.ObserveDelivery(delivery.Attempt{Target: "tgt-1", Kind: store.TargetWebhook, Outcome: store.OutcomeFailed, Duration: time.Millisecond})
	m.ObserveDelivery(delivery.Attempt{Target: "tgt-1", Kind: store.TargetWebhook, Outcome: store.OutcomeDelivered, Duration: time.Millisecond})
	m.ObserveScan("scan", false, 2*time.Second)
	got := pick(scrape(t, srv.URL), `vigil_deliveries_total{kind="webhook",outcome="delivered",target="tgt-1"}`,
		`vigil_delivery_failures_total{kind="webhook",target="tgt-1"}`, `vigil_scan_duration_seconds_count{kind="scan",outcome="ok"}`,
		`vigil_scan_duration_seconds_bucket{kind="scan",outcome="ok",le="2.5"}`, `vigil_scan_duration_seconds_bucket{kind="scan",outcome="ok",le="1"}`)
	want := map[string]float64{`vigil_deliveries_total{kind="webhook",outcome="delivered",target="tgt-1"}`: 1,
		`vigil_delivery_failures_total{kind="webhook",target="tgt-1"}`: 1, `vigil_scan_duration_seconds_count{kind="scan",outcome="ok"}`: 1,
		`vigil_scan_duration_seconds_bucket{kind="scan",outcome="ok",le="2.5"}`: 1, `vigil_scan_duration_seconds_bucket{kind="scan",outcome="ok",le="1"}`: 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
}
