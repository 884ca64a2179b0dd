package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/store"
)

// TestWebhookSignedAndFiltered: only the CRITICAL finding on a Prod
// resource reaches the webhook, signed, with its idempotency key.
func TestWebhookSignedAndFiltered(t *testing.T) {
	f := newFixture(t)
	h := newHook(t, nil)
	tg := f.target(t, store.TargetWebhook, delivery.Config{URL: h.srv.URL}, "whsec-1", critProd)
	f.run(t, delivery.Options{})
	f.emit(t, "Prod", "HIGH", "CRITICAL")
	f.emit(t, "Dev", "CRITICAL")
	eventually(t, 5*time.Second, "the delivery", func() bool { return len(h.requests()) >= 1 })
	// The non-matching events were read (the cursor passes them) but not
	// sent.
	eventually(t, 5*time.Second, "the cursor to pass every event", func() bool {
		var c int64
		f.st.View(context.Background(), func(tx store.Tx) error {
			x, err := tx.Delivery(store.SystemScope()).GetTarget(context.Background(), tg.ID)
			c = x.Cursor
			return err
		})
		return c == 3
	})
	rs := h.requests()
	if len(rs) != 1 {
		t.Fatalf("%d requests, want 1", len(rs))
	}
	r := rs[0]
	if err := delivery.Verify("whsec-1", r.header.Get(delivery.HeaderTimestamp), r.header.Get(delivery.HeaderSignature), r.body, time.Now(), 5*time.Minute); err != nil {
		t.Errorf("signature: %v (headers %v)", err, r.header)
	}
	if err := delivery.Verify("wrong", r.header.Get(delivery.HeaderTimestamp), r.header.Get(delivery.HeaderSignature), r.body, time.Now(), 5*time.Minute); err == nil {
		t.Error("a wrong secret verifies")
	}
	got := []string{string(r.env.DetailType), r.env.Account, r.header.Get(delivery.HeaderIdempotencyKey), r.header.Get(delivery.HeaderSeq)}
	want := []string{"Finding Created", string(f.acct), delivery.EventID(f.acct, 2), "2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	d, err := r.env.DecodeDetail()
	if err != nil || d.(*event.Finding).Severity != "CRITICAL" {
		t.Errorf("detail %+v, %v", d, err)
	}
}

// TestWebhookDownThenUp: a webhook answering 503 for a while gets every
// event, in order, with the same idempotency key on every retry.
func TestWebhookDownThenUp(t *testing.T) {
	f := newFixture(t)
	up := time.Now().Add(1500 * time.Millisecond)
	h := newHook(t, func(int) int {
		if time.Now().Before(up) {
			return http.StatusServiceUnavailable
		}
		return 0
	})
	tg := f.target(t, store.TargetWebhook, delivery.Config{URL: h.srv.URL, MaxAttempts: 50,
		BackoffMin: delivery.Duration(20 * time.Millisecond), BackoffMax: delivery.Duration(200 * time.Millisecond)}, "s", `{"detail-type":["Finding Created"]}`)
	f.run(t, delivery.Options{})
	const n = 20
	sevs := make([]string, n)
	for i := range sevs {
		sevs[i] = "LOW"
	}
	f.emit(t, "Prod", sevs[:n/2]...)
	time.Sleep(300 * time.Millisecond)
	f.emit(t, "Prod", sevs[n/2:]...)
	eventually(t, 20*time.Second, "every event", func() bool {
		ds, _ := f.log(t, tg.ID)
		return len(ds) > 0 && ds[len(ds)-1].Seq == n && ds[len(ds)-1].Outcome == store.OutcomeDelivered
	})
	// Each event's requests carry one key; the first success of each
	// event comes in sequence order.
	keys := map[string]string{}
	var delivered []int64
	for _, r := range h.requests() {
		seq := r.header.Get(delivery.HeaderSeq)
		k := r.header.Get(delivery.HeaderIdempotencyKey)
		if old, ok := keys[seq]; ok && old != k {
			t.Errorf("seq %s: keys %s and %s", seq, old, k)
		}
		keys[seq] = k
		if k != delivery.EventID(f.acct, mustInt(t, seq)) {
			t.Errorf("seq %s: key %s", seq, k)
		}
	}
	ds, dl := f.log(t, tg.ID)
	failed := 0
	for _, d := range ds {
		switch d.Outcome {
		case store.OutcomeDelivered:
			delivered = append(delivered, d.Seq)
		case store.OutcomeFailed:
			failed++
		}
	}
	want := make([]int64, n)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if diff := cmp.Diff(want, delivered); diff != "" {
		t.Errorf("delivered order (-want +got):\n%s", diff)
	}
	if failed == 0 || len(dl) != 0 {
		t.Errorf("%d failed attempts (want > 0), dead letters %+v (want none)", failed, dl)
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}

// TestDeadLetterAndReplay: an event the webhook refuses goes to the
// dead-letter list after its attempts, the next one is still delivered,
// and a replay delivers the dead letter once the webhook accepts it.
func TestDeadLetterAndReplay(t *testing.T) {
	f := newFixture(t)
	refuse := true
	h := newHook(t, func(n int) int {
		if refuse && n <= 3 {
			return http.StatusInternalServerError
		}
		return 0
	})
	tg := f.target(t, store.TargetWebhook, delivery.Config{URL: h.srv.URL, MaxAttempts: 3,
		BackoffMin: delivery.Duration(10 * time.Millisecond), BackoffMax: delivery.Duration(20 * time.Millisecond)}, "s", `{"detail-type":["Finding Created"]}`)
	r := f.run(t, delivery.Options{})
	f.emit(t, "Prod", "HIGH", "LOW")
	eventually(t, 5*time.Second, "the second event", func() bool { return len(h.requests()) >= 4 })
	var ds []store.Delivery
	var dl []store.DeadLetter
	eventually(t, 5*time.Second, "the log", func() bool {
		ds, dl = f.log(t, tg.ID)
		return len(ds) == 4
	})
	var outcomes []string
	for _, d := range ds {
		outcomes = append(outcomes, strconv.FormatInt(d.Seq, 10)+" "+d.Outcome)
	}
	if diff := cmp.Diff([]string{"1 failed", "1 failed", "1 dead-lettered", "2 delivered"}, outcomes); diff != "" {
		t.Errorf("attempts (-want +got):\n%s", diff)
	}
	if len(dl) != 1 || dl[0].Seq != 1 || dl[0].Attempts != 3 || !strings.Contains(dl[0].LastError, "500") {
		t.Fatalf("dead letters %+v", dl)
	}
	err := f.st.InTx(context.Background(), func(tx store.Tx) error {
		_, err := tx.Delivery(store.AccountScope(f.acct)).RequestReplay(context.Background(), tg.ID, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r.Notify()
	eventually(t, 5*time.Second, "the replay", func() bool {
		_, dl := f.log(t, tg.ID)
		return len(dl) == 0
	})
	last := h.requests()[len(h.requests())-1]
	if last.header.Get(delivery.HeaderSeq) != "1" || last.header.Get(delivery.HeaderIdempotencyKey) != delivery.EventID(f.acct, 1) {
		t.Errorf("replayed request headers %v", last.header)
	}
}

// TestCommandTarget: a command gets the envelope on stdin; one that hangs
// (with a child of its own) is killed at its limit and recorded failed.
func TestCommandTarget(t *testing.T) {
	f := newFixture(t)
	out := filepath.Join(t.TempDir(), "event.json")
	t.Setenv("VIGIL_TEST_SERVER_SECRET", "do-not-pass")
	ok := f.target(t, store.TargetCommand, delivery.Config{Argv: []string{"/bin/sh", "-c", `cat > "$0"; echo "$VIGIL_EVENT_SEQ$VIGIL_TEST_SERVER_SECRET" >> "$0"`, out}},
		"", `{"detail":{"severity":["CRITICAL"]}}`)
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	hang := f.target(t, store.TargetCommand, delivery.Config{Argv: []string{"/bin/sh", "-c", `sleep 60 & echo $! > "$0"; sleep 60`, pidFile},
		Timeout: delivery.Duration(300 * time.Millisecond), MaxAttempts: 1}, "", `{"detail":{"severity":["HIGH"]}}`)
	f.run(t, delivery.Options{AllowCommands: true})
	start := time.Now()
	f.emit(t, "Prod", "CRITICAL", "HIGH")
	eventually(t, 10*time.Second, "the command's output", func() bool {
		b, _ := os.ReadFile(out)
		return strings.HasSuffix(string(b), "\n1\n")
	})
	b, _ := os.ReadFile(out)
	var env event.Envelope
	line, _, _ := strings.Cut(string(b), "\n")
	if err := json.Unmarshal([]byte(line), &env); err != nil || env.ID != delivery.EventID(f.acct, 1) || env.DetailType != event.FindingCreated {
		t.Errorf("stdin %q: %+v %v", line, env, err)
	}
	var dl []store.DeadLetter
	var ds []store.Delivery
	eventually(t, 10*time.Second, "the hanging command's failure", func() bool {
		ds, dl = f.log(t, hang.ID)
		return len(dl) == 1
	})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the hanging command was stopped after %s (limit 300 ms)", took)
	}
	if len(ds) != 1 || ds[0].Outcome != store.OutcomeDead || !strings.Contains(ds[0].Error, "time limit") || ds[0].Duration > 3*time.Second {
		t.Errorf("hanging command attempts %+v", ds)
	}
	// The whole process group died: the script's background child too.
	pidText, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(pidText)))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "the background child to die", func() bool {
		// A killed child not yet reaped by init shows as a zombie.
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		return err != nil || strings.Contains(string(st), ") Z ")
	})
	okLog, _ := f.log(t, ok.ID)
	if len(okLog) != 1 || okLog[0].Outcome != store.OutcomeDelivered {
		t.Errorf("command attempts %+v", okLog)
	}
}

// TestCommandsDisabled: without AllowCommands a command target never runs.
func TestCommandsDisabled(t *testing.T) {
	f := newFixture(t)
	out := filepath.Join(t.TempDir(), "ran")
	f.target(t, store.TargetCommand, delivery.Config{Argv: []string{"/usr/bin/touch", out}}, "", `{"source":["vigil"]}`)
	r := f.run(t, delivery.Options{})
	f.emit(t, "Prod", "LOW")
	time.Sleep(300 * time.Millisecond)
	if _, err := os.Stat(out); err == nil {
		t.Error("a command target ran on a server that does not allow them")
	}
	if got := r.Targets(); len(got) != 0 {
		t.Errorf("targets running: %v", got)
	}
}

// TestSlackTarget: the message carries severity, title, resource and link.
func TestSlackTarget(t *testing.T) {
	f := newFixture(t)
	h := newHook(t, nil)
	f.target(t, store.TargetSlack, delivery.Config{URL: h.srv.URL, ConsoleURL: "https://vigil.example/"}, "", critProd)
	f.run(t, delivery.Options{})
	f.emit(t, "Prod", "CRITICAL")
	eventually(t, 5*time.Second, "the message", func() bool { return len(h.requests()) == 1 })
	var msg struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(h.requests()[0].body, &msg); err != nil {
		t.Fatal(err)
	}
	want := "*CRITICAL* Finding Created — CVE-2026-0000 - pkg\nResource: `res-0` (HOST)\n<https://vigil.example/findings/vigil:acct:finding/00000000000000000000000000000000|Details>"
	if msg.Text != "[CRITICAL] Finding Created: CVE-2026-0000 - pkg" || len(msg.Blocks) != 2 || msg.Blocks[0].Text.Text != want {
		t.Errorf("message %+v", msg)
	}
}

// TestRuleChangesApply: a rule added while the relay runs applies to the
// events after it; a disabled one stops delivering.
func TestRuleChangesApply(t *testing.T) {
	f := newFixture(t)
	h := newHook(t, nil)
	tg := f.target(t, store.TargetWebhook, delivery.Config{URL: h.srv.URL}, "s")
	f.run(t, delivery.Options{})
	f.emit(t, "Prod", "LOW")
	time.Sleep(200 * time.Millisecond)
	ctx := context.Background()
	var rule store.EventRule
	err := f.st.InTx(ctx, func(tx store.Tx) error {
		var err error
		rule, err = tx.Delivery(store.AccountScope(f.acct)).CreateRule(ctx, store.EventRule{AccountID: f.acct, Name: "all", Pattern: `{"source":["vigil"]}`,
			Enabled: true, Targets: []store.TargetID{tg.ID}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	f.emit(t, "Prod", "MEDIUM")
	eventually(t, 5*time.Second, "the delivery", func() bool { return len(h.requests()) == 1 })
	if s := h.requests()[0].header.Get(delivery.HeaderSeq); s != "2" {
		t.Errorf("delivered seq %s, want 2 (the event before the rule is not delivered)", s)
	}
	rule.Enabled = false
	if err := f.st.InTx(ctx, func(tx store.Tx) error {
		_, err := tx.Delivery(store.AccountScope(f.acct)).UpdateRule(ctx, rule)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	f.emit(t, "Prod", "HIGH")
	time.Sleep(300 * time.Millisecond)
	if n := len(h.requests()); n != 1 {
		t.Errorf("%d requests after disabling the rule, want 1", n)
	}
	if got := f.targetIDs(t); !slices.Contains(got, tg.ID) {
		t.Errorf("targets %v", got)
	}
}

func (f *fixture) targetIDs(t *testing.T) []store.TargetID {
	var ids []store.TargetID
	f.st.View(context.Background(), func(tx store.Tx) error {
		ts, err := tx.Delivery(store.AccountScope(f.acct)).ListTargets(context.Background(), "", 100)
		for _, x := range ts {
			ids = append(ids, x.ID)
		}
		return err
	})
	return ids
}

// TestTwoRelays: two relays on one database deliver each event once, in
// order (never side by side); when the one holding the target stops, the
// other takes over after the lease expires.
func TestTwoRelays(t *testing.T) {
	f := newFixture(t)
	h := newHook(t, nil)
	// The lease lasts LeaseTTL plus one attempt's time limit.
	f.target(t, store.TargetWebhook, delivery.Config{URL: h.srv.URL, Timeout: delivery.Duration(time.Second)}, "s", `{"source":["vigil"]}`)
	o := delivery.Options{Store: f.st, Logger: quiet, Poll: 20 * time.Millisecond, LeaseTTL: 300 * time.Millisecond}
	oa, ob := o, o
	oa.Owner, ob.Owner = "relay-a", "relay-b"
	ctx, cancelA := context.WithCancel(context.Background())
	doneA := make(chan error, 1)
	go func() { doneA <- delivery.New(oa).Run(ctx) }()
	time.Sleep(100 * time.Millisecond) // a takes the lease first
	f.run(t, ob)
	sevs := make([]string, 30)
	for i := range sevs {
		sevs[i] = "LOW"
	}
	f.emit(t, "Prod", sevs...)
	eventually(t, 10*time.Second, "the first events", func() bool { return len(h.requests()) >= 30 })
	cancelA()
	if err := <-doneA; err != nil {
		t.Fatal(err)
	}
	f.emit(t, "Prod", sevs...)
	eventually(t, 10*time.Second, "the events after the handover", func() bool { return len(h.requests()) >= 60 })
	time.Sleep(200 * time.Millisecond)
	// First deliveries in order; at most the event in flight when the
	// first relay stopped comes twice.
	var seqs []int64
	seen := map[int64]bool{}
	for _, r := range h.requests() {
		seq := mustInt(t, r.header.Get(delivery.HeaderSeq))
		if !seen[seq] {
			seqs = append(seqs, seq)
		}
		seen[seq] = true
	}
	want := make([]int64, 60)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if diff := cmp.Diff(want, seqs); diff != "" {
		t.Errorf("first deliveries (-want +got):\n%s", diff)
	}
	if n := len(h.requests()); n > 61 {
		t.Errorf("%d requests for 60 events: the relays delivered side by side", n)
	}
}

// TestHandoverOnCleanStop: a relay that stops cleanly gives its lease up,
// so the other relay delivers at once instead of waiting for the lease
// (a minute here) to expire.
func TestHandoverOnCleanStop(t *testing.T) {
	f := newFixture(t)
	h := newHook(t, nil)
	f.target(t, store.TargetWebhook, delivery.Config{URL: h.srv.URL, Timeout: delivery.Duration(time.Second)}, "s", `{"source":["vigil"]}`)
	o := delivery.Options{Store: f.st, Logger: quiet, Poll: 20 * time.Millisecond, LeaseTTL: time.Minute}
	oa, ob := o, o
	oa.Owner, ob.Owner = "relay-a", "relay-b"
	ctx, cancelA := context.WithCancel(context.Background())
	doneA := make(chan error, 1)
	go func() { doneA <- delivery.New(oa).Run(ctx) }()
	f.emit(t, "Prod", "LOW")
	eventually(t, 10*time.Second, "the first event from relay a", func() bool { return len(h.requests()) >= 1 })
	f.run(t, ob)
	cancelA()
	if err := <-doneA; err != nil {
		t.Fatal(err)
	}
	f.emit(t, "Prod", "LOW", "LOW")
	eventually(t, 10*time.Second, "the events after relay a stopped (relay b took the released lease)", func() bool { return len(h.requests()) >= 3 })
}
