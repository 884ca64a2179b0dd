package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/storeopen"
)

var quiet = slog.New(slog.DiscardHandler)

// fixture is a real SQLite store with one account.
type fixture struct {
	st   store.Store
	acct model.AccountID
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	ctx := context.Background()
	st, err := storeopen.Open(ctx, "", tb.TempDir(), store.Options{Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	f := &fixture{st: st}
	err = st.InTx(ctx, func(tx store.Tx) error {
		a := tx.Accounts(store.SystemScope())
		org, err := a.CreateOrganization(ctx, "acme")
		if err != nil {
			return err
		}
		acct, err := a.Create(ctx, model.Account{Org: org.ID, Name: "prod"})
		f.acct = acct.ID
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// target creates a target and a rule sending pattern's events to it.
func (f *fixture) target(tb testing.TB, kind store.TargetKind, cfg any, secret string, patterns ...string) store.Target {
	tb.Helper()
	ctx := context.Background()
	raw, err := json.Marshal(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	var t store.Target
	err = f.st.InTx(ctx, func(tx store.Tx) error {
		d := tx.Delivery(store.AccountScope(f.acct))
		var err error
		if t, err = d.CreateTarget(ctx, store.Target{AccountID: f.acct, Name: fmt.Sprintf("t-%d", time.Now().UnixNano()), Kind: kind, Config: raw, Secret: secret}); err != nil {
			return err
		}
		for i, p := range patterns {
			if _, err := d.CreateRule(ctx, store.EventRule{AccountID: f.acct, Name: fmt.Sprintf("%s-r%d", t.Name, i), Pattern: p, Enabled: true,
				Targets: []store.TargetID{t.ID}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// finding is the detail of a finding event on a resource with tags.
func finding(i int, sev string, tags map[string]string) []byte {
	d := event.Finding{FindingID: fmt.Sprintf("vigil:acct:finding/%032x", i), AccountID: "acct", Title: fmt.Sprintf("CVE-2026-%04d - pkg", i),
		Type: "PACKAGE_VULNERABILITY", Severity: sev, Status: "ACTIVE", FixAvailable: "YES", ExploitAvailable: "NO",
		FirstObservedAt: time.Unix(1.7e9, 0).UTC(), LastObservedAt: time.Unix(1.7e9, 0).UTC(), UpdatedAt: time.Unix(1.7e9, 0).UTC(),
		Remediation: event.Remediation{Recommendation: event.Recommendation{Text: "upgrade"}},
		Resources:   []event.Resource{{ID: fmt.Sprintf("res-%d", i), Type: "HOST", Tags: tags}}}
	b, _ := json.Marshal(&d)
	return b
}

// emit appends finding.created events, one per severity given, on
// resources tagged Env=env.
func (f *fixture) emit(tb testing.TB, env string, sevs ...string) {
	tb.Helper()
	ctx := context.Background()
	err := f.st.InTx(ctx, func(tx store.Tx) error {
		var evs []model.Event
		for i, s := range sevs {
			evs = append(evs, model.Event{AccountID: f.acct, Type: "finding.created", Subject: fmt.Sprint(i), Payload: finding(i, s, map[string]string{"Env": env})})
		}
		return tx.Outbox(store.AccountScope(f.acct)).Append(ctx, evs...)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// run runs a relay until the test ends.
func (f *fixture) run(tb testing.TB, o delivery.Options) *delivery.Relay {
	tb.Helper()
	o.Store, o.Logger = f.st, quiet
	if o.Poll == 0 {
		o.Poll = 50 * time.Millisecond
	}
	r := delivery.New(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("Run: %v", err)
		}
	})
	return r
}

// request is what a test webhook received.
type request struct {
	header http.Header
	body   []byte
	env    event.Envelope
}

// hook is a webhook receiver on 127.0.0.1; fail decides, per request,
// the status to answer (200 when nil or 0).
type hook struct {
	mu   sync.Mutex
	reqs []request
	srv  *httptest.Server
	fail func(n int) int
}

func newHook(tb testing.TB, fail func(n int) int) *hook {
	h := &hook{fail: fail}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		rq := request{header: r.Header.Clone(), body: body}
		_ = json.Unmarshal(body, &rq.env)
		h.reqs = append(h.reqs, rq)
		n := len(h.reqs)
		h.mu.Unlock()
		if h.fail != nil {
			if st := h.fail(n); st != 0 {
				w.WriteHeader(st)
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	tb.Cleanup(h.srv.Close)
	return h
}

func (h *hook) requests() []request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]request(nil), h.reqs...)
}

// eventually polls cond until it holds or the timeout passes.
func eventually(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// log returns the target's attempts, oldest first, and dead letters.
func (f *fixture) log(tb testing.TB, id store.TargetID) ([]store.Delivery, []store.DeadLetter) {
	tb.Helper()
	ctx := context.Background()
	var ds []store.Delivery
	var dl []store.DeadLetter
	err := f.st.View(ctx, func(tx store.Tx) error {
		d := tx.Delivery(store.AccountScope(f.acct))
		var err error
		if ds, err = d.Deliveries(ctx, id, 0, 1000); err != nil {
			return err
		}
		dl, err = d.DeadLetters(ctx, id, 0, 1000)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	for i, j := 0, len(ds)-1; i < j; i, j = i+1, j-1 {
		ds[i], ds[j] = ds[j], ds[i]
	}
	return ds, dl
}

const critProd = `{"source":["vigil"],"detail-type":["Finding Created"],"detail":{"severity":["CRITICAL"],"resources":{"tags":{"Env":["Prod"]}}}}`
