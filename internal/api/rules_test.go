package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/store"
)

// deliveryObjects holds B's event rule and target per world.
var deliveryObjects sync.Map // *world → map[string]string

// deliveryIDs creates B's event rule and webhook target (once per world),
// adds what only B may see to w.secrets, and returns the ids for the
// isolation probes by path prefix.
func deliveryIDs(t *testing.T, w *world) map[string]string {
	t.Helper()
	if v, ok := deliveryObjects.Load(w); ok {
		return v.(map[string]string)
	}
	ctx := context.Background()
	var rule store.EventRule
	var tg store.Target
	err := w.st.InTx(ctx, func(tx store.Tx) error {
		d := tx.Delivery(store.AccountScope(w.accB.ID))
		var err error
		if tg, err = d.CreateTarget(ctx, store.Target{AccountID: w.accB.ID, Name: "target-b-secret", Kind: store.TargetWebhook,
			Config: []byte(`{"url":"http://127.0.0.1:9/hook-b-secret"}`), Secret: "whsec-b-secret"}); err != nil {
			return err
		}
		rule, err = d.CreateRule(ctx, store.EventRule{AccountID: w.accB.ID, Name: "event-rule-b-secret", Pattern: `{"source":["vigil"]}`,
			Enabled: true, Targets: []store.TargetID{tg.ID}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, "target-b-secret", "hook-b-secret", "whsec-b-secret", "event-rule-b-secret", string(tg.ID), string(rule.ID))
	m := map[string]string{"/v1/rules/": string(rule.ID), "/v1/targets/": string(tg.ID)}
	deliveryObjects.Store(w, m)
	return m
}

// deliveryBodies are the isolation probes' bodies of the delivery routes.
func deliveryBodies(w *world) map[string]any {
	b := string(w.accB.ID)
	rule := map[string]any{"name": "x", "accountId": b, "pattern": map[string]any{"source": []string{"vigil"}}}
	target := map[string]any{"name": "x", "kind": "webhook", "accountId": b, "config": map[string]any{"url": "http://127.0.0.1:9/x"}}
	return map[string]any{
		"POST /v1/rules":                            rule,
		"PUT /v1/rules/{id}":                        rule,
		"POST /v1/targets":                          target,
		"PUT /v1/targets/{id}":                      target,
		"POST /v1/targets/{id}/dead-letters/replay": map[string]any{},
		"POST /v1/events/ingest":                    map[string]any{"events": []any{}},
	}
}

// TestEventRulesAPI walks rules and targets through the API as B: the
// secret is shown once, invalid patterns and configs are refused, every
// change is audited.
func TestEventRulesAPI(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			w := newWorld(t, be.open(t))
			st, body := call(t, w.srv, w.tokB, "POST", "/v1/targets", map[string]any{"name": "siem", "kind": "webhook",
				"config": map[string]any{"url": "https://siem.example/hook", "maxAttempts": 3}})
			if st != http.StatusCreated {
				t.Fatalf("create target: %d %s", st, body)
			}
			created := decode[api.CreatedTarget](t, body)
			if !strings.HasPrefix(created.Secret, "whsec_") || !created.Target.HasSecret {
				t.Errorf("created: %s", body)
			}
			id := string(created.Target.ID)
			for _, path := range []string{"/v1/targets/" + id, "/v1/targets"} {
				st, body := call(t, w.srv, w.tokB, "GET", path, nil)
				if st != http.StatusOK || contains(body, created.Secret) || !contains(body, `"maxAttempts":3`) {
					t.Errorf("GET %s: %d %s", path, st, body)
				}
			}
			bad := []struct {
				name, method, path string
				body               any
				code               int
			}{
				{"pattern not a pattern", "POST", "/v1/rules", map[string]any{"name": "r", "pattern": map[string]any{"detail": []any{map[string]any{"bogus": 1}}}}, 400},
				{"pattern missing", "POST", "/v1/rules", map[string]any{"name": "r"}, 400},
				{"unknown target", "POST", "/v1/rules", map[string]any{"name": "r", "pattern": map[string]any{"source": []string{"vigil"}}, "targets": []string{"tgt-nope"}}, 404},
				{"config with an unknown field", "POST", "/v1/targets", map[string]any{"name": "t", "kind": "webhook", "config": map[string]any{"url": "https://x/", "insecure": true}}, 400},
				{"forward without a token", "POST", "/v1/targets", map[string]any{"name": "t", "kind": "forward", "config": map[string]any{"url": "https://hub.example"}}, 400},
				{"kind change", "PUT", "/v1/targets/" + id, map[string]any{"name": "t", "kind": "slack", "config": map[string]any{"url": "https://x/"}}, 400},
				{"command targets disabled", "POST", "/v1/targets", map[string]any{"name": "t", "kind": "command", "config": map[string]any{"argv": []string{"/bin/true"}}}, 403},
			}
			for _, tc := range bad {
				st, body := call(t, w.srv, w.tokB, tc.method, tc.path, tc.body)
				if st != tc.code {
					t.Errorf("%s: %d %s, want %d", tc.name, st, body, tc.code)
				}
			}
			pat := `{"detail-type":["Finding Created"],"detail":{"severity":["CRITICAL"]}}`
			st, body = call(t, w.srv, w.tokB, "POST", "/v1/rules", map[string]any{"name": "crit", "pattern": json.RawMessage(pat), "targets": []string{id}})
			if st != http.StatusCreated {
				t.Fatalf("create rule: %d %s", st, body)
			}
			rule := decode[api.EventRuleView](t, body)
			if rule.Pattern == nil || string(rule.Pattern) != pat || !rule.Enabled || len(rule.Targets) != 1 {
				t.Errorf("rule: %s", body)
			}
			off := false
			st, body = call(t, w.srv, w.tokB, "PUT", "/v1/rules/"+string(rule.ID), api.EventRuleRequest{Name: "crit", Pattern: json.RawMessage(pat), Enabled: &off})
			if st != http.StatusOK || decode[api.EventRuleView](t, body).Enabled {
				t.Errorf("disable rule: %d %s", st, body)
			}
			st, body = call(t, w.srv, w.tokB, "GET", "/v1/targets/"+id+"/deliveries", nil)
			if st != http.StatusOK || !contains(body, `"deliveries":[]`) {
				t.Errorf("deliveries: %d %s", st, body)
			}
			st, body = call(t, w.srv, w.tokB, "POST", "/v1/targets/"+id+"/dead-letters/replay", map[string]any{})
			if st != http.StatusOK || !contains(body, `"replaying":0`) {
				t.Errorf("replay: %d %s", st, body)
			}
			for _, path := range []string{"/v1/rules/" + string(rule.ID), "/v1/targets/" + id} {
				if st, body := call(t, w.srv, w.tokB, "DELETE", path, nil); st != http.StatusOK {
					t.Errorf("DELETE %s: %d %s", path, st, body)
				}
			}
			st, body = call(t, w.srv, w.tokB, "GET", "/v1/audit?limit=1000", nil)
			var actions []string
			for _, e := range decode[struct {
				Entries []struct {
					Action string `json:"action"`
				} `json:"entries"`
			}](t, body).Entries {
				if strings.HasPrefix(e.Action, "target.") || strings.HasPrefix(e.Action, "event-rule.") {
					actions = append(actions, e.Action)
				}
			}
			want := []string{"target.create", "event-rule.create", "event-rule.update", "target.replay", "event-rule.delete", "target.delete"}
			if diff := cmp.Diff(want, actions); diff != "" || contains(body, created.Secret) {
				t.Errorf("audit (-want +got):\n%s\n%s", diff, body)
			}
		})
	}
}

// TestIngest: forwarded envelopes are recorded once each, whole, in the
// caller's outbox; malformed ones are refused.
func TestIngest(t *testing.T) {
	w := newWorld(t, openSQLite(t))
	env, err := event.New(event.ScanCompleted, delivery.EventID("acc-origin", 7), "acc-origin", "eu-site", time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC),
		[]string{"res-1"}, &event.ScanCompletedDetail{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := env.Marshal()
	req := map[string]any{"events": []json.RawMessage{raw, raw}}
	st, body := call(t, w.srv, w.tokB, "POST", "/v1/events/ingest", req)
	if st != http.StatusOK || decode[api.IngestAnswer](t, body) != (api.IngestAnswer{Accepted: 1, Duplicates: 1}) {
		t.Fatalf("ingest: %d %s", st, body)
	}
	st, body = call(t, w.srv, w.tokB, "POST", "/v1/events/ingest", req)
	if st != http.StatusOK || decode[api.IngestAnswer](t, body) != (api.IngestAnswer{Duplicates: 2}) {
		t.Errorf("ingest again: %d %s", st, body)
	}
	st, body = call(t, w.srv, w.tokB, "GET", "/v1/events?limit=1000", nil)
	var forwarded []api.EventView
	for _, e := range decode[api.EventList](t, body).Events {
		if e.Type == delivery.TypeForwarded {
			forwarded = append(forwarded, e)
		}
	}
	if len(forwarded) != 1 || !contains(forwarded[0].Payload, `"region":"eu-site"`) || forwarded[0].Subject != env.ID {
		t.Errorf("forwarded events: %+v", forwarded)
	}
	for _, bad := range []string{`{"version":"0"}`, `{"version":"0","id":"x","detail-type":"Nope","source":"vigil","account":"a","time":"2026-01-01T00:00:00Z","region":"r","resources":[],"detail":{}}`} {
		if st, body := call(t, w.srv, w.tokB, "POST", "/v1/events/ingest", map[string]any{"events": []json.RawMessage{json.RawMessage(bad)}}); st != http.StatusBadRequest {
			t.Errorf("ingest %s: %d %s", bad, st, body)
		}
	}
	if st, _ := call(t, w.srv, w.tokBRead, "POST", "/v1/events/ingest", req); st != http.StatusForbidden {
		t.Errorf("read-only ingest: %d", st)
	}
}
