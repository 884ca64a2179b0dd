package app

import (
	"bytes"
	"encoding/json"
	"path"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
)

// checkPublished checks an outbox event, as the envelope the relay
// publishes, against the schema of its detail-type.
func checkPublished(t *testing.T, e model.Event) {
	t.Helper()
	dt, ok := event.DetailTypeOfOutbox(e.Type)
	if !ok {
		t.Fatalf("%s is not published", e.Type)
	}
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
	e.Seq, e.CreatedAt = 7, time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	env, ok, err := delivery.Envelope(&e, "local")
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
	if err := s.Validate(doc); err != nil {
		t.Errorf("%s does not follow the schema: %v", data, err)
	}
}

// TestScanEventsBuild checks the events one scan writes: their types,
// status, counts and issues, each valid against its schema.
func TestScanEventsBuild(t *testing.T) {
	res := model.Resource{ID: "res-1", AccountID: "acct-1", Type: model.ResourceImage, Name: "team/app:1.0",
		Digest: "sha256:" + string(bytes.Repeat([]byte("a"), 64)), Tags: map[string]string{"Env": "Prod"}}
	t0 := time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)
	var open model.SeverityCounts
	open.Add(model.SeverityCritical, 2)
	open.Add(model.SeverityHigh, 1)
	open.Add(model.SeverityUntriaged, 1)
	counts := event.SeverityCounts{Critical: 2, High: 1, Untriaged: 1, Total: 4}
	d := finding.Delta{Created: 3, Reopened: 1, Closed: 2, Open: open}
	partial := &model.Inventory{Partial: true, Issues: []model.Issue{
		{Plugin: "dpkg", Path: "/var/lib/dpkg/status", Reason: "truncated"}, {Plugin: "walk", Reason: "max-files reached"}}}
	tests := []struct {
		name       string
		inv        *model.Inventory
		start, end time.Time
		first      bool
		wantTypes  []string
		wantStatus string
		wantIssues []string
		wantStart  time.Time
	}{
		{"first", &model.Inventory{}, t0, t0.Add(time.Minute), true,
			[]string{event.OutboxScanCompleted, event.OutboxInitialScanComplete}, "COMPLETED", nil, t0},
		{"later", &model.Inventory{}, t0, t0.Add(time.Minute), false,
			[]string{event.OutboxScanCompleted}, "COMPLETED", nil, t0},
		{"partial", partial, t0, t0.Add(time.Minute), false, []string{event.OutboxScanCompleted}, "PARTIAL",
			[]string{"dpkg: /var/lib/dpkg/status: truncated", "walk: max-files reached"}, t0},
		{"clock went back", &model.Inventory{}, t0.Add(time.Hour), t0, false,
			[]string{event.OutboxScanCompleted}, "COMPLETED", nil, t0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := scanEvents(res, "scan-1", "snap-1", tc.inv, d, tc.start, tc.end, tc.first)
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, e := range evs {
				types = append(types, e.Type)
				if e.AccountID != res.AccountID || e.Subject != string(res.ID) {
					t.Errorf("%s: account %s subject %s", e.Type, e.AccountID, e.Subject)
				}
				checkPublished(t, e)
			}
			if diff := cmp.Diff(tc.wantTypes, types); diff != "" {
				t.Fatalf("types (-want +got):\n%s", diff)
			}
			var got event.ScanCompletedDetail
			if err := json.Unmarshal(evs[0].Payload, &got); err != nil {
				t.Fatal(err)
			}
			want := event.ScanCompletedDetail{ScanID: "scan-1", Resource: scanResource(res), Status: tc.wantStatus,
				StartedAt: tc.wantStart, FinishedAt: tc.end, DBSnapshot: "snap-1", FindingSeverityCounts: counts,
				FindingsCreated: 4, FindingsClosed: 2, Issues: tc.wantIssues}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Scan Completed (-want +got):\n%s", diff)
			}
		})
	}
}
