package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/app"
	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/model"
)

// skewClock is the real clock plus an offset the test moves forward (leases
// and polling keep their real pace; windows counted in days pass at once).
type skewClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *skewClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *skewClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// coverageOf waits until the resource's coverage is want (and, when
// after is set, its last scan is later than after).
func coverageOf(t *testing.T, c *client, id model.ResourceID, want model.CoverageReason, after time.Time) api.ResourceView {
	t.Helper()
	var res api.ResourceView
	eventually(t, 20*time.Second, string(id)+" coverage "+string(want), func() bool {
		c.do("GET", "/v1/resources/"+string(id), nil, &res)
		return res.Coverage.Reason == want && (after.IsZero() || res.Coverage.LastScannedAt.After(after))
	})
	return res
}

func findingCount(t *testing.T, c *client, id model.ResourceID) int {
	t.Helper()
	var fl api.FindingList
	c.do("GET", "/v1/findings?resourceId="+string(id)+"&limit=1000", nil, &fl)
	return len(fl.Findings)
}

// coverageSchema compiles the published schema of "Coverage Changed" (with
// defs.json, offline).
func coverageSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, f := range []string{"schemas/defs.json", event.SchemaFile(event.CoverageChanged)} {
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
	s, err := c.Compile(event.SchemaBaseURI + path.Base(event.SchemaFile(event.CoverageChanged)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// coverageEvents returns the coverage.changed events of a resource as
// "PREVIOUS_REASON>CURRENT_REASON", each checked, as the envelope the
// delivery relay publishes, against the event schema.
func coverageEvents(t *testing.T, c *client, id model.ResourceID) []string {
	t.Helper()
	var ev api.EventList
	c.do("GET", "/v1/events?since=0&limit=1000", nil, &ev)
	schema := coverageSchema(t)
	var out []string
	for _, e := range ev.Events {
		if e.Type != app.EventCoverageChanged || e.Subject != string(id) {
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
		var d event.CoverageChangedDetail
		if err := json.Unmarshal(e.Payload, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d.Previous.Reason+">"+d.Current.Reason)
	}
	return out
}

// TestScanConfiguration runs the server on each store with a scan
// configuration: SBOMs not scanned, only Env=Prod, never Scan=off, images
// rescanned for 14 days; then a tag change that includes a host and one
// that excludes another; an image whose window passes; ON_DEMAND mode.
func TestScanConfiguration(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			dbURL := be.url(t)
			clock := &skewClock{}
			ref := pushImage(t, nodeImage(t), "team/node-app:1.0")
			a := startApp(t, app.Config{
				Listen: "127.0.0.1:0", DataDir: t.TempDir(), DB: dbURL, AdvisoryDir: importNPM(t),
				Workers: 2, Poll: 50 * time.Millisecond, MaintainInterval: 100 * time.Millisecond, RescanInterval: time.Hour,
				BootstrapToken: "scanconfig-token", Logger: quiet, Now: clock.Now,
			})
			c := &client{t: t, base: "http://" + a.Addr(), token: "scanconfig-token"}

			var def model.ScanConfig
			if st := c.do("GET", "/v1/scan-configuration", nil, &def); st != http.StatusOK || !def.Default || def.Mode != model.ScanContinuous ||
				len(def.ResourceTypes) != 4 || def.ImageRescanDuration != model.RescanLifetime {
				t.Fatalf("default configuration: %d %+v", st, def)
			}
			put := model.ScanConfig{
				ResourceTypes:       []model.ResourceType{model.ResourceImage, model.ResourceHost, model.ResourceFunction},
				IncludeTags:         []model.TagFilter{{Key: "Env", Value: "Prod"}},
				ExcludeTags:         []model.TagFilter{{Key: "Scan", Value: "off"}},
				ImageRescanDuration: model.RescanDays14,
			}
			var got model.ScanConfig
			if st := c.do("PUT", "/v1/scan-configuration", put, &got); st != http.StatusOK {
				t.Fatalf("put: %d", st)
			}
			var again model.ScanConfig
			c.do("GET", "/v1/scan-configuration", nil, &again)
			if diff := cmp.Diff(got, again); diff != "" || got.Default || got.Mode != model.ScanContinuous || got.UpdatedBy == "" {
				t.Fatalf("stored %+v; GET (-put +get):\n%s", got, diff)
			}
			if st := c.do("PUT", "/v1/scan-configuration", map[string]any{"mode": "WEEKLY"}, nil); st != http.StatusBadRequest {
				t.Errorf("invalid mode: %d, want 400", st)
			}
			var audit api.AuditList
			c.do("GET", "/v1/audit", nil, &audit)
			if !slices.ContainsFunc(audit.Entries, func(e model.AuditEntry) bool { return e.Action == "scanconfig.update" }) {
				t.Errorf("no scanconfig.update in the audit log: %+v", audit.Entries)
			}

			lodash := model.Inventory{Packages: []model.Package{{Ecosystem: model.EcosystemNPM, Name: "lodash", Version: "4.17.15",
				PURL: "pkg:npm/lodash@4.17.15", Manager: model.ManagerNPM, Path: "/srv/app/package-lock.json"}}}
			push := func(name string, tags map[string]string) model.ResourceID {
				inv := lodash
				var reg api.Registered
				if st := c.do("POST", "/v1/resources/hosts", api.PushHostRequest{Name: name, Tags: tags, Inventory: &inv}, &reg); st >= 300 {
					t.Fatalf("push %s: %d", name, st)
				}
				return reg.Resource.ID
			}
			prod := push("prod-1", map[string]string{"Env": "Prod"})
			dev := push("dev-1", map[string]string{"Env": "Dev"})
			off := push("prod-off", map[string]string{"Env": "Prod", "Scan": "off"})
			var sbom api.Registered
			bom := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"lodash","version":"4.17.15","purl":"pkg:npm/lodash@4.17.15"}]}`)
			if st := c.post("/v1/resources/sboms?name=app-bom&tag=Env=Prod", "application/json", bom, &sbom); st >= 300 {
				t.Fatalf("sbom: %d", st)
			}
			coverageOf(t, c, prod, model.ReasonSuccessful, time.Time{})
			coverageOf(t, c, dev, model.ReasonExcludedByTag, time.Time{})
			coverageOf(t, c, off, model.ReasonExcludedByTag, time.Time{})
			coverageOf(t, c, sbom.Resource.ID, model.ReasonScanTypeDisabled, time.Time{})
			if findingCount(t, c, prod) == 0 {
				t.Fatal("no findings on the covered host")
			}
			for _, id := range []model.ResourceID{dev, off, sbom.Resource.ID} {
				if n := findingCount(t, c, id); n != 0 {
					t.Errorf("%s: %d findings, want none (not scanned)", id, n)
				}
			}

			// A tag change includes dev-1 (scanned) and excludes prod-1.
			c.do("PUT", "/v1/resources/"+string(dev)+"/tags", api.TagsRequest{Tags: map[string]string{"Env": "Prod"}}, nil)
			c.do("PUT", "/v1/resources/"+string(prod)+"/tags", api.TagsRequest{Tags: map[string]string{"Env": "Prod", "Scan": "off"}}, nil)
			coverageOf(t, c, dev, model.ReasonSuccessful, time.Time{})
			coverageOf(t, c, prod, model.ReasonExcludedByTag, time.Time{})
			if findingCount(t, c, dev) == 0 {
				t.Error("no findings on the host the tag change included")
			}
			if diff := cmp.Diff([]string{"PENDING_INITIAL_SCAN>EXCLUDED_BY_TAG", "EXCLUDED_BY_TAG>PENDING_INITIAL_SCAN", "PENDING_INITIAL_SCAN>SUCCESSFUL"},
				coverageEvents(t, c, dev)); diff != "" {
				t.Errorf("coverage events of dev-1 (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"PENDING_INITIAL_SCAN>SUCCESSFUL", "SUCCESSFUL>EXCLUDED_BY_TAG"}, coverageEvents(t, c, prod)); diff != "" {
				t.Errorf("coverage events of prod-1 (-want +got):\n%s", diff)
			}

			// The image is scanned, then its 14-day window passes: no more
			// rescans, until a scan is requested.
			var img api.Registered
			c.do("POST", "/v1/resources/images", api.RegisterImageRequest{Reference: ref, Tags: map[string]string{"Env": "Prod"}}, &img)
			first := coverageOf(t, c, img.Resource.ID, model.ReasonSuccessful, time.Time{})
			clock.Advance(2 * time.Hour) // past the rescan interval, within the window
			coverageOf(t, c, img.Resource.ID, model.ReasonSuccessful, first.Coverage.LastScannedAt)
			clock.Advance(15 * 24 * time.Hour)
			coverageOf(t, c, img.Resource.ID, model.ReasonScanEligibilityExpired, time.Time{})
			extractions := a.Stats().Extractions
			time.Sleep(500 * time.Millisecond) // five maintenance rounds
			if n := a.Stats().Extractions; n != extractions {
				t.Errorf("an expired image was rescanned: %d extractions, then %d", extractions, n)
			}
			res := scanned(t, c, img.Resource.ID, clock.Now().Add(-time.Second))
			if res.Coverage.Reason != model.ReasonSuccessful || a.Stats().Extractions != extractions+1 {
				t.Errorf("after a requested scan: %+v, %d extractions (want %d)", res.Coverage, a.Stats().Extractions, extractions+1)
			}

			// ON_DEMAND with every type: the SBOM comes back waiting for a
			// request; a new host is not scanned until asked.
			if st := c.do("PUT", "/v1/scan-configuration", model.ScanConfig{Mode: model.ScanOnDemand}, nil); st != http.StatusOK {
				t.Fatalf("put ON_DEMAND: %d", st)
			}
			coverageOf(t, c, sbom.Resource.ID, model.ReasonScanFrequencyManual, time.Time{})
			od := push("od-1", nil)
			coverageOf(t, c, od, model.ReasonScanFrequencyManual, time.Time{})
			if n := findingCount(t, c, od); n != 0 {
				t.Errorf("on-demand host has %d findings before a scan was requested", n)
			}
			scanned(t, c, od, time.Time{})
			coverageOf(t, c, od, model.ReasonSuccessful, time.Time{})
			if findingCount(t, c, od) == 0 {
				t.Error("no findings after the requested scan")
			}
			// No tag filters any more: prod-1 is back, waiting for a request.
			coverageOf(t, c, prod, model.ReasonScanFrequencyManual, time.Time{})

			// The delegated admin configures a member account; the member's
			// hosts follow its configuration, not the admin's.
			var member model.Account
			if st := c.do("POST", "/v1/accounts", api.CreateAccountRequest{Name: "team-b"}, &member); st != http.StatusCreated {
				t.Fatalf("create account: %d", st)
			}
			var mcfg model.ScanConfig
			if st := c.do("PUT", "/v1/scan-configuration?accountId="+string(member.ID), model.ScanConfig{ResourceTypes: []model.ResourceType{model.ResourceImage}}, &mcfg); st != http.StatusOK || mcfg.AccountID != member.ID {
				t.Fatalf("put for the member: %d %+v", st, mcfg)
			}
			var own model.ScanConfig
			c.do("GET", "/v1/scan-configuration", nil, &own)
			if own.Mode != model.ScanOnDemand || len(own.ResourceTypes) != 4 {
				t.Errorf("the admin's own configuration changed: %+v", own)
			}
			var memberHost api.Registered
			inv := lodash
			c.do("POST", "/v1/resources/hosts", api.PushHostRequest{Name: "b-1", AccountID: member.ID, Inventory: &inv}, &memberHost)
			coverageOf(t, c, memberHost.Resource.ID, model.ReasonScanTypeDisabled, time.Time{})
			c.do("GET", "/v1/audit", nil, &audit)
			if !slices.ContainsFunc(audit.Entries, func(e model.AuditEntry) bool {
				return e.Action == "scanconfig.update" && e.AccountID == member.ID
			}) {
				t.Errorf("no scanconfig.update audited for the member account")
			}
		})
	}
}
