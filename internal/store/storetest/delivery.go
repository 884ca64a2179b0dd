package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// testDelivery covers event rules, targets, cursors, attempts, dead
// letters, replays, ingestion dedupe and the metrics counts.
func testDelivery(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	sa, sb := store.AccountScope(e.a.ID), store.AccountScope(e.b.ID)
	// Two events exist before the target: it starts after them.
	e.tx(t, func(tx store.Tx) error {
		return tx.Outbox(sb).Append(ctx, model.Event{AccountID: e.b.ID, Type: "finding.created", Subject: "f0"},
			model.Event{AccountID: e.b.ID, Type: "finding.created", Subject: "f1"})
	})
	var v0 int64
	var hook, cmd store.Target
	var rule store.EventRule
	e.tx(t, func(tx store.Tx) error {
		d := tx.Delivery(sb)
		var err error
		if v0, err = d.Version(ctx); err != nil {
			return err
		}
		if hook, err = d.CreateTarget(ctx, store.Target{AccountID: e.b.ID, Name: "hook", Kind: store.TargetWebhook,
			Config: []byte(`{"url":"http://127.0.0.1:9/x"}`), Secret: "s3cret"}); err != nil {
			return err
		}
		if cmd, err = d.CreateTarget(ctx, store.Target{AccountID: e.b.ID, Name: "cmd", Kind: store.TargetCommand,
			Config: []byte(`{"argv":["cat"]}`)}); err != nil {
			return err
		}
		rule, err = d.CreateRule(ctx, store.EventRule{AccountID: e.b.ID, Name: "critical", Pattern: `{"detail":{"severity":["CRITICAL"]}}`,
			Enabled: true, Targets: []store.TargetID{hook.ID, cmd.ID, hook.ID}})
		return err
	})
	if hook.Cursor != 2 {
		t.Errorf("new target cursor = %d, want 2 (the outbox's last)", hook.Cursor)
	}
	ignore := cmpopts.IgnoreFields(store.EventRule{}, "CreatedAt", "UpdatedAt")
	e.view(t, func(tx store.Tx) error {
		d := tx.Delivery(sb)
		got, err := d.GetRule(ctx, rule.ID)
		if err != nil {
			return err
		}
		want := store.EventRule{ID: rule.ID, AccountID: e.b.ID, Name: "critical", Pattern: `{"detail":{"severity":["CRITICAL"]}}`,
			Enabled: true, Targets: []store.TargetID{min(hook.ID, cmd.ID), max(hook.ID, cmd.ID)}}
		if diff := cmp.Diff(want, got, ignore); diff != "" {
			t.Errorf("GetRule (-want +got):\n%s", diff)
		}
		tg, err := d.GetTarget(ctx, hook.ID)
		if err != nil {
			return err
		}
		if tg.Secret != "s3cret" || string(tg.Config) != `{"url":"http://127.0.0.1:9/x"}` {
			t.Errorf("GetTarget = %+v", tg)
		}
		v, err := d.Version(ctx)
		if err != nil {
			return err
		}
		if v != v0+3 {
			t.Errorf("version = %d, want %d (three changes)", v, v0+3)
		}
		// Another account sees none of it.
		_, err = tx.Delivery(store.AccountScope(e.c.ID)).GetRule(ctx, rule.ID)
		wantNotFound(t, "GetRule other account", err)
		_, err = tx.Delivery(store.AccountScope(e.c.ID)).Deliveries(ctx, hook.ID, 0, 10)
		wantNotFound(t, "Deliveries other account", err)
		return nil
	})

	// Writes that must fail, each in its own transaction.
	cases := []struct {
		name string
		fn   func(d store.DeliveryStore) error
		want any
	}{
		{"rule outside scope", func(d store.DeliveryStore) error {
			_, err := d.CreateRule(ctx, store.EventRule{AccountID: e.b.ID, Name: "x", Pattern: `{}`})
			return err
		}, &store.ScopeError{}},
		{"rule with a target of another account", func(d store.DeliveryStore) error {
			_, err := d.CreateRule(ctx, store.EventRule{AccountID: e.a.ID, Name: "x", Pattern: `{}`, Targets: []store.TargetID{hook.ID}})
			return err
		}, &store.NotFoundError{}},
		{"rule pattern not JSON", func(d store.DeliveryStore) error {
			_, err := d.CreateRule(ctx, store.EventRule{AccountID: e.a.ID, Name: "x", Pattern: `{`})
			return err
		}, &store.InvalidError{}},
		{"duplicate target name", func(d store.DeliveryStore) error {
			_, err := d.CreateTarget(ctx, store.Target{AccountID: e.b.ID, Name: "hook", Kind: store.TargetSlack, Config: []byte(`{}`)})
			return err
		}, &store.ConflictError{}},
		{"unknown kind", func(d store.DeliveryStore) error {
			_, err := d.CreateTarget(ctx, store.Target{AccountID: e.b.ID, Name: "y", Kind: "pigeon", Config: []byte(`{}`)})
			return err
		}, &store.InvalidError{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := sa
			if tc.name == "duplicate target name" || tc.name == "unknown kind" {
				sc = sb
			}
			err := e.s.InTx(ctx, func(tx store.Tx) error { return tc.fn(tx.Delivery(sc)) })
			if err == nil || !sameType(err, tc.want) {
				t.Errorf("err = %v (%T), want %T", err, err, tc.want)
			}
		})
	}

	// Progress: the cursor only moves forward; attempts and dead letters
	// are recorded.
	e.tx(t, func(tx store.Tx) error {
		d := tx.Delivery(store.SystemScope())
		if err := d.Commit(ctx, store.Progress{Target: hook.ID, Cursor: 5, Attempts: []store.Delivery{
			{Seq: 3, EventID: "e3", Attempt: 1, Outcome: store.OutcomeFailed, Status: 503, Error: "down"},
			{Seq: 3, EventID: "e3", Attempt: 2, Outcome: store.OutcomeDead, Status: 503, Error: "down"},
			{Seq: 5, EventID: "e5", Attempt: 1, Outcome: store.OutcomeDelivered, Status: 200, Duration: time.Millisecond},
		}, Dead: []store.DeadLetter{{Seq: 3, EventID: "e3", Attempts: 2, LastError: "down"}}}); err != nil {
			return err
		}
		return d.Commit(ctx, store.Progress{Target: hook.ID, Cursor: 4})
	})
	e.view(t, func(tx store.Tx) error {
		d := tx.Delivery(sb)
		tg, err := d.GetTarget(ctx, hook.ID)
		if err != nil {
			return err
		}
		if tg.Cursor != 5 {
			t.Errorf("cursor = %d, want 5 (never back)", tg.Cursor)
		}
		ds, err := d.Deliveries(ctx, hook.ID, 0, 10)
		if err != nil {
			return err
		}
		var got []string
		for _, x := range ds {
			got = append(got, x.EventID+" "+x.Outcome)
		}
		want := []string{"e5 delivered", "e3 dead-lettered", "e3 failed"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("deliveries, newest first (-want +got):\n%s", diff)
		}
		dl, err := d.DeadLetters(ctx, hook.ID, 0, 10)
		if err != nil {
			return err
		}
		if len(dl) != 1 || dl[0].Seq != 3 || dl[0].Attempts != 2 || dl[0].Replay || dl[0].AccountID != e.b.ID {
			t.Errorf("dead letters = %+v", dl)
		}
		return nil
	})

	// The lease: one owner at a time until it expires.
	lease := func(owner string, ttl time.Duration) bool {
		t.Helper()
		var ok bool
		e.tx(t, func(tx store.Tx) error {
			var err error
			ok, err = tx.Delivery(store.SystemScope()).LeaseTarget(ctx, hook.ID, owner, ttl)
			return err
		})
		return ok
	}
	leases := []struct {
		owner   string
		advance time.Duration
		want    bool
	}{{"relay-1", 0, true}, {"relay-2", 0, false}, {"relay-1", 0, true}, {"relay-2", 31 * time.Second, true}, {"relay-1", 0, false}}
	for i, l := range leases {
		e.clock.Advance(l.advance)
		if got := lease(l.owner, 30*time.Second); got != l.want {
			t.Errorf("lease %d (%s after %s) = %v, want %v", i, l.owner, l.advance, got, l.want)
		}
	}
	// A release by anyone but the holder changes nothing; the holder's
	// release lets another owner in at once.
	release := func(owner string) {
		t.Helper()
		e.tx(t, func(tx store.Tx) error { return tx.Delivery(store.SystemScope()).ReleaseTarget(ctx, hook.ID, owner) })
	}
	release("relay-1")
	if lease("relay-3", 30*time.Second) {
		t.Error("relay-3 took the lease after a release by relay-1, which does not hold it")
	}
	release("relay-2")
	if !lease("relay-3", 30*time.Second) {
		t.Error("relay-3 could not take the lease its holder released")
	}
	release("relay-3")
	err := e.s.InTx(ctx, func(tx store.Tx) error {
		_, err := tx.Delivery(store.AccountScope(e.c.ID)).LeaseTarget(ctx, hook.ID, "relay-3", time.Second)
		return err
	})
	wantNotFound(t, "LeaseTarget other account", err)
	err = e.s.InTx(ctx, func(tx store.Tx) error {
		return tx.Delivery(store.AccountScope(e.c.ID)).ReleaseTarget(ctx, hook.ID, "relay-3")
	})
	wantNotFound(t, "ReleaseTarget other account", err)

	// Replay: requested, attempted once and failed, requested again and
	// delivered.
	var dlID int64
	e.tx(t, func(tx store.Tx) error {
		d := tx.Delivery(sb)
		n, err := d.RequestReplay(ctx, hook.ID, nil)
		if err != nil || n != 1 {
			t.Errorf("RequestReplay = %d, %v", n, err)
		}
		rs, err := d.Replays(ctx, hook.ID, 10)
		if err != nil || len(rs) != 1 {
			t.Fatalf("Replays = %+v, %v", rs, err)
		}
		dlID = rs[0].ID
		return d.Replayed(ctx, dlID, false, "still down")
	})
	e.tx(t, func(tx store.Tx) error {
		d := tx.Delivery(sb)
		rs, err := d.Replays(ctx, hook.ID, 10)
		if err != nil || len(rs) != 0 {
			t.Errorf("Replays after a failed replay = %+v, %v", rs, err)
		}
		dl, err := d.DeadLetters(ctx, hook.ID, 0, 10)
		if err != nil || len(dl) != 1 || dl[0].Attempts != 3 || dl[0].LastError != "still down" {
			t.Errorf("dead letters = %+v, %v", dl, err)
		}
		if _, err := d.RequestReplay(ctx, hook.ID, []int64{dlID}); err != nil {
			return err
		}
		return d.Replayed(ctx, dlID, true, "")
	})

	// Ingestion is recorded once per (account, event id).
	e.tx(t, func(tx store.Tx) error {
		d := tx.Delivery(sb)
		for i, want := range []bool{true, false} {
			got, err := d.Ingested(ctx, e.b.ID, "ev-1")
			if err != nil || got != want {
				t.Errorf("Ingested #%d = %v, %v; want %v", i, got, err, want)
			}
		}
		_, err := d.Ingested(ctx, e.a.ID, "ev-1")
		wantScope(t, "Ingested other account", err)
		return nil
	})

	// Deleting a target drops it from its rules and removes its log.
	e.tx(t, func(tx store.Tx) error { return tx.Delivery(sb).DeleteTarget(ctx, hook.ID) })
	e.view(t, func(tx store.Tx) error {
		d := tx.Delivery(sb)
		r, err := d.GetRule(ctx, rule.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]store.TargetID{cmd.ID}, r.Targets); diff != "" {
			t.Errorf("rule targets after delete (-want +got):\n%s", diff)
		}
		ts, err := d.ListTargets(ctx, "", 10)
		if err != nil || len(ts) != 1 || ts[0].ID != cmd.ID {
			t.Errorf("ListTargets = %+v, %v", ts, err)
		}
		_, err = d.Deliveries(ctx, hook.ID, 0, 10)
		wantNotFound(t, "Deliveries of a deleted target", err)
		return nil
	})
	e.tx(t, func(tx store.Tx) error {
		d := tx.Delivery(sb)
		rule.Enabled, rule.Name, rule.Targets = false, "renamed", nil
		if _, err := d.UpdateRule(ctx, rule); err != nil {
			return err
		}
		rs, err := d.ListRules(ctx, "", 10)
		if err != nil || len(rs) != 1 || rs[0].Enabled || rs[0].Name != "renamed" || len(rs[0].Targets) != 0 {
			t.Errorf("ListRules = %+v, %v", rs, err)
		}
		return d.DeleteRule(ctx, rule.ID)
	})
}

// testDeliveryCounts checks the metrics counts against findings,
// resources and jobs written through the other stores.
func testDeliveryCounts(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	le := setupLifecycle(t, nb)
	crit := pkgObs("CVE-1", "minimist", "1.2.0", model.SeverityCritical, 9.8, "1.2.6")
	high := pkgObs("CVE-2", "lodash", "4.17.15", model.SeverityHigh, 7.2, "4.17.21")
	le.reconcile(t, le.host, "scan-1", crit, high)
	le.reconcile(t, le.host, "scan-2", crit)
	le.tx(t, func(tx store.Tx) error {
		_, _, err := tx.Jobs().Enqueue(ctx, model.Job{Kind: "scan", AccountID: le.b.ID, DedupeKey: "k"})
		return err
	})
	le.view(t, func(tx store.Tx) error {
		c, err := tx.Delivery(store.AccountScope(le.b.ID)).Counts(ctx)
		if err != nil {
			return err
		}
		want := map[[2]string]int{{"CRITICAL", "ACTIVE"}: 1, {"HIGH", "CLOSED"}: 1}
		if diff := cmp.Diff(want, c.Findings); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
		if n := c.Coverage[[2]string{"INACTIVE", "PENDING_INITIAL_SCAN"}]; n != 1 {
			t.Errorf("coverage = %v", c.Coverage)
		}
		if c.Queued["scan"] != 1 || c.OldestQueued.IsZero() {
			t.Errorf("queued = %v, oldest %v", c.Queued, c.OldestQueued)
		}
		other, err := tx.Delivery(store.AccountScope(le.c.ID)).Counts(ctx)
		if err != nil {
			return err
		}
		if len(other.Findings) != 0 || len(other.Coverage) != 0 {
			t.Errorf("another account's counts: %+v", other)
		}
		return nil
	})
}

func sameType(err error, want any) bool {
	switch want.(type) {
	case *store.ScopeError:
		var e *store.ScopeError
		return errors.As(err, &e)
	case *store.NotFoundError:
		var e *store.NotFoundError
		return errors.As(err, &e)
	case *store.InvalidError:
		var e *store.InvalidError
		return errors.As(err, &e)
	case *store.ConflictError:
		var e *store.ConflictError
		return errors.As(err, &e)
	}
	return false
}
