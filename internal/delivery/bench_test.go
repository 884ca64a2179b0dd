package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// benchRules returns n patterns of the kinds users write: severity and
// team tag (exact values), title prefixes, score ranges, anything-but
// and wildcard, exists, and $or.
func benchRules(n int) []string {
	sevs := []string{"CRITICAL", "HIGH", "MEDIUM", "LOW"}
	out := make([]string, 0, n)
	for i := range n {
		var p string
		switch i % 10 {
		case 0:
			p = fmt.Sprintf(`{"detail":{"title":[{"prefix":"CVE-2026-%d"}]}}`, i)
		case 1:
			p = fmt.Sprintf(`{"detail-type":["Finding Created"],"detail":{"score":[{"numeric":[">=",%d,"<",%d]}],"resources":{"tags":{"Team":["team-%d"]}}}}`, i%10, i%10+1, i%50)
		case 2:
			p = fmt.Sprintf(`{"detail":{"severity":[{"anything-but":["LOW","NONE"]}],"resources":{"id":[{"wildcard":"res-%d*"}]}}}`, i)
		case 3:
			p = fmt.Sprintf(`{"detail":{"kev":{"dateAdded":[{"exists":true}]},"resources":{"tags":{"Team":["team-%d"]}}}}`, i%50)
		case 4:
			p = fmt.Sprintf(`{"$or":[{"detail":{"severity":["CRITICAL"]}},{"detail":{"fixAvailable":["YES"],"resources":{"tags":{"Team":["team-%d"]}}}}]}`, i%50)
		default:
			p = fmt.Sprintf(`{"source":["vigil"],"detail-type":["Finding Created"],"detail":{"severity":[%q],"resources":{"tags":{"Team":["team-%d"]}}}}`, sevs[i%4], i%50)
		}
		out = append(out, p)
	}
	return out
}

// BenchmarkRelayWebhook measures the relay end to end: b.N finding events
// already in a real SQLite outbox, matched against 1,000 rules of one
// target, delivered one by one (signed) to a webhook on 127.0.0.1, the
// cursor and every attempt committed. Run with -benchtime=20000x.
func BenchmarkRelayWebhook(b *testing.B) {
	f := newFixture(b)
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	tg := f.target(b, store.TargetWebhook, delivery.Config{URL: srv.URL}, "bench-secret", benchRules(1000)...)
	ctx := context.Background()
	sevs := []string{"CRITICAL", "HIGH", "MEDIUM", "LOW"}
	err := f.st.InTx(ctx, func(tx store.Tx) error {
		evs := make([]model.Event, 0, b.N)
		for i := range b.N {
			// A team and severity some severity-and-team rule names.
			team := (i*10 + 5 + i%5) % 50
			evs = append(evs, model.Event{AccountID: f.acct, Type: "finding.created", Subject: fmt.Sprint(i),
				Payload: finding(i, sevs[team%4], map[string]string{"Team": fmt.Sprintf("team-%d", team), "Env": "Prod"})})
		}
		return tx.Outbox(store.AccountScope(f.acct)).Append(ctx, evs...)
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	f.run(b, delivery.Options{Poll: 10 * time.Millisecond})
	for {
		var cur int64
		err := f.st.View(ctx, func(tx store.Tx) error {
			t, err := tx.Delivery(store.SystemScope()).GetTarget(ctx, tg.ID)
			cur = t.Cursor
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if cur >= int64(b.N) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	el, used := time.Since(start), cpuTime()-cpu
	b.StopTimer()
	if got.Load() < int64(b.N) {
		b.Fatalf("%d deliveries for %d events (every event matches a rule)", got.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "events/s")
	if used > 0 {
		// Work per CPU-second of the whole process (relay, SQLite and the
		// webhook server alike): the rate an idle machine would reach.
		b.ReportMetric(float64(b.N)/used.Seconds(), "events/cpu-s")
	}
	b.ReportMetric(float64(got.Load())/float64(b.N), "deliveries/event")
}

func TestBenchRulesCompile(t *testing.T) {
	f := newFixture(t)
	for i, p := range benchRules(20) {
		if !json.Valid([]byte(p)) {
			t.Fatalf("rule %d: %s", i, p)
		}
	}
	// Every benchmark rule is accepted by the store and the relay.
	tg := f.target(t, store.TargetWebhook, delivery.Config{URL: "http://127.0.0.1:9/"}, "s", benchRules(20)...)
	r := f.run(t, delivery.Options{})
	eventually(t, 5*time.Second, "the target's loop", func() bool { return len(r.Targets()) == 1 && r.Targets()[0] == tg.ID })
}
