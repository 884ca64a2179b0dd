package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// testInTxGrouped runs many InTxGrouped calls at once, some failing: each
// successful call's writes (a resource and an event) are committed exactly
// once, each failing call returns its own error and leaves nothing, and
// the event sequence has no gap.
func testInTxGrouped(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	sb := store.AccountScope(e.b.ID)
	const n = 60
	boom := errors.New("boom")
	runs := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = e.s.InTxGrouped(ctx, func(tx store.Tx) error {
				runs[i]++
				name := fmt.Sprintf("grouped-%02d", i)
				r, _, err := tx.Resources(sb).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceHost, Name: name})
				if err != nil {
					return err
				}
				if err := tx.Outbox(sb).Append(ctx, model.Event{AccountID: e.b.ID, Type: "resource.registered", Subject: string(r.ID)}); err != nil {
					return err
				}
				if i%7 == 3 {
					return fmt.Errorf("call %d: %w", i, boom)
				}
				return nil
			})
		})
	}
	wg.Wait()
	want := 0
	for i, err := range errs {
		switch {
		case i%7 == 3 && !errors.Is(err, boom):
			t.Errorf("call %d = %v, want its own error", i, err)
		case i%7 != 3 && err != nil:
			t.Errorf("call %d = %v, want nil", i, err)
		case i%7 != 3:
			want++
		}
		if runs[i] < 1 {
			t.Errorf("call %d ran %d times", i, runs[i])
		}
	}
	e.view(t, func(tx store.Tx) error {
		rs, err := tx.Resources(sb).List(ctx, store.ResourceFilter{Limit: 1000})
		if err != nil {
			return err
		}
		got := map[string]bool{}
		for _, r := range rs {
			got[r.Name] = true
		}
		for i := range n {
			name := fmt.Sprintf("grouped-%02d", i)
			if got[name] == (i%7 == 3) {
				t.Errorf("resource %s stored = %v, want %v", name, got[name], i%7 != 3)
			}
		}
		evs, err := tx.Outbox(store.SystemScope()).List(ctx, 0, 1000)
		if err != nil {
			return err
		}
		if len(evs) != want {
			t.Errorf("%d events, want %d (one per successful call)", len(evs), want)
		}
		seen := map[string]bool{}
		for i, ev := range evs {
			if ev.Seq != int64(i+1) {
				t.Errorf("event %d has seq %d: a gap", i, ev.Seq)
			}
			if seen[ev.Subject] {
				t.Errorf("event for %s written twice", ev.Subject)
			}
			seen[ev.Subject] = true
		}
		return nil
	})
	// A call whose context is done does not run.
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := e.s.InTxGrouped(done, func(store.Tx) error { t.Error("ran with a cancelled context"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("InTxGrouped with a cancelled context = %v", err)
	}
}

// testInTxGroupedPanic checks that a function that panics fails its own
// call only (the others of its group commit) and does not end the process.
func testInTxGroupedPanic(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	sb := store.AccountScope(e.b.ID)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			errs[i] = e.s.InTxGrouped(ctx, func(tx store.Tx) error {
				if i == 5 {
					panic("boom")
				}
				_, _, err := tx.Resources(sb).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceHost, Name: fmt.Sprintf("p-%d", i)})
				return err
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i == 5) {
			t.Errorf("call %d = %v", i, err)
		}
	}
}
