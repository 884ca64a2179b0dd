package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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
	testOutboxPrune(t, e)
}

// testOutboxPrune: events older than the cut-off go, oldest first and at
// most limit at a time, but never one a delivery target has not passed;
// an account scope may not prune.
func testOutboxPrune(t *testing.T, e *env) {
	ctx := context.Background()
	seqs := func() []int64 {
		t.Helper()
		var out []int64
		e.view(t, func(tx store.Tx) error {
			all, err := tx.Outbox(store.SystemScope()).List(ctx, 0, 100)
			for _, ev := range all {
				out = append(out, ev.Seq)
			}
			return err
		})
		return out
	}
	prune := func(before time.Time, limit int) int {
		t.Helper()
		var n int
		e.tx(t, func(tx store.Tx) error {
			var err error
			n, err = tx.Outbox(store.SystemScope()).Prune(ctx, before, limit)
			return err
		})
		return n
	}
	var hook store.Target
	e.tx(t, func(tx store.Tx) error { // its cursor starts at the last event, 3
		var err error
		hook, err = tx.Delivery(store.SystemScope()).CreateTarget(ctx, store.Target{AccountID: e.b.ID, Name: "prune-hook", Kind: store.TargetWebhook,
			Config: []byte(`{"url":"https://siem.example/hook"}`), Secret: "s"})
		return err
	})
	old := e.clock.Now()
	e.clock.Advance(time.Hour)
	e.tx(t, func(tx store.Tx) error { // seq 4 and 5, an hour newer
		return tx.Outbox(store.AccountScope(e.b.ID)).Append(ctx,
			model.Event{AccountID: e.b.ID, Type: "t", Subject: "new1"}, model.Event{AccountID: e.b.ID, Type: "t", Subject: "new2"})
	})
	all := e.clock.Now().Add(time.Minute)
	steps := []struct {
		name   string
		before time.Time
		limit  int
		cursor int64
		n      int
		left   []int64
	}{
		{"oldest first, at most limit", all, 2, 0, 2, []int64{3, 4, 5}},
		{"not past the target's cursor (3)", all, 10, 0, 1, []int64{4, 5}},
		{"not newer than the cut-off", old.Add(time.Minute), 10, 5, 0, []int64{4, 5}},
		{"everything delivered and old", all, 10, 0, 2, nil},
	}
	for _, st := range steps {
		if st.cursor > 0 {
			e.tx(t, func(tx store.Tx) error {
				return tx.Delivery(store.SystemScope()).Commit(ctx, store.Progress{Target: hook.ID, Cursor: st.cursor})
			})
		}
		if n := prune(st.before, st.limit); n != st.n {
			t.Errorf("%s: pruned %d, want %d", st.name, n, st.n)
		}
		if got := seqs(); !slices.Equal(got, st.left) {
			t.Errorf("%s: events left %v, want %v", st.name, got, st.left)
		}
	}
	err := e.s.InTx(ctx, func(tx store.Tx) error {
		_, err := tx.Outbox(store.AccountScope(e.b.ID)).Prune(ctx, all, 10)
		return err
	})
	var scopeErr *store.ScopeError
	if !errors.As(err, &scopeErr) {
		t.Errorf("Prune in an account scope = %v, want *ScopeError", err)
	}
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

// testOutboxMany: a transaction of more events than one insert statement
// takes (their payloads compressed while the statement before executes)
// stores every one, in order, with consecutive sequence numbers and its
// payload intact; one that fails stores none and consumes no number.
func testOutboxMany(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	const n = 1234
	evs := make([]model.Event, n)
	for i := range evs {
		p := fmt.Sprintf(`{"i":%d}`, i)
		if i%3 == 0 { // large enough to be stored compressed
			p = fmt.Sprintf(`{"i":%d,"text":%q}`, i, strings.Repeat(fmt.Sprintf("finding %d ", i), 60))
		}
		evs[i] = model.Event{AccountID: e.a.ID, Type: "finding.created", Subject: fmt.Sprint("f", i), Payload: []byte(p)}
	}
	boom := errors.New("boom")
	err := e.s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.Outbox(store.AccountScope(e.a.ID)).Append(ctx, evs...); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	e.tx(t, func(tx store.Tx) error { return tx.Outbox(store.AccountScope(e.a.ID)).Append(ctx, evs...) })
	e.view(t, func(tx store.Tx) error {
		all, err := tx.Outbox(store.SystemScope()).List(ctx, 0, 10000)
		if err != nil {
			return err
		}
		if len(all) != n {
			t.Fatalf("%d events stored, want %d", len(all), n)
		}
		for i, ev := range all {
			if ev.Seq != int64(i+1) || ev.Subject != evs[i].Subject || string(ev.Payload) != string(evs[i].Payload) {
				t.Fatalf("event %d = seq %d %s %.40s; want seq %d %s %.40s", i, ev.Seq, ev.Subject, ev.Payload, i+1, evs[i].Subject, evs[i].Payload)
			}
		}
		return nil
	})
}

// testOutboxTogether appends events of two accounts in one transaction,
// runs of each interleaved (the store may keep events appended together
// together), and reads them back every way a consumer does: from every
// position, with limits that end between events written together, in
// one account's scope; then prunes with a delivery cursor between them.
func testOutboxTogether(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	var hook store.Target // its cursor starts at 0, before every event
	e.tx(t, func(tx store.Tx) error {
		var err error
		hook, err = tx.Delivery(store.SystemScope()).CreateTarget(ctx, store.Target{AccountID: e.a.ID, Name: "hook", Kind: store.TargetWebhook,
			Config: []byte(`{"url":"https://siem.example/hook"}`), Secret: "s"})
		return err
	})
	var evs []model.Event
	for i := range 40 {
		acct := e.a.ID
		if (i/7)%2 == 1 { // runs of 7 of A, 7 of B, …
			acct = e.b.ID
		}
		var p []byte
		switch i % 4 {
		case 0:
			p = fmt.Appendf(nil, `{"i":%d}`, i)
		case 1:
			p = fmt.Appendf(nil, `{"i":%d,"text":%q}`, i, strings.Repeat("CVE-2024-0001 lodash ", 30))
		}
		evs = append(evs, model.Event{AccountID: acct, Type: fmt.Sprint("type.", i%3), Subject: fmt.Sprint("s", i), Payload: p})
	}
	e.tx(t, func(tx store.Tx) error { return tx.Outbox(store.SystemScope()).Append(ctx, evs...) })
	e.tx(t, func(tx store.Tx) error { // one more, alone
		return tx.Outbox(store.SystemScope()).Append(ctx, model.Event{AccountID: e.a.ID, Type: "last", Subject: "s40"})
	})
	evs = append(evs, model.Event{AccountID: e.a.ID, Type: "last", Subject: "s40"})
	show := func(es []model.Event) []string {
		var out []string
		for _, ev := range es {
			out = append(out, fmt.Sprintf("%d %s %s %s %s", ev.Seq, ev.AccountID, ev.Type, ev.Subject, ev.Payload))
		}
		return out
	}
	want := func(scope model.AccountID, since int64, limit int) []string {
		var out []string
		for i, ev := range evs {
			if seq := int64(i + 1); seq > since && len(out) < limit && (scope == "" || ev.AccountID == scope) {
				ev.Seq = seq
				out = append(out, show([]model.Event{ev})...)
			}
		}
		return out
	}
	e.view(t, func(tx store.Tx) error {
		for _, sc := range []model.AccountID{"", e.a.ID, e.b.ID} {
			scope := store.SystemScope()
			if sc != "" {
				scope = store.AccountScope(sc)
			}
			for since := int64(0); since <= 41; since++ {
				for _, limit := range []int{1, 3, 10, 100} {
					got, err := tx.Outbox(scope).List(ctx, since, limit)
					if err != nil {
						return err
					}
					if !slices.Equal(show(got), want(sc, since, limit)) {
						t.Fatalf("scope %q since %d limit %d:\n got %q\nwant %q", sc, since, limit, show(got), want(sc, since, limit))
					}
					for _, ev := range got {
						if !ev.CreatedAt.Equal(e.clock.Now()) {
							t.Fatalf("event %d created %v, want %v", ev.Seq, ev.CreatedAt, e.clock.Now())
						}
					}
				}
			}
		}
		return nil
	})
	// A target's cursor in the middle of events written together: none
	// after it goes, whatever is stored with them.
	e.tx(t, func(tx store.Tx) error {
		return tx.Delivery(store.SystemScope()).Commit(ctx, store.Progress{Target: hook.ID, Cursor: 10})
	})
	e.clock.Advance(time.Hour)
	var pruned int
	e.tx(t, func(tx store.Tx) error {
		var err error
		pruned, err = tx.Outbox(store.SystemScope()).Prune(ctx, e.clock.Now(), 1000)
		return err
	})
	e.view(t, func(tx store.Tx) error {
		left, err := tx.Outbox(store.SystemScope()).List(ctx, 0, 100)
		if err != nil {
			return err
		}
		if len(left)+pruned != len(evs) {
			t.Errorf("pruned %d and %d left of %d", pruned, len(left), len(evs))
		}
		if pruned > 10 || pruned < 7 {
			t.Errorf("pruned %d events with the cursor at 10 (the first account's first 7 are apart from the rest)", pruned)
		}
		if len(left) > 0 && !slices.Equal(show(left), want("", int64(pruned), 100)) {
			t.Errorf("left after pruning %d:\n got %q\nwant %q", pruned, show(left), want("", int64(pruned), 100))
		}
		return nil
	})
}
