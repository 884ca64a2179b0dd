package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// pkgObs builds a package observation.
func pkgObs(cve, name, version string, sev model.Severity, cvss float64, fixed string) model.Observation {
	v := model.Vulnerability{ID: cve, Severity: sev, SeveritySource: "cvss", FixState: model.FixStateNotFixed,
		Evidence: []model.Evidence{{Advisory: "GHSA-" + cve, Feed: "osv/npm"}}}
	if cvss > 0 {
		v.CVSS = []model.CVSS{{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BaseScore: cvss, Source: "osv"}}
	}
	if fixed != "" {
		v.FixedIn, v.FixState = &fixed, model.FixStateFixed
	}
	return model.Observation{Type: model.FindingPackageVulnerability, CheckID: cve, Title: cve + " - " + name,
		Description: "a flaw in " + name, Severity: sev, Remediation: "upgrade",
		Package: &model.PackageDetail{Vulnerability: v, Package: model.Package{Ecosystem: "npm", Name: name, Version: version,
			Path: "/app/package-lock.json", Manager: "NPM"}}}
}

func netObs(port int) model.Observation {
	return model.Observation{Type: model.FindingNetworkReachability, CheckID: "vigil/port-open",
		Title: fmt.Sprintf("Port %d is reachable from the internet - TCP", port), Severity: model.SeverityMedium,
		Network: &model.NetworkDetail{Protocol: "TCP", Ports: model.PortRange{Begin: port, End: port}, From: "internet",
			Steps: []model.PathStep{{ComponentID: "igw-1", ComponentType: "InternetGateway"}}}}
}

func codeObs(file string, line int) model.Observation {
	return model.Observation{Type: model.FindingCodeVulnerability, CheckID: "CWE-798", Title: "CWE-798 - Hardcoded credentials",
		Severity: model.SeverityHigh, Code: &model.CodeDetail{CWEs: []string{"CWE-798"}, RuleID: "secrets/aws-key", FilePath: file, StartLine: line}}
}

// lifecycleEnv is a store with one host of account B.
type lifecycleEnv struct {
	*env
	host model.Resource
}

func setupLifecycle(t *testing.T, nb NewBackend) *lifecycleEnv {
	t.Helper()
	e := setup(t, nb)
	le := &lifecycleEnv{env: e}
	e.tx(t, func(tx store.Tx) error {
		var err error
		le.host, _, err = tx.Resources(store.AccountScope(e.b.ID)).Upsert(context.Background(),
			model.Resource{AccountID: e.b.ID, Type: model.ResourceHost, Name: "web-1", Tags: map[string]string{"Env": "Prod"}})
		return err
	})
	return le
}

// reconcile runs one scan of r in its own transaction.
func (le *lifecycleEnv) reconcile(t *testing.T, r model.Resource, scan string, obs ...model.Observation) finding.Delta {
	t.Helper()
	var d finding.Delta
	le.tx(t, func(tx store.Tx) error {
		var err error
		d, err = finding.Reconcile(context.Background(), tx, store.SystemScope(), r, scan, "snap-1", obs, le.clock.Now())
		return err
	})
	return d
}

func (le *lifecycleEnv) apply(t *testing.T) finding.Delta {
	t.Helper()
	var d finding.Delta
	le.tx(t, func(tx store.Tx) error {
		var err error
		d, err = finding.ApplySuppressionRules(context.Background(), tx, store.SystemScope(), le.clock.Now())
		return err
	})
	return d
}

// eventsSince returns the outbox events after seq as "type subject" and
// their decoded details, checking that sequence numbers are gap-free.
func (le *lifecycleEnv) eventsSince(t *testing.T, seq int64) ([]string, []event.Finding) {
	t.Helper()
	var out []string
	var details []event.Finding
	le.view(t, func(tx store.Tx) error {
		evs, err := tx.Outbox(store.SystemScope()).List(context.Background(), seq, 0)
		if err != nil {
			return err
		}
		for i, ev := range evs {
			if ev.Seq != seq+int64(i)+1 {
				t.Errorf("event %d has seq %d, want %d (gap)", i, ev.Seq, seq+int64(i)+1)
			}
			var d event.Finding
			if err := json.Unmarshal(ev.Payload, &d); err != nil {
				return fmt.Errorf("event %d payload: %w", ev.Seq, err)
			}
			if _, ok := finding.DetailTypeOf(ev.Type); !ok {
				t.Errorf("event type %q has no detail-type", ev.Type)
			}
			out = append(out, ev.Type+" "+ev.Subject)
			details = append(details, d)
		}
		return nil
	})
	return out, details
}

func (le *lifecycleEnv) lastSeq(t *testing.T) int64 {
	t.Helper()
	var n int64
	le.view(t, func(tx store.Tx) error {
		var err error
		n, err = tx.Outbox(store.SystemScope()).Last(context.Background())
		return err
	})
	return n
}

func (le *lifecycleEnv) get(t *testing.T, id model.FindingID) model.Finding {
	t.Helper()
	var f model.Finding
	le.view(t, func(tx store.Tx) error {
		var err error
		f, err = tx.Findings(store.SystemScope()).Get(context.Background(), id)
		return err
	})
	return f
}

func idOf(r model.Resource, o model.Observation) model.FindingID {
	return finding.ID(r.AccountID, r.ID, &o)
}

// testFindingLifecycle walks findings of every type through create,
// observe again, change, close and reopen, checking statuses, times and
// the outbox.
func testFindingLifecycle(t *testing.T, nb NewBackend) {
	le := setupLifecycle(t, nb)
	h := le.host
	lodash := pkgObs("CVE-2021-23337", "lodash", "4.17.20", model.SeverityHigh, 7.2, "4.17.21")
	minimist := pkgObs("CVE-2021-44906", "minimist", "1.2.0", model.SeverityCritical, 9.8, "")
	port := netObs(22)
	secret := codeObs("/app/config.js", 12)
	all := []model.Observation{lodash, minimist, port, secret}
	ids := make([]model.FindingID, len(all))
	for i, o := range all {
		ids[i] = idOf(h, o)
	}
	t0 := le.clock.Now()

	// 1. New: ACTIVE, one finding.created each.
	d := le.reconcile(t, h, "scan-1", append(all, lodash)...) // a duplicate counts once
	want := finding.Delta{Created: 4, Events: 4, Open: model.SeverityCounts{Critical: 1, High: 2, Medium: 1, Total: 4}}
	if diff := gocmp.Diff(want, d); diff != "" {
		t.Errorf("scan 1 delta (-want +got):\n%s", diff)
	}
	evs, details := le.eventsSince(t, 0)
	wantEvs := []string{"finding.created " + string(ids[0]), "finding.created " + string(ids[1]),
		"finding.created " + string(ids[2]), "finding.created " + string(ids[3])}
	if diff := gocmp.Diff(wantEvs, evs); diff != "" {
		t.Errorf("scan 1 events (-want +got):\n%s", diff)
	}
	if len(details) > 0 && (details[0].Status != "ACTIVE" || details[0].Title != "CVE-2021-23337 - lodash" ||
		details[0].FindingID != "vigil:"+string(le.b.ID)+":finding/"+ids[0].Hex()) {
		t.Errorf("created detail = %+v", details[0])
	}
	f := le.get(t, ids[0])
	if f.Status != model.StatusActive || !f.FirstObservedAt.Equal(t0) || !f.LastObservedAt.Equal(t0) ||
		f.FixAvailable != model.FixYes || f.Score == nil || *f.Score != 7.2 || f.Resource.Tags["Env"] != "Prod" {
		t.Errorf("new finding = %+v", f)
	}

	// 2. Seen again unchanged: lastObservedAt moves, no event.
	le.clock.Advance(time.Hour)
	t1 := le.clock.Now()
	seq := le.lastSeq(t)
	d = le.reconcile(t, h, "scan-2", all...)
	want = finding.Delta{Unchanged: 4, Open: model.SeverityCounts{Critical: 1, High: 2, Medium: 1, Total: 4}}
	if diff := gocmp.Diff(want, d); diff != "" {
		t.Errorf("scan 2 delta (-want +got):\n%s", diff)
	}
	if evs, _ := le.eventsSince(t, seq); len(evs) != 0 {
		t.Errorf("scan 2 events = %q, want none", evs)
	}
	f = le.get(t, ids[0])
	if !f.FirstObservedAt.Equal(t0) || !f.LastObservedAt.Equal(t1) || f.ScanID != "scan-2" || !f.UpdatedAt.Equal(t0) {
		t.Errorf("seen again: first %v last %v scan %s updated %v", f.FirstObservedAt, f.LastObservedAt, f.ScanID, f.UpdatedAt)
	}

	// 3. A new EPSS below the threshold: stored, no event. A fix for
	// minimist: finding.updated (fixAvailable). The port is gone: closed.
	le.clock.Advance(time.Hour)
	t2 := le.clock.Now()
	seq = le.lastSeq(t)
	lodash2 := lodash
	lodash2.Package = &model.PackageDetail{Vulnerability: lodash.Package.Vulnerability, Package: lodash.Package.Package}
	lodash2.Package.Vulnerability.EPSS = &model.EPSS{CVE: lodash.CheckID, Score: 0.02, Percentile: 0.4}
	minimist2 := pkgObs("CVE-2021-44906", "minimist", "1.2.0", model.SeverityCritical, 9.8, "1.2.6")
	d = le.reconcile(t, h, "scan-3", lodash2, minimist2, secret)
	want = finding.Delta{Updated: 1, Closed: 1, Refreshed: 1, Unchanged: 1, Events: 2,
		Open: model.SeverityCounts{Critical: 1, High: 2, Total: 3}}
	if diff := gocmp.Diff(want, d); diff != "" {
		t.Errorf("scan 3 delta (-want +got):\n%s", diff)
	}
	evs, details = le.eventsSince(t, seq)
	if diff := gocmp.Diff([]string{"finding.updated " + string(ids[1]), "finding.closed " + string(ids[2])}, evs); diff != "" {
		t.Errorf("scan 3 events (-want +got):\n%s", diff)
	}
	if len(details) == 2 {
		if diff := gocmp.Diff([]string{"fixAvailable"}, details[0].Changed); diff != "" {
			t.Errorf("updated.changed (-want +got):\n%s", diff)
		}
		if details[1].Status != "CLOSED" || details[1].PreviousStatus != "ACTIVE" || details[1].ClosedReason != "FIXED" {
			t.Errorf("closed detail = %+v", details[1])
		}
	}
	closed := le.get(t, ids[2])
	if closed.Status != model.StatusClosed || !closed.ClosedAt.Equal(t2) || !closed.LastObservedAt.Equal(t1) {
		t.Errorf("closed finding = %+v", closed)
	}
	if f := le.get(t, ids[0]); f.EPSS == nil || f.EPSS.Score != 0.02 || !f.UpdatedAt.Equal(t2) {
		t.Errorf("refreshed finding EPSS %+v updated %v", f.EPSS, f.UpdatedAt)
	}

	// 4. The port returns: the same id reopens.
	le.clock.Advance(time.Hour)
	t3 := le.clock.Now()
	seq = le.lastSeq(t)
	d = le.reconcile(t, h, "scan-4", lodash2, minimist2, secret, port)
	if d.Reopened != 1 || d.Created != 0 || d.Events != 1 {
		t.Errorf("scan 4 delta = %+v, want one reopened", d)
	}
	evs, details = le.eventsSince(t, seq)
	if diff := gocmp.Diff([]string{"finding.updated " + string(ids[2])}, evs); diff != "" {
		t.Errorf("scan 4 events (-want +got):\n%s", diff)
	}
	if len(details) == 1 && (details[0].PreviousStatus != "CLOSED" || !slices.Contains(details[0].Changed, "status")) {
		t.Errorf("reopened detail = %+v", details[0])
	}
	re := le.get(t, ids[2])
	if re.Status != model.StatusActive || re.ReopenCount != 1 || !re.ClosedAt.IsZero() || re.ClosedReason != "" ||
		!re.FirstObservedAt.Equal(t0) || !re.LastObservedAt.Equal(t3) {
		t.Errorf("reopened finding = %+v", re)
	}

	// 5. KEV listing raises the score: finding.updated with what changed.
	le.clock.Advance(time.Hour)
	seq = le.lastSeq(t)
	lodash3 := lodash2
	lodash3.Package = &model.PackageDetail{Vulnerability: lodash2.Package.Vulnerability, Package: lodash.Package.Package}
	lodash3.Package.Vulnerability.KEV = &model.KEV{CVE: lodash.CheckID, DateAdded: "2026-02-01"}
	lodash3.Severity = model.SeverityCritical
	d = le.reconcile(t, h, "scan-5", lodash3, minimist2, secret, port)
	if d.Updated != 1 || d.Events != 1 {
		t.Errorf("scan 5 delta = %+v", d)
	}
	_, details = le.eventsSince(t, seq)
	if len(details) != 1 {
		t.Fatalf("scan 5: %d events", len(details))
	}
	if diff := gocmp.Diff([]string{"severity", "score", "exploitAvailable", "kev"}, details[0].Changed); diff != "" {
		t.Errorf("scan 5 changed (-want +got):\n%s", diff)
	}
	f = le.get(t, ids[0])
	if f.Score == nil || *f.Score != 8.2 || f.ExploitAvailable != model.ExploitYes || f.KEV == nil ||
		len(f.ScoreDetails.Adjustments) != 1 || f.ScoreDetails.Adjustments[0].Metric != "exploitability" {
		t.Errorf("KEV finding score %v details %+v", f.Score, f.ScoreDetails)
	}

	// 6. The resource is deleted: everything closes; after the retention
	// period Purge removes the closed findings.
	le.clock.Advance(time.Hour)
	le.tx(t, func(tx store.Tx) error {
		d, err := finding.CloseResource(context.Background(), tx, store.SystemScope(), h.ID, le.clock.Now())
		if err == nil && (d.Closed != 4 || d.Events != 4) {
			t.Errorf("CloseResource = %+v", d)
		}
		return err
	})
	le.clock.Advance(30 * 24 * time.Hour)
	le.tx(t, func(tx store.Tx) error {
		n, err := finding.Purge(context.Background(), tx, le.clock.Now().Add(-29*24*time.Hour))
		if err == nil && n != 4 {
			t.Errorf("Purge removed %d, want 4", n)
		}
		return err
	})
}

// testFindingTransaction checks that a failed reconciliation leaves
// neither findings nor events (nor a hole in the sequence), that
// observations are validated, and that scopes are enforced.
func testFindingTransaction(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	le := setupLifecycle(t, nb)
	h := le.host
	boom := errors.New("boom")
	err := le.s.InTx(ctx, func(tx store.Tx) error {
		if _, err := finding.Reconcile(ctx, tx, store.SystemScope(), h, "scan-1", "snap-1",
			[]model.Observation{pkgObs("CVE-1", "a", "1", model.SeverityLow, 2, "")}, le.clock.Now()); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	if n := le.lastSeq(t); n != 0 {
		t.Errorf("rolled back reconciliation left sequence at %d", n)
	}
	le.view(t, func(tx store.Tx) error {
		fs, err := tx.Findings(store.SystemScope()).ForResource(ctx, h.ID)
		if err == nil && len(fs) != 0 {
			t.Errorf("rolled back reconciliation left %d findings", len(fs))
		}
		return err
	})
	d := le.reconcile(t, h, "scan-2", pkgObs("CVE-1", "a", "1", model.SeverityLow, 2, ""), pkgObs("CVE-2", "b", "1", model.SeverityLow, 2, ""))
	if evs, _ := le.eventsSince(t, 0); len(evs) != 2 || d.Created != 2 {
		t.Errorf("after rollback: events %q, delta %+v", evs, d)
	}
	le.tx(t, func(tx store.Tx) error {
		// Another account's scope may not reconcile B's resource.
		_, err := finding.Reconcile(ctx, tx, store.AccountScope(le.c.ID), h, "s", "", nil, le.clock.Now())
		wantScope(t, "Reconcile out of scope", err)
		// Malformed observations are refused before any write.
		bad := pkgObs("CVE-3", "c", "1", model.SeverityLow, 2, "")
		bad.Network = &model.NetworkDetail{}
		var oe *finding.ObservationError
		if _, err := finding.Reconcile(ctx, tx, store.SystemScope(), h, "s", "", []model.Observation{bad}, le.clock.Now()); !errors.As(err, &oe) {
			t.Errorf("mixed targets = %v, want *finding.ObservationError", err)
		}
		bad = pkgObs("", "c", "1", model.SeverityLow, 2, "")
		if _, err := finding.Reconcile(ctx, tx, store.SystemScope(), h, "s", "", []model.Observation{bad}, le.clock.Now()); !errors.As(err, &oe) {
			t.Errorf("no check id = %v, want *finding.ObservationError", err)
		}
		var re *finding.ResourceError
		if _, err := finding.Reconcile(ctx, tx, store.SystemScope(), model.Resource{}, "s", "", nil, le.clock.Now()); !errors.As(err, &re) {
			t.Errorf("no resource = %v, want *finding.ResourceError", err)
		}
		return nil
	})
	le.view(t, func(tx store.Tx) error {
		got, _, err := tx.Findings(store.AccountScope(le.c.ID)).List(ctx, model.FindingFilter{}, store.FindingSort{}, "", 0)
		if err == nil && len(got) != 0 {
			t.Errorf("account C lists %d of B's findings", len(got))
		}
		return err
	})
}

// testFindingSuppression checks that a rule suppresses what it matches
// (at once for new findings, on ApplySuppressionRules for stored ones),
// stops when it expires or is deleted, and reaches only its account and,
// for the delegated admin's rules, the admin's organisation.
func testFindingSuppression(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	le := setupLifecycle(t, nb)
	h := le.host
	lodash := pkgObs("CVE-2021-23337", "lodash", "4.17.20", model.SeverityHigh, 7.2, "4.17.21")
	minimist := pkgObs("CVE-2021-44906", "minimist", "1.2.0", model.SeverityCritical, 9.8, "")
	le.reconcile(t, h, "scan-1", lodash, minimist)
	lodashID, minimistID := idOf(h, lodash), idOf(h, minimist)
	// A host of C (another organisation) and of A (the admin) with lodash.
	var hc, ha model.Resource
	le.tx(t, func(tx store.Tx) error {
		var err error
		if hc, _, err = tx.Resources(store.SystemScope()).Upsert(ctx, model.Resource{AccountID: le.c.ID, Type: model.ResourceHost, Name: "c-1"}); err != nil {
			return err
		}
		ha, _, err = tx.Resources(store.SystemScope()).Upsert(ctx, model.Resource{AccountID: le.a.ID, Type: model.ResourceHost, Name: "a-1"})
		return err
	})
	le.reconcile(t, hc, "scan-c", lodash)
	le.reconcile(t, ha, "scan-a", lodash)

	byName := model.FindingFilter{PackageName: []model.StringFilter{{Comparison: model.CompareEquals, Value: "lodash"}}}
	var rule model.SuppressionRule
	le.tx(t, func(tx store.Tx) error {
		var err error
		rule, err = tx.SuppressionRules(store.AccountScope(le.b.ID)).Create(ctx, model.SuppressionRule{AccountID: le.b.ID,
			Name: "lodash is dev-only", Action: model.ActionSuppress, Reason: "dev dependency", Owner: "bob",
			Filter: byName, ExpiresAt: le.clock.Now().Add(time.Hour)})
		return err
	})
	seq := le.lastSeq(t)
	d := le.apply(t)
	if d.Suppressed != 1 || d.Unsuppressed != 0 || d.Events != 1 {
		t.Errorf("apply = %+v, want one suppressed", d)
	}
	evs, details := le.eventsSince(t, seq)
	if diff := gocmp.Diff([]string{"finding.suppressed " + string(lodashID)}, evs); diff != "" {
		t.Errorf("suppress events (-want +got):\n%s", diff)
	}
	if len(details) == 1 && (details[0].Suppression == nil || details[0].Suppression.Rule != string(rule.ID) ||
		details[0].Suppression.Expires == nil || details[0].PreviousStatus != "ACTIVE") {
		t.Errorf("suppressed detail = %+v", details[0])
	}
	f := le.get(t, lodashID)
	if f.Status != model.StatusSuppressed || f.Suppression == nil || f.Suppression.Reason != "dev dependency" {
		t.Errorf("suppressed finding = %+v", f)
	}
	for _, id := range []model.FindingID{idOf(hc, lodash), idOf(ha, lodash), minimistID} {
		if got := le.get(t, id); got.Status != model.StatusActive {
			t.Errorf("%s (%s) = %s: the rule of B reached it", id, got.AccountID, got.Status)
		}
	}
	// Observed again under the rule: stays suppressed without an event; a
	// new lodash finding is created suppressed.
	le.clock.Advance(10 * time.Minute)
	seq = le.lastSeq(t)
	other := pkgObs("CVE-2021-23337", "lodash", "4.17.20", model.SeverityHigh, 7.2, "4.17.21")
	other.Package.Package.Path = "/other/package-lock.json"
	d = le.reconcile(t, h, "scan-2", lodash, minimist, other)
	if d.Unchanged != 2 || d.Created != 1 || d.Events != 1 || d.Open.Total != 1 {
		t.Errorf("scan under rule = %+v", d)
	}
	if got := le.get(t, idOf(h, other)); got.Status != model.StatusSuppressed {
		t.Errorf("new matching finding = %s, want SUPPRESSED", got.Status)
	}
	// The rule expires: it says so, and its findings are active again.
	le.clock.Advance(time.Hour)
	le.view(t, func(tx store.Tx) error {
		r, err := tx.SuppressionRules(store.AccountScope(le.b.ID)).Get(ctx, rule.ID)
		if err == nil && r.State != model.RuleExpired {
			t.Errorf("expired rule state = %s", r.State)
		}
		return err
	})
	seq = le.lastSeq(t)
	d = le.apply(t)
	if d.Unsuppressed != 2 || d.Events != 2 {
		t.Errorf("apply after expiry = %+v, want two unsuppressed", d)
	}
	_, details = le.eventsSince(t, seq)
	for _, dt := range details {
		if dt.Status != "ACTIVE" || dt.PreviousStatus != "SUPPRESSED" || !slices.Contains(dt.Changed, "status") {
			t.Errorf("unsuppressed detail = %+v", dt)
		}
	}
	if got := le.get(t, lodashID); got.Status != model.StatusActive || got.Suppression != nil {
		t.Errorf("after expiry = %s %+v", got.Status, got.Suppression)
	}
	// The delegated admin's rule reaches member B (and A), not C; deleting
	// it makes the findings active again.
	var adminRule model.SuppressionRule
	le.tx(t, func(tx store.Tx) error {
		var err error
		adminRule, err = tx.SuppressionRules(store.AccountScope(le.a.ID)).Create(ctx, model.SuppressionRule{AccountID: le.a.ID,
			Name: "org-wide", Action: model.ActionSuppress, Reason: "accepted risk", Filter: byName})
		return err
	})
	// A NONE rule (a saved filter) suppresses nothing.
	le.tx(t, func(tx store.Tx) error {
		_, err := tx.SuppressionRules(store.AccountScope(le.c.ID)).Create(ctx, model.SuppressionRule{AccountID: le.c.ID,
			Name: "saved view", Action: model.ActionNone, Filter: byName})
		return err
	})
	// A pass in the scope of C (another organisation) changes nothing of
	// B's or A's.
	le.tx(t, func(tx store.Tx) error {
		d, err := finding.ApplySuppressionRules(ctx, tx, store.AccountScope(le.c.ID), le.clock.Now())
		if err == nil && (d.Suppressed != 0 || d.Events != 0) {
			t.Errorf("pass in C's scope = %+v, want nothing", d)
		}
		return err
	})
	d = le.apply(t)
	if d.Suppressed != 3 {
		t.Errorf("admin rule suppressed %d, want 3 (two of B, one of A)", d.Suppressed)
	}
	if got := le.get(t, idOf(hc, lodash)); got.Status != model.StatusActive {
		t.Errorf("admin rule reached another organisation: %s", got.Status)
	}
	le.tx(t, func(tx store.Tx) error {
		return tx.SuppressionRules(store.AccountScope(le.a.ID)).Delete(ctx, adminRule.ID)
	})
	d = le.apply(t)
	if d.Unsuppressed != 3 {
		t.Errorf("after delete: %+v, want three unsuppressed", d)
	}
	if evs, _ := le.eventsSince(t, 0); len(evs) != le.countEvents(t) {
		t.Error("event listing inconsistent")
	}
}

func (le *lifecycleEnv) countEvents(t *testing.T) int {
	return int(le.lastSeq(t))
}
