package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

func TestTokenLifecycle(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			w := newWorld(t, be.open(t))
			status, body := call(t, w.srv, w.tokB, "POST", "/v1/tokens", map[string]any{"name": "ci", "role": "read-only"})
			if status != http.StatusCreated {
				t.Fatalf("create: %d %s", status, body)
			}
			created := decode[api.CreatedToken](t, body)
			if created.Secret == "" || created.Token.Role != model.RoleReadOnly || created.Token.AccountID != w.accB.ID {
				t.Fatalf("created %+v", created)
			}
			if contains(body, "hash") {
				t.Errorf("the token's hash is shown: %s", body)
			}
			if status, _ := call(t, w.srv, created.Secret, "GET", "/v1/resources", nil); status != http.StatusOK {
				t.Errorf("new token: %d", status)
			}
			status, body = call(t, w.srv, w.tokB, "GET", "/v1/tokens", nil)
			list := decode[api.TokenList](t, body)
			if status != http.StatusOK || len(list.Tokens) != 3 {
				t.Errorf("list: %d %s", status, body)
			}
			if status, body := call(t, w.srv, w.tokB, "DELETE", "/v1/tokens/"+string(created.Token.ID), nil); status != http.StatusOK {
				t.Fatalf("revoke: %d %s", status, body)
			}
			status, body = call(t, w.srv, created.Secret, "GET", "/v1/resources", nil)
			if status != http.StatusUnauthorized || errorCode(t, body) != api.CodeUnauthenticated {
				t.Errorf("revoked token: %d %s", status, body)
			}
			// A member token cannot manage tokens.
			status, body = call(t, w.srv, w.tokB, "POST", "/v1/tokens", map[string]any{"name": "m", "role": "member"})
			member := decode[api.CreatedToken](t, body)
			if status, _ := call(t, w.srv, member.Secret, "POST", "/v1/tokens", map[string]any{"name": "x"}); status != http.StatusForbidden {
				t.Errorf("member creating a token: %d", status)
			}
		})
	}
}

func TestAccounts(t *testing.T) {
	w := newWorld(t, openSQLite(t))
	// The delegated admin sees the whole organisation and creates accounts.
	status, body := call(t, w.srv, w.tokA, "GET", "/v1/accounts", nil)
	var names []string
	for _, a := range decode[api.AccountList](t, body).Accounts {
		names = append(names, a.Name)
	}
	slices.Sort(names)
	if diff := cmp.Diff([]string{"account-a", "account-b-secret", "account-d"}, names); status != http.StatusOK || diff != "" {
		t.Errorf("accounts of A (%d):\n%s", status, diff)
	}
	status, body = call(t, w.srv, w.tokA, "POST", "/v1/accounts", map[string]any{"name": "new"})
	if a := decode[model.Account](t, body); status != http.StatusCreated || a.Org != w.organization1 || a.DelegatedAdmin {
		t.Errorf("create: %d %s", status, body)
	}
	// A member account's admin sees itself only and cannot create accounts.
	status, body = call(t, w.srv, w.tokB, "GET", "/v1/accounts", nil)
	if l := decode[api.AccountList](t, body); status != http.StatusOK || len(l.Accounts) != 1 || l.Accounts[0].ID != w.accB.ID {
		t.Errorf("accounts of B: %d %s", status, body)
	}
	if status, body := call(t, w.srv, w.tokB, "POST", "/v1/accounts", map[string]any{"name": "x"}); status != http.StatusForbidden {
		t.Errorf("B creating an account: %d %s", status, body)
	}
}

func TestErrorShape(t *testing.T) {
	w := newWorld(t, openSQLite(t))
	for _, c := range []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"GET", "/v1/nothing", nil, 404, api.CodeNotFound},
		{"GET", "/v1/resources/res-00000000000000000000", nil, 404, api.CodeNotFound},
		{"GET", "/v1/resources?limit=0", nil, 400, api.CodeBadRequest},
		{"GET", "/v1/findings?severityy=HIGH", nil, 400, api.CodeBadRequest},
		{"GET", "/v1/findings?severity.like=HIGH", nil, 400, api.CodeBadRequest},
		{"GET", "/v1/findings?cursor=garbage", nil, 400, api.CodeBadRequest},
		{"POST", "/v1/resources/images", []byte(`{"reference":"UPPER/Case::bad"}`), 400, api.CodeBadRequest},
		{"POST", "/v1/resources/images", []byte(`{"reference":"a/b:1","extra":1}`), 400, api.CodeBadRequest},
		{"POST", "/v1/tokens", map[string]any{"name": "x", "role": "root"}, 400, api.CodeBadRequest},
		{"POST", "/v1/suppression-rules", map[string]any{"name": "x", "filterCriteria": map[string]any{}}, 400, api.CodeBadRequest},
	} {
		status, body := call(t, w.srv, w.tokB, c.method, c.path, c.body)
		if status != c.status || errorCode(t, body) != c.code {
			t.Errorf("%s %s: %d %s, want %d %s", c.method, c.path, status, body, c.status, c.code)
		}
	}
}

func TestFindingsAndRules(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			w := newWorld(t, be.open(t))
			status, body := call(t, w.srv, w.tokB, "GET", "/v1/findings?severity=HIGH&vulnerablePackageName.prefix=lod", nil)
			l := decode[api.FindingList](t, body)
			if status != http.StatusOK || len(l.Findings) != 1 || l.Findings[0].ID != w.findingB {
				t.Fatalf("findings: %d %s", status, body)
			}
			if _, body := call(t, w.srv, w.tokB, "GET", "/v1/findings?severity=LOW", nil); len(decode[api.FindingList](t, body).Findings) != 0 {
				t.Errorf("LOW findings: %s", body)
			}
			status, body = call(t, w.srv, w.tokB, "GET", "/v1/findings/export?format=csv", nil)
			if status != http.StatusOK || !contains(body, "CVE-2099-0001") || !contains(body, "packageName") {
				t.Errorf("csv: %d %s", status, body)
			}
			status, body = call(t, w.srv, w.tokB, "GET", "/v1/findings/aggregations?by=SEVERITY", nil)
			agg := decode[api.AggregationList](t, body)
			if status != http.StatusOK || len(agg.Groups) != 1 || agg.Groups[0].Key != "HIGH" || agg.Groups[0].Counts.Total != 1 {
				t.Errorf("aggregation: %d %s", status, body)
			}
			// A rule on HIGH suppresses the finding at once; deleting it
			// makes it ACTIVE again.
			status, body = call(t, w.srv, w.tokB, "POST", "/v1/suppression-rules", map[string]any{"name": "accept", "reason": "test",
				"filterCriteria": map[string]any{"severity": []map[string]string{{"comparison": "EQUALS", "value": "HIGH"}}}})
			rule := decode[model.SuppressionRule](t, body)
			if status != http.StatusCreated {
				t.Fatalf("rule: %d %s", status, body)
			}
			_, body = call(t, w.srv, w.tokB, "GET", "/v1/findings/"+string(w.findingB), nil)
			if f := decode[model.Finding](t, body); f.Status != model.StatusSuppressed {
				t.Errorf("after the rule: %s", f.Status)
			}
			call(t, w.srv, w.tokB, "DELETE", "/v1/suppression-rules/"+string(rule.ID), nil)
			_, body = call(t, w.srv, w.tokB, "GET", "/v1/findings/"+string(w.findingB), nil)
			if f := decode[model.Finding](t, body); f.Status != model.StatusActive {
				t.Errorf("after deleting the rule: %s", f.Status)
			}
			status, body = call(t, w.srv, w.tokB, "GET", "/v1/events?since=0", nil)
			ev := decode[api.EventList](t, body)
			var types []string
			for _, e := range ev.Events {
				types = append(types, e.Type)
			}
			if status != http.StatusOK || len(types) < 3 {
				t.Errorf("events: %d %v", status, types)
			}
			_, body = call(t, w.srv, w.tokB, "GET", "/v1/resources/"+string(w.resB.ID)+"/sbom?format=spdx", nil)
			if !contains(body, "lodash") || !contains(body, "SPDX") {
				t.Errorf("spdx: %.200s", body)
			}
		})
	}
}

// TestEventsBlocking: a request with wait blocks until an event of the
// scope is committed, and answers at once with it; X-Vigil-Index carries
// the last sequence number.
func TestEventsBlocking(t *testing.T) {
	w := newWorld(t, openSQLite(t))
	_, body := call(t, w.srv, w.tokB, "GET", "/v1/events?since=0", nil)
	last := decode[api.EventList](t, body).Last
	type answer struct {
		status int
		body   []byte
		took   time.Duration
	}
	done := make(chan answer, 1)
	go func() {
		start := time.Now()
		st, b := call(t, w.srv, w.tokB, "GET", fmt.Sprintf("/v1/events?since=%d&wait=20s", last), nil)
		done <- answer{st, b, time.Since(start)}
	}()
	time.Sleep(300 * time.Millisecond)
	// Another account's event does not wake B's request.
	appendEvent(t, w, w.accD.ID, "other.event")
	time.Sleep(300 * time.Millisecond)
	appendEvent(t, w, w.accB.ID, "mine.event")
	select {
	case a := <-done:
		l := decode[api.EventList](t, a.body)
		if a.status != http.StatusOK || len(l.Events) != 1 || l.Events[0].Type != "mine.event" || l.Last <= last || a.took > 10*time.Second {
			t.Errorf("blocking events: %d %s after %s", a.status, a.body, a.took)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the blocking request did not return after the event")
	}
	if status, _ := call(t, w.srv, w.tokB, "GET", "/v1/events?wait=2m", nil); status != http.StatusBadRequest {
		t.Errorf("wait above the bound: %d", status)
	}
}

func appendEvent(t *testing.T, w *world, acct model.AccountID, typ string) {
	t.Helper()
	ctx := context.Background()
	if err := w.st.InTx(ctx, func(tx store.Tx) error {
		return tx.Outbox(store.AccountScope(acct)).Append(ctx, model.Event{AccountID: acct, Type: typ, Payload: []byte(`{"x":1}`)})
	}); err != nil {
		t.Fatal(err)
	}
}
