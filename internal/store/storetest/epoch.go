package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// testFindingEpoch checks FindingStore.Epoch: a store that keeps one
// moves it by exactly one in every committed transaction that writes a
// finding or a suppression rule (however many writes it makes), and not
// in one that only reads, touches findings or rolls back. A store that
// keeps none says so every time.
func testFindingEpoch(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	fx := fillFindings(t, e, 40) // some of them closed
	epoch := func() (int64, bool) {
		t.Helper()
		var n int64
		var ok bool
		err := e.s.View(ctx, func(tx store.Tx) error {
			var err error
			n, ok, err = tx.Findings(store.SystemScope()).Epoch(ctx)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n, ok
	}
	start, keeps := epoch()
	sys := store.SystemScope()
	sa := store.AccountScope(e.a.ID)
	var rule model.SuppressionRule
	steps := []struct {
		name  string
		moves bool
		fn    func(tx store.Tx) error
	}{
		{"read", false, func(tx store.Tx) error {
			_, err := tx.Findings(sys).States(ctx, fx.res[0].ID)
			return err
		}},
		{"touch", false, func(tx store.Tx) error {
			return tx.Findings(sys).Touch(ctx, []model.FindingID{fx.findings[0].ID}, e.clock.Now(), "scan-x", "snap-x")
		}},
		{"put twice", true, func(tx store.Tx) error {
			f := fx.findings[1]
			f.Title = "changed"
			f.Content = nil
			if err := tx.Findings(sys).Put(ctx, f); err != nil {
				return err
			}
			f.Title = "changed again"
			return tx.Findings(sys).Put(ctx, f)
		}},
		{"insert", true, func(tx store.Tx) error {
			f := synthFinding(100, fx.res[0], fx.base)
			return tx.Findings(sys).Insert(ctx, f)
		}},
		{"purge of nothing", false, func(tx store.Tx) error {
			_, err := tx.Findings(sys).Purge(ctx, fx.base.Add(-24*time.Hour))
			return err
		}},
		{"purge", true, func(tx store.Tx) error {
			_, err := tx.Findings(sys).Purge(ctx, fx.base.Add(1000*time.Hour))
			return err
		}},
		{"rule created", true, func(tx store.Tx) error {
			var err error
			rule, err = tx.SuppressionRules(sa).Create(ctx, model.SuppressionRule{AccountID: e.a.ID, Name: "epoch",
				Action: model.ActionSuppress,
				Filter: model.FindingFilter{PackageName: []model.StringFilter{{Comparison: model.CompareEquals, Value: "lodash"}}}})
			return err
		}},
		{"rule updated", true, func(tx store.Tx) error {
			rule.Reason = "moved"
			_, err := tx.SuppressionRules(sa).Update(ctx, rule)
			return err
		}},
		{"rule deleted", true, func(tx store.Tx) error {
			return tx.SuppressionRules(sa).Delete(ctx, rule.ID)
		}},
	}
	want := start
	for _, s := range steps {
		e.tx(t, s.fn)
		if s.moves && keeps {
			want++
		}
		if got, ok := epoch(); got != want || ok != keeps {
			t.Errorf("after %s: epoch %d (kept %v), want %d (kept %v)", s.name, got, ok, want, keeps)
		}
	}
	// A transaction that rolls back leaves it.
	err := e.s.InTx(ctx, func(tx store.Tx) error {
		f := synthFinding(101, fx.res[0], fx.base)
		if err := tx.Findings(sys).Insert(ctx, f); err != nil {
			return err
		}
		return context.Canceled
	})
	if err != context.Canceled {
		t.Fatalf("rolled back transaction: %v", err)
	}
	if got, _ := epoch(); got != want {
		t.Errorf("after a rollback: epoch %d, want %d", got, want)
	}
}
