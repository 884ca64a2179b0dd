package delivery_test

import (
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		kind    store.TargetKind
		in      string
		want    delivery.Config
		wantErr string // the ConfigError's field
	}{
		{"webhook defaults", store.TargetWebhook, `{"url":"https://hooks.example/x"}`, delivery.Config{URL: "https://hooks.example/x",
			Timeout: delivery.Duration(10 * time.Second), MaxAttempts: 12, BackoffMin: delivery.Duration(time.Second), BackoffMax: delivery.Duration(5 * time.Minute)}, ""},
		{"command with limits", store.TargetCommand, `{"argv":["/usr/local/bin/close-port","--yes"],"timeout":"30s","maxAttempts":2,"backoffMin":"2s","backoffMax":"10s"}`,
			delivery.Config{Argv: []string{"/usr/local/bin/close-port", "--yes"}, Timeout: delivery.Duration(30 * time.Second), MaxAttempts: 2,
				BackoffMin: delivery.Duration(2 * time.Second), BackoffMax: delivery.Duration(10 * time.Second)}, ""},
		{"slack with console", store.TargetSlack, `{"url":"http://127.0.0.1:9/s","consoleUrl":"https://vigil.example"}`, delivery.Config{URL: "http://127.0.0.1:9/s",
			ConsoleURL: "https://vigil.example", Timeout: delivery.Duration(10 * time.Second), MaxAttempts: 12, BackoffMin: delivery.Duration(time.Second),
			BackoffMax: delivery.Duration(5 * time.Minute)}, ""},
		{"no url", store.TargetWebhook, `{}`, delivery.Config{}, "url"},
		{"ftp url", store.TargetForward, `{"url":"ftp://x/"}`, delivery.Config{}, "url"},
		{"credentials in url", store.TargetWebhook, `{"url":"https://u:p@x/"}`, delivery.Config{}, "url"},
		{"argv on a webhook", store.TargetWebhook, `{"url":"https://x/","argv":["sh"]}`, delivery.Config{}, "argv"},
		{"empty argv", store.TargetCommand, `{"argv":[]}`, delivery.Config{}, "argv"},
		{"url on a command", store.TargetCommand, `{"argv":["true"],"url":"https://x/"}`, delivery.Config{}, "url"},
		{"unknown field", store.TargetWebhook, `{"url":"https://x/","header":"x"}`, delivery.Config{}, "config"},
		{"bad duration", store.TargetWebhook, `{"url":"https://x/","timeout":10}`, delivery.Config{}, "config"},
		{"timeout too long", store.TargetWebhook, `{"url":"https://x/","timeout":"11m"}`, delivery.Config{}, "timeout"},
		{"too many attempts", store.TargetWebhook, `{"url":"https://x/","maxAttempts":51}`, delivery.Config{}, "maxAttempts"},
		{"backoff inverted", store.TargetWebhook, `{"url":"https://x/","backoffMin":"2m","backoffMax":"1m"}`, delivery.Config{}, "backoff"},
		{"trailing data", store.TargetWebhook, `{"url":"https://x/"} {}`, delivery.Config{}, "config"},
		{"unknown kind", "pigeon", `{}`, delivery.Config{}, "kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := delivery.ParseConfig(tc.kind, []byte(tc.in))
			if tc.wantErr != "" {
				var ce *delivery.ConfigError
				if !errors.As(err, &ce) || ce.Field != tc.wantErr {
					t.Fatalf("err = %v, want a ConfigError on %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestEventID(t *testing.T) {
	a := delivery.EventID("acc-1", 42)
	if a != delivery.EventID("acc-1", 42) || !uuidRE.MatchString(a) {
		t.Errorf("EventID = %q (want a stable version-8 UUID)", a)
	}
	for _, other := range []string{delivery.EventID("acc-1", 43), delivery.EventID("acc-2", 42)} {
		if other == a {
			t.Errorf("EventID collides: %q", a)
		}
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":"x"}`)
	now := time.Unix(1_800_000_000, 0)
	sig := delivery.Sign("k", now.Unix(), body)
	tests := []struct {
		name, secret, ts, sig string
		body                  []byte
		at                    time.Time
		ok                    bool
	}{
		{"good", "k", "1800000000", sig, body, now, true},
		{"good among rotated", "k", "1800000000", "v1=00, " + sig, body, now, true},
		{"wrong secret", "j", "1800000000", sig, body, now, false},
		{"tampered body", "k", "1800000000", sig, []byte(`{"id":"y"}`), now, false},
		{"other timestamp", "k", "1800000001", sig, body, now, false},
		{"too old", "k", "1800000000", sig, body, now.Add(6 * time.Minute), false},
		{"not a number", "k", "soon", sig, body, now, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := delivery.Verify(tc.secret, tc.ts, tc.sig, tc.body, tc.at, 5*time.Minute)
			if (err == nil) != tc.ok {
				t.Errorf("Verify = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestEnvelope: outbox types map to detail-types and resources; resource
// bookkeeping is not published.
func TestEnvelope(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 123, time.UTC)
	cov := []byte(`{"resource":{"id":"res-9","type":"IMAGE","name":"app"},"scanType":"PACKAGE","previous":null,"current":{"status":"INACTIVE","reason":"EXCLUDED_BY_TAG"}}`)
	adv := []byte(`{"snapshotId":"s2","feeds":[],"diff":{"added":1,"modified":0,"withdrawn":0},"resourcesAffected":3}`)
	tests := []struct {
		name string
		ev   model.Event
		want *event.Envelope
	}{
		{"finding", model.Event{Seq: 4, AccountID: "acc-1", Type: "finding.closed", Payload: finding(1, "LOW", nil), CreatedAt: at},
			&event.Envelope{Version: "0", ID: delivery.EventID("acc-1", 4), DetailType: event.FindingClosed, Source: "vigil", Account: "acc-1",
				Time: at.Truncate(time.Second), Region: "eu", Resources: []string{"res-1"}, Detail: finding(1, "LOW", nil)}},
		{"coverage", model.Event{Seq: 5, AccountID: "acc-1", Type: "coverage.changed", Payload: cov, CreatedAt: at},
			&event.Envelope{Version: "0", ID: delivery.EventID("acc-1", 5), DetailType: event.CoverageChanged, Source: "vigil", Account: "acc-1",
				Time: at.Truncate(time.Second), Region: "eu", Resources: []string{"res-9"}, Detail: cov}},
		{"advisory update", model.Event{Seq: 7, AccountID: "acc-1", Type: event.OutboxAdvisoryDatabaseUpdated, Payload: adv, CreatedAt: at},
			&event.Envelope{Version: "0", ID: delivery.EventID("acc-1", 7), DetailType: event.AdvisoryDatabaseUpdated, Source: "vigil", Account: "acc-1",
				Time: at.Truncate(time.Second), Region: "eu", Resources: []string{}, Detail: adv}},
		{"bookkeeping", model.Event{Seq: 6, AccountID: "acc-1", Type: "resource.registered", Payload: []byte(`{}`), CreatedAt: at}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := delivery.Envelope(&tc.ev, "eu")
			if err != nil || ok != (tc.want != nil) {
				t.Fatalf("Envelope = %v, %v, %v", got, ok, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
