package finding_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// TestReconcilePackages rematches two packages of a real host, as after an
// advisory update touching them: an advisory withdrawn closes exactly its
// finding and leaves every other package's findings as they were; the
// advisory back reopens the same finding; an observation of another
// package is refused.
func TestReconcilePackages(t *testing.T) {
	c := loadCorpus(t)
	all := finding.ObservationsFromMatches(c.inv, c.matches)
	// The two matched packages with the most vulnerabilities.
	var pkgs []model.Package
	for _, m := range c.matches {
		if len(m.Vulnerabilities) >= 2 && len(pkgs) < 2 {
			pkgs = append(pkgs, m.Package)
		}
	}
	if len(pkgs) < 2 {
		t.Fatal("the corpus host has no two packages with several vulnerabilities")
	}
	var scoped []model.Match
	for _, m := range c.matches {
		if m.Package.Key() == pkgs[0].Key() || m.Package.Key() == pkgs[1].Key() {
			scoped = append(scoped, m)
		}
	}
	obs := finding.ObservationsFromMatches(c.inv, scoped)
	withdrawn := obs[0]
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			acct := newAccount(t, s, "acme")
			sc := store.AccountScope(acct.ID)
			host := newResource(t, s, model.Resource{AccountID: acct.ID, Type: model.ResourceHost, Name: "host"})
			t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
			run := func(at time.Time, o []model.Observation) finding.Delta {
				t.Helper()
				var d finding.Delta
				err := s.InTx(ctx, func(tx store.Tx) error {
					names := []string{pkgs[0].Name, pkgs[1].Name}
					states, err := tx.Findings(sc).PackageStates(ctx, []model.ResourceID{host.ID}, names)
					if err != nil {
						return err
					}
					d, err = finding.ReconcilePackages(ctx, tx, sc, host, "rematch", "snap-2", pkgs, o, states, at)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			err := s.InTx(ctx, func(tx store.Tx) error {
				_, err := finding.Reconcile(ctx, tx, sc, host, "scan-1", c.snapshot, all, t0)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			before := findingsByID(t, s, sc, host.ID)
			wid := finding.ID(acct.ID, host.ID, &withdrawn)

			t1 := t0.Add(time.Hour)
			d := run(t1, obs[1:])
			want := finding.Delta{Closed: 1, Unchanged: len(obs) - 1, Events: 1}
			if diff := cmp.Diff(want, d, cmpDeltaCounts); diff != "" {
				t.Errorf("withdrawn advisory (-want +got):\n%s", diff)
			}
			after := findingsByID(t, s, sc, host.ID)
			for id, f := range after {
				old := before[id]
				inScope := f.FirstPackage() != nil && (f.FirstPackage().Name == pkgs[0].Name || f.FirstPackage().Name == pkgs[1].Name)
				switch {
				case id == wid:
					if f.Status != model.StatusClosed || !f.ClosedAt.Equal(t1) {
						t.Errorf("withdrawn finding %s: status %s closed %v, want CLOSED at %v", id, f.Status, f.ClosedAt, t1)
					}
				case inScope:
					// Re-evaluated unchanged: a rematch observes nothing
					// new, so lastObservedAt, scan and snapshot stay.
					if diff := cmp.Diff(old, f); diff != "" {
						t.Errorf("rematched unchanged finding %s changed (-before +after):\n%s", id, diff)
					}
				default:
					if diff := cmp.Diff(old, f); diff != "" {
						t.Errorf("finding %s of another package changed (-before +after):\n%s", id, diff)
					}
				}
			}

			d = run(t1.Add(time.Hour), obs)
			if d.Reopened != 1 || d.Closed != 0 || d.Created != 0 {
				t.Errorf("advisory back: %+v, want one reopened", d)
			}
			if f := findingsByID(t, s, sc, host.ID)[wid]; f.Status != model.StatusActive || f.ReopenCount != 1 {
				t.Errorf("reopened finding: status %s, reopen count %d", f.Status, f.ReopenCount)
			}

			var oe *finding.ObservationError
			err = s.InTx(ctx, func(tx store.Tx) error {
				_, err := finding.ReconcilePackages(ctx, tx, sc, host, "x", "snap-2", pkgs[:1], obs, nil, t1)
				return err
			})
			if !errors.As(err, &oe) {
				t.Errorf("observation of a package not reconciled: got %v, want *ObservationError", err)
			}
		})
	}
}

// cmpDeltaCounts compares deltas without the open counts.
var cmpDeltaCounts = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Open" }, cmp.Ignore())

func findingsByID(t *testing.T, s store.Store, sc store.Scope, id model.ResourceID) map[model.FindingID]model.Finding {
	t.Helper()
	out := map[model.FindingID]model.Finding{}
	err := s.View(context.Background(), func(tx store.Tx) error {
		fs, err := tx.Findings(sc).ForResource(context.Background(), id)
		for _, f := range fs {
			out[f.ID] = f
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
