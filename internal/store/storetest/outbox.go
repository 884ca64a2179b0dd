package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

func sortRefs(r []store.ResourceRef) {
	slices.SortFunc(r, func(a, b store.ResourceRef) int {
		if c := strings.Compare(string(a.AccountID), string(b.AccountID)); c != 0 {
			return c
		}
		return strings.Compare(string(a.ResourceID), string(b.ResourceID))
	})
}

func testOutbox(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	e.tx(t, func(tx store.Tx) error {
		if err := tx.Outbox(store.AccountScope(e.a.ID)).Append(ctx, model.Event{AccountID: e.a.ID, Type: "finding.created", Subject: "f1", Payload: []byte(`{}`)}); err != nil {
			return err
		}
		return tx.Outbox(store.AccountScope(e.b.ID)).Append(ctx, model.Event{AccountID: e.b.ID, Type: "finding.created", Subject: "f2"})
	})
	// A rolled-back transaction consumes no sequence number.
	boom := errors.New("boom")
	err := e.s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.Outbox(store.AccountScope(e.a.ID)).Append(ctx, model.Event{AccountID: e.a.ID, Type: "finding.closed"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	e.tx(t, func(tx store.Tx) error {
		return tx.Outbox(store.AccountScope(e.a.ID)).Append(ctx, model.Event{AccountID: e.a.ID, Type: "finding.updated", Subject: "f1"})
	})
	e.view(t, func(tx store.Tx) error {
		all, err := tx.Outbox(store.SystemScope()).List(ctx, 0, 100)
		if err != nil {
			return err
		}
		var got []string
		for _, ev := range all {
			got = append(got, fmt.Sprintf("%d %s %s", ev.Seq, ev.Type, ev.Subject))
		}
		want := []string{"1 finding.created f1", "2 finding.created f2", "3 finding.updated f1"}
		if !slices.Equal(got, want) {
			t.Errorf("events = %q, want %q", got, want)
		}
		a, err := tx.Outbox(store.AccountScope(e.a.ID)).List(ctx, 1, 100)
		if err != nil || len(a) != 1 || a[0].Seq != 3 {
			t.Errorf("A since 1 = %+v, %v", a, err)
		}
		last, err := tx.Outbox(store.AccountScope(e.c.ID)).Last(ctx)
		if err != nil || last != 3 {
			t.Errorf("Last = %d, %v", last, err)
		}
		return nil
	})
}

// testOutboxConcurrent has several writers append events at once, some of
// them rolling back, and checks the committed sequence is 1..N without
// gaps, each transaction's events contiguous.
func testOutboxConcurrent(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	const writers, txs = 6, 15
	var wg sync.WaitGroup
	var mu sync.Mutex
	committed := 0
	errc := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range txs {
				n := 1 + (w+i)%3
				rollback := i%5 == 4
				err := e.s.InTx(ctx, func(tx store.Tx) error {
					for k := range n {
						ev := model.Event{AccountID: e.b.ID, Type: "t", Subject: fmt.Sprintf("w%d-t%d-%d", w, i, k)}
						if err := tx.Outbox(store.AccountScope(e.b.ID)).Append(ctx, ev); err != nil {
							return err
						}
					}
					if rollback {
						return errRollback
					}
					return nil
				})
				if rollback && errors.Is(err, errRollback) {
					continue
				}
				if err != nil {
					errc <- err
					return
				}
				mu.Lock()
				committed += n
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	e.view(t, func(tx store.Tx) error {
		evs, err := tx.Outbox(store.SystemScope()).List(ctx, 0, 0)
		if err != nil {
			return err
		}
		if len(evs) != committed {
			t.Fatalf("%d events, want %d", len(evs), committed)
		}
		for i, ev := range evs {
			if ev.Seq != int64(i+1) {
				t.Fatalf("event %d has seq %d: gap or disorder", i, ev.Seq)
			}
			if strings.Contains(ev.Subject, "-t4-") || strings.Contains(ev.Subject, "-t9-") || strings.Contains(ev.Subject, "-t14-") {
				t.Errorf("rolled-back event %s committed", ev.Subject)
			}
			// Events of one transaction are contiguous.
			if i > 0 && strings.HasSuffix(ev.Subject, "-1") {
				prev := evs[i-1].Subject
				if strings.TrimSuffix(prev, "-0") != strings.TrimSuffix(ev.Subject, "-1") {
					t.Errorf("seq %d (%s) does not follow its transaction's first event (got %s)", ev.Seq, ev.Subject, prev)
				}
			}
		}
		return nil
	})
}

var errRollback = errors.New("rollback")
