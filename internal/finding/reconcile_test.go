package finding_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// eventSchemas compiles the published event schemas.
func eventSchemas(t testing.TB) map[event.DetailType]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	files, err := fs.Glob(event.Schemas, "schemas/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := event.Schemas.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(event.SchemaBaseURI+path.Base(f), doc); err != nil {
			t.Fatal(err)
		}
	}
	out := map[event.DetailType]*jsonschema.Schema{}
	for _, dt := range event.DetailTypes {
		s, err := c.Compile(event.SchemaBaseURI + path.Base(event.SchemaFile(dt)))
		if err != nil {
			t.Fatal(err)
		}
		out[dt] = s
	}
	return out
}

// checkEvents wraps each outbox event after seq in its envelope and
// validates it against the published schema; it returns the count per
// type.
func checkEvents(t *testing.T, s store.Store, seq int64) map[string]int {
	t.Helper()
	schemas := eventSchemas(t)
	counts := map[string]int{}
	err := s.View(context.Background(), func(tx store.Tx) error {
		evs, err := tx.Outbox(store.SystemScope()).List(context.Background(), seq, 0)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			counts[ev.Type]++
			dt, ok := finding.DetailTypeOf(ev.Type)
			if !ok {
				t.Errorf("event %d: unknown type %q", ev.Seq, ev.Type)
				continue
			}
			var d event.Finding
			if err := json.Unmarshal(ev.Payload, &d); err != nil {
				return err
			}
			env, err := event.New(dt, fmt.Sprintf("00000000-0000-4000-8000-%012d", ev.Seq), string(ev.AccountID), "local", ev.CreatedAt,
				[]string{d.Resources[0].ID}, &d)
			if err != nil {
				return err
			}
			raw, err := env.Marshal()
			if err != nil {
				return err
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				return err
			}
			if err := schemas[dt].Validate(doc); err != nil {
				t.Errorf("event %d (%s) breaks its schema: %v\n%s", ev.Seq, ev.Type, err, raw)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return counts
}

// TestReconcileRealHost reconciles the matches of a real host inventory
// (Ubuntu packages and five language ecosystems) against every OSV feed of
// the corpus, on each store: all findings created and announced with
// events that satisfy the published schemas; a rescan changes nothing; an
// upgrade that removes packages closes exactly their findings; listings
// and aggregations agree with the observations.
func TestReconcileRealHost(t *testing.T) {
	c := loadCorpus(t)
	obs := finding.ObservationsFromMatches(c.inv, c.matches)
	if len(obs) < 100 {
		t.Fatalf("only %d observations: the host is not realistic", len(obs))
	}
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			acct := newAccount(t, s, "acme")
			host := newResource(t, s, model.Resource{AccountID: acct.ID, Type: model.ResourceHost, Name: "build-1", Tags: map[string]string{"Env": "Prod"}})
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			run := func(scanID string, obs []model.Observation, at time.Time) finding.Delta {
				t.Helper()
				var d finding.Delta
				err := s.InTx(ctx, func(tx store.Tx) error {
					var err error
					d, err = finding.Reconcile(ctx, tx, store.AccountScope(acct.ID), host, scanID, c.snapshot, obs, at)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			// Unique keys of the observations, and their severities.
			keys := map[model.FindingID]model.Severity{}
			for i := range obs {
				keys[finding.ID(acct.ID, host.ID, &obs[i])] = obs[i].Severity
			}
			var open model.SeverityCounts
			for _, sev := range keys {
				open.Add(sev, 1)
			}
			d := run("scan-1", obs, now)
			if diff := cmp.Diff(finding.Delta{Created: len(keys), Events: len(keys), Open: open}, d); diff != "" {
				t.Errorf("first scan (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]int{finding.EventCreated: len(keys)}, checkEvents(t, s, 0)); diff != "" {
				t.Errorf("first scan events (-want +got):\n%s", diff)
			}
			d = run("scan-2", obs, now.Add(time.Hour))
			if diff := cmp.Diff(finding.Delta{Unchanged: len(keys), Open: open}, d); diff != "" {
				t.Errorf("rescan (-want +got):\n%s", diff)
			}
			// Upgrade: every package of the first matched lockfile is gone.
			gonePath := c.matches[len(c.matches)-1].Package.Path
			var kept []model.Observation
			gone := map[model.FindingID]bool{}
			for i := range obs {
				if obs[i].Package.Package.Path == gonePath {
					gone[finding.ID(acct.ID, host.ID, &obs[i])] = true
					continue
				}
				kept = append(kept, obs[i])
			}
			if len(gone) == 0 || len(kept) == 0 {
				t.Fatalf("upgrade of %s removes %d of %d findings", gonePath, len(gone), len(keys))
			}
			var last int64
			if err := s.View(ctx, func(tx store.Tx) error {
				var err error
				last, err = tx.Outbox(store.SystemScope()).Last(ctx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			d = run("scan-3", kept, now.Add(2*time.Hour))
			if d.Closed != len(gone) || d.Unchanged != len(keys)-len(gone) || d.Events != len(gone) {
				t.Errorf("upgrade: %+v, want %d closed", d, len(gone))
			}
			if diff := cmp.Diff(map[string]int{finding.EventClosed: len(gone)}, checkEvents(t, s, last)); diff != "" {
				t.Errorf("upgrade events (-want +got):\n%s", diff)
			}
			// Listing and aggregation agree with the observations.
			err := s.View(ctx, func(tx store.Tx) error {
				fs := tx.Findings(store.AccountScope(acct.ID))
				active := model.FindingFilter{Status: []model.StringFilter{{Comparison: model.CompareEquals, Value: "ACTIVE"}}}
				n, err := fs.Count(ctx, active)
				if err != nil {
					return err
				}
				if n != len(keys)-len(gone) {
					t.Errorf("active findings = %d, want %d", n, len(keys)-len(gone))
				}
				sev, err := fs.Aggregate(ctx, model.AggregateSeverity, model.FindingFilter{}, 0)
				if err != nil {
					return err
				}
				total := 0
				for _, g := range sev {
					total += g.Counts.Total
				}
				if total != len(keys) {
					t.Errorf("severity aggregation totals %d, want %d", total, len(keys))
				}
				page, _, err := fs.List(ctx, active, store.FindingSort{Field: store.SortScore, Order: store.Desc}, "", 5)
				if err != nil {
					return err
				}
				for i, f := range page {
					if !strings.Contains(f.Title, " - ") || f.Package == nil || len(f.Package.VulnerablePackages) != 1 ||
						f.SnapshotID != c.snapshot || f.ScanID != "scan-3" {
						t.Errorf("finding %d: %+v", i, f)
					}
					if i > 0 && page[i-1].Score != nil && f.Score != nil && *page[i-1].Score < *f.Score {
						t.Errorf("scores not descending: %v then %v", *page[i-1].Score, *f.Score)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestObservationsFromMatches(t *testing.T) {
	c := loadCorpus(t)
	obs := finding.ObservationsFromMatches(c.inv, c.matches)
	n := 0
	for _, m := range c.matches {
		n += len(m.Vulnerabilities)
	}
	if len(obs) != n {
		t.Fatalf("%d observations from %d vulnerabilities", len(obs), n)
	}
	fixed := 0
	for i, o := range obs {
		v := &o.Package.Vulnerability
		if o.Type != model.FindingPackageVulnerability || o.CheckID != v.ID || o.Title != v.ID+" - "+o.Package.Package.Name {
			t.Errorf("observation %d: type %s check %s title %q", i, o.Type, o.CheckID, o.Title)
		}
		if len(o.Description) == 0 || len(o.Description) > 1024 {
			t.Errorf("observation %d: description of %d bytes", i, len(o.Description))
		}
		if v.FixedIn != nil && *v.FixedIn != "" {
			fixed++
			if !strings.Contains(o.Remediation, *v.FixedIn) {
				t.Errorf("observation %d: remediation %q does not name %s", i, o.Remediation, *v.FixedIn)
			}
		}
	}
	if fixed == 0 {
		t.Error("no observation has a fix: the corpus tests nothing")
	}
}
