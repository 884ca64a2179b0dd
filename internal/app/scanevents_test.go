package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/app"
	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/model"
)

// eventSchema compiles the published schema of a detail-type (with
// defs.json, offline).
func eventSchema(t *testing.T, dt event.DetailType) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, f := range []string{"schemas/defs.json", event.SchemaFile(dt)} {
		data, err := event.Schemas.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(event.SchemaBaseURI+path.Base(f), doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile(event.SchemaBaseURI + path.Base(event.SchemaFile(dt)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// publishedEvents returns the outbox events of outbox type typ (for
// subject, when not empty), each checked, as the envelope the delivery
// relay publishes, against the schema of its detail-type.
func publishedEvents(t *testing.T, c *client, typ, subject string) []api.EventView {
	t.Helper()
	dt, ok := event.DetailTypeOfOutbox(typ)
	if !ok {
		t.Fatalf("%s is not a published outbox type", typ)
	}
	schema := eventSchema(t, dt)
	var ev api.EventList
	c.do("GET", "/v1/events?since=0&limit=1000", nil, &ev)
	var out []api.EventView
	for _, e := range ev.Events {
		if e.Type != typ || (subject != "" && e.Subject != subject) {
			continue
		}
		env, ok, err := delivery.Envelope(&model.Event{Seq: e.Seq, AccountID: e.AccountID, Type: e.Type, Subject: e.Subject,
			Payload: e.Payload, CreatedAt: e.CreatedAt}, "local")
		if err != nil || !ok {
			t.Fatalf("envelope of %s: %v, %v", e.Payload, ok, err)
		}
		data, err := env.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(doc); err != nil {
			t.Errorf("event %s does not follow the schema: %v", data, err)
		}
		out = append(out, e)
	}
	return out
}

// openCounts counts a resource's ACTIVE findings by severity, as listed
// by the API.
func openCounts(t *testing.T, c *client, id model.ResourceID) event.SeverityCounts {
	t.Helper()
	var fl api.FindingList
	c.do("GET", "/v1/findings?resourceId="+string(id)+"&limit=1000", nil, &fl)
	var mc model.SeverityCounts
	for _, f := range fl.Findings {
		if f.Status == model.StatusActive {
			mc.Add(f.Severity, 1)
		}
	}
	return event.SeverityCounts{Critical: mc.Critical, High: mc.High, Medium: mc.Medium, Low: mc.Low,
		None: mc.None, Untriaged: mc.Untriaged, Total: mc.Total}
}

// TestScanEvents runs the server on each store: the first scan of a
// pushed host writes Scan Completed (severity counts of its open
// findings) and Initial Scan Complete; the second scan, which drops a
// package, writes Scan Completed only, with the closed count. A rule on
// "Scan Completed" delivers both to a webhook on 127.0.0.1 through the
// relay.
func TestScanEvents(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			dbURL := be.url(t)
			dir := t.TempDir()
			a := startApp(t, app.Config{
				Listen: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), DB: dbURL, AdvisoryDir: importNPM(t),
				Workers: 2, Poll: 50 * time.Millisecond, ShutdownGrace: 5 * time.Second,
				BootstrapToken: "scan-events-token", Logger: quiet,
			})
			c := &client{t: t, base: "http://" + a.Addr(), token: "scan-events-token"}
			hook := newReceiver(t, nil)
			createWebhook(t, c, hook.srv.URL, "whsec-scan", `{"detail-type":["Scan Completed"]}`)

			push := func(pkgs ...string) model.ResourceID {
				t.Helper()
				var reg api.Registered
				if st := c.do("POST", "/v1/resources/hosts", api.PushHostRequest{Name: "web-1", Tags: map[string]string{"Env": "Prod"},
					Inventory: hostInventory(pkgs...)}, &reg); st >= 300 {
					t.Fatalf("push: %d", st)
				}
				return reg.Resource.ID
			}
			id := push("minimist@1.2.0", "lodash@4.17.15")
			var scans []api.EventView
			eventually(t, 20*time.Second, "Scan Completed", func() bool {
				scans = publishedEvents(t, c, event.OutboxScanCompleted, string(id))
				return len(scans) == 1
			})
			want := openCounts(t, c, id)
			if want.Critical == 0 || want.High == 0 {
				t.Fatalf("fixture: open findings %+v, want CRITICAL and HIGH ones", want)
			}
			var first event.ScanCompletedDetail
			if err := json.Unmarshal(scans[0].Payload, &first); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, first.FindingSeverityCounts); diff != "" {
				t.Errorf("first scan's severity counts (-listed +event):\n%s", diff)
			}
			if first.Status != "COMPLETED" || first.Resource.ID != string(id) || first.Resource.Type != "HOST" ||
				first.DBSnapshot == "" || first.FindingsCreated != want.Total || first.FindingsClosed != 0 ||
				first.StartedAt.After(first.FinishedAt) {
				t.Errorf("first Scan Completed: %+v", first)
			}
			initial := publishedEvents(t, c, event.OutboxInitialScanComplete, string(id))
			if len(initial) != 1 {
				t.Fatalf("%d Initial Scan Complete events after the first scan, want 1", len(initial))
			}
			var ini event.InitialScanCompleteDetail
			if err := json.Unmarshal(initial[0].Payload, &ini); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(event.InitialScanCompleteDetail{ScanStatus: "INITIAL_SCAN_COMPLETE", Resource: first.Resource,
				DBSnapshot: first.DBSnapshot, FindingSeverityCounts: want}, ini); diff != "" {
				t.Errorf("Initial Scan Complete (-want +got):\n%s", diff)
			}
			if initial[0].Seq != scans[0].Seq+1 {
				t.Errorf("Initial Scan Complete has seq %d, Scan Completed %d: not written together", initial[0].Seq, scans[0].Seq)
			}

			// The second scan: minimist is gone, its findings close.
			push("lodash@4.17.15")
			eventually(t, 20*time.Second, "the second Scan Completed", func() bool {
				scans = publishedEvents(t, c, event.OutboxScanCompleted, string(id))
				return len(scans) == 2
			})
			var second event.ScanCompletedDetail
			if err := json.Unmarshal(scans[1].Payload, &second); err != nil {
				t.Fatal(err)
			}
			want2 := openCounts(t, c, id)
			if diff := cmp.Diff(want2, second.FindingSeverityCounts); diff != "" {
				t.Errorf("second scan's severity counts (-listed +event):\n%s", diff)
			}
			if second.FindingsCreated != 0 || second.FindingsClosed != want.Total-want2.Total || second.ScanID == first.ScanID {
				t.Errorf("second Scan Completed: created %d closed %d (want 0, %d), scan ids %s %s",
					second.FindingsCreated, second.FindingsClosed, want.Total-want2.Total, first.ScanID, second.ScanID)
			}
			if n := len(publishedEvents(t, c, event.OutboxInitialScanComplete, string(id))); n != 1 {
				t.Errorf("%d Initial Scan Complete events after the second scan, want still 1", n)
			}

			// Both reached the webhook through the relay, signed, in order.
			eventually(t, 10*time.Second, "two webhook deliveries", func() bool { return len(hook.requests()) >= 2 })
			time.Sleep(300 * time.Millisecond)
			reqs := hook.requests()
			if len(reqs) != 2 {
				t.Fatalf("the webhook got %d requests, want 2 (Scan Completed only)", len(reqs))
			}
			for i, r := range reqs {
				if err := delivery.Verify("whsec-scan", r.header.Get(delivery.HeaderTimestamp), r.header.Get(delivery.HeaderSignature), r.body, time.Now(), 5*time.Minute); err != nil {
					t.Errorf("request %d: %v", i, err)
				}
				if r.env.DetailType != event.ScanCompleted || r.env.ID != delivery.EventID(scans[i].AccountID, scans[i].Seq) ||
					!cmp.Equal(r.env.Resources, []string{string(id)}) {
					t.Errorf("request %d: %s %s %v", i, r.env.DetailType, r.env.ID, r.env.Resources)
				}
			}
		})
	}
}

// TestInitialScanAfterFailure runs the server on each store: an image
// registered before it is pushed fails its first scan (no Scan Completed,
// coverage SCAN_FAILED); once pushed and scanned it gets its Initial Scan
// Complete, once.
func TestInitialScanAfterFailure(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			dbURL := be.url(t)
			dir := t.TempDir()
			reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
			t.Cleanup(reg.Close)
			u, _ := url.Parse(reg.URL)
			ref := u.Host + "/team/late:1.0"
			a := startApp(t, app.Config{
				Listen: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), DB: dbURL, AdvisoryDir: importNPM(t),
				Workers: 2, Poll: 50 * time.Millisecond, ShutdownGrace: 5 * time.Second,
				BootstrapToken: "late-image-token", Logger: quiet,
			})
			c := &client{t: t, base: "http://" + a.Addr(), token: "late-image-token"}
			var img api.Registered
			if st := c.do("POST", "/v1/resources/images", api.RegisterImageRequest{Reference: ref}, &img); st != http.StatusCreated {
				t.Fatalf("register: %d", st)
			}
			id := img.Resource.ID
			eventually(t, 20*time.Second, "the failed scan", func() bool {
				var res api.ResourceView
				c.do("GET", "/v1/resources/"+string(id), nil, &res)
				return res.Coverage.Reason == model.ReasonScanFailed
			})
			if n := len(publishedEvents(t, c, event.OutboxScanCompleted, string(id))); n != 0 {
				t.Fatalf("%d Scan Completed events after a failed scan, want 0", n)
			}

			r, err := name.ParseReference(ref)
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.Write(r, nodeImage(t)); err != nil {
				t.Fatal(err)
			}
			if st := c.do("POST", "/v1/scans", api.ScanRequest{ResourceID: id}, nil); st != http.StatusAccepted {
				t.Fatalf("scan: %d", st)
			}
			waitSuccessful(t, c, id)
			scans := publishedEvents(t, c, event.OutboxScanCompleted, string(id))
			initial := publishedEvents(t, c, event.OutboxInitialScanComplete, string(id))
			if len(scans) == 0 || len(initial) != 1 {
				t.Fatalf("after the successful scan: %d Scan Completed, %d Initial Scan Complete (want ≥ 1, 1)", len(scans), len(initial))
			}
			var sd event.ScanCompletedDetail
			var ini event.InitialScanCompleteDetail
			if err := json.Unmarshal(scans[0].Payload, &sd); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(initial[0].Payload, &ini); err != nil {
				t.Fatal(err)
			}
			want := openCounts(t, c, id)
			if diff := cmp.Diff(want, ini.FindingSeverityCounts); diff != "" || want.Total == 0 {
				t.Errorf("Initial Scan Complete counts (-listed +event), %d findings:\n%s", want.Total, diff)
			}
			if sd.Resource.Type != "IMAGE" || !strings.HasPrefix(sd.Resource.Digest, "sha256:") || initial[0].Seq != scans[0].Seq+1 {
				t.Errorf("Scan Completed %+v (seq %d), Initial Scan Complete seq %d", sd.Resource, scans[0].Seq, initial[0].Seq)
			}
		})
	}
}
