package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigilsec/vigil/internal/event/pattern"
)

// compileSchemas compiles the schema of every detail-type with defs.json
// registered, so references resolve offline.
func compileSchemas(t testing.TB) map[DetailType]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	files, err := fs.Glob(Schemas, "schemas/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := Schemas.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if id != SchemaBaseURI+path.Base(f) {
			t.Fatalf("%s: $id %q, want %q", f, id, SchemaBaseURI+path.Base(f))
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	out := map[DetailType]*jsonschema.Schema{}
	for _, dt := range DetailTypes {
		s, err := c.Compile(SchemaBaseURI + path.Base(SchemaFile(dt)))
		if err != nil {
			t.Fatalf("compile %s: %v", dt, err)
		}
		out[dt] = s
	}
	return out
}

func validate(s *jsonschema.Schema, data []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return s.Validate(doc)
}

func readExample(t testing.TB, dt DetailType) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/examples/" + path.Base(SchemaFile(dt)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestExamplesValidate(t *testing.T) {
	schemas := compileSchemas(t)
	for _, dt := range DetailTypes {
		t.Run(string(dt), func(t *testing.T) {
			data := readExample(t, dt)
			if err := validate(schemas[dt], data); err != nil {
				t.Fatalf("example does not validate: %v", err)
			}
			// The Go types carry every field: decode, re-encode, compare.
			var env Envelope
			if err := json.Unmarshal(data, &env); err != nil {
				t.Fatal(err)
			}
			if err := env.Check(); err != nil {
				t.Fatal(err)
			}
			d, err := env.DecodeDetail()
			if err != nil {
				t.Fatal(err)
			}
			again, err := New(env.DetailType, env.ID, env.Account, env.Region, env.Time, env.Resources, d)
			if err != nil {
				t.Fatal(err)
			}
			out, err := again.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(schemas[dt], out); err != nil {
				t.Fatalf("re-encoded event does not validate: %v", err)
			}
			var want, got any
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip through the Go types (-example +re-encoded):\n%s", diff)
			}
			// Each example is a valid TestEventPattern event.
			ev, err := pattern.ParseEvent(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := pattern.CheckTestEvent(ev); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestSchemasCanFail mutates valid examples and checks each schema rejects
// them for the reason meant.
func TestSchemasCanFail(t *testing.T) {
	schemas := compileSchemas(t)
	tests := []struct {
		dt     DetailType
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{FindingCreated, "wrong source", func(m map[string]any) { m["source"] = "aws.inspector2" }, "source"},
		{FindingCreated, "no id", func(m map[string]any) { delete(m, "id") }, "id"},
		{FindingCreated, "extra envelope field", func(m map[string]any) { m["seq"] = 1 }, "seq"},
		{FindingCreated, "detail-type of another schema", func(m map[string]any) { m["detail-type"] = "Finding Closed" }, "detail-type"},
		{FindingCreated, "bad time", func(m map[string]any) { m["time"] = "yesterday" }, "time"},
		{FindingCreated, "closed status", func(m map[string]any) { detail(m)["status"] = "CLOSED" }, "status"},
		{FindingCreated, "unknown severity", func(m map[string]any) { detail(m)["severity"] = "SEVERE" }, "severity"},
		{FindingCreated, "long description", func(m map[string]any) { detail(m)["description"] = strings.Repeat("x", 1025) }, "description"},
		{FindingCreated, "no package details", func(m map[string]any) { delete(detail(m), "packageVulnerabilityDetails") }, "packageVulnerabilityDetails"},
		{FindingCreated, "bad finding id", func(m map[string]any) { detail(m)["findingId"] = "f-1" }, "findingId"},
		{FindingCreated, "no resources", func(m map[string]any) { detail(m)["resources"] = []any{} }, "resources"},
		{FindingUpdated, "nothing changed", func(m map[string]any) { delete(detail(m), "changed") }, "changed"},
		{FindingClosed, "no reason", func(m map[string]any) { delete(detail(m), "closedReason") }, "closedReason"},
		{FindingSuppressed, "no rule", func(m map[string]any) { delete(detail(m), "suppression") }, "suppression"},
		{ScanCompleted, "negative count", func(m map[string]any) {
			detail(m)["finding-severity-counts"].(map[string]any)["HIGH"] = -1
		}, "HIGH"},
		{InitialScanComplete, "wrong scan status", func(m map[string]any) { detail(m)["scan-status"] = "DONE" }, "scan-status"},
		{CoverageChanged, "bad reason", func(m map[string]any) {
			detail(m)["current"].(map[string]any)["reason"] = "ok!"
		}, "reason"},
		{AdvisoryDatabaseUpdated, "no snapshot", func(m map[string]any) { delete(detail(m), "snapshotId") }, "snapshotId"},
	}
	for _, tc := range tests {
		t.Run(string(tc.dt)+"/"+tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(readExample(t, tc.dt), &m); err != nil {
				t.Fatal(err)
			}
			tc.mutate(m)
			data, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			err = validate(schemas[tc.dt], data)
			if err == nil {
				t.Fatalf("schema accepted the mutated event")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("rejected, but not for %s:\n%v", tc.want, err)
			}
		})
	}
}

func detail(m map[string]any) map[string]any { return m["detail"].(map[string]any) }

func TestNewErrors(t *testing.T) {
	at := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		dt   DetailType
		id   string
		d    any
		want *InvalidEventError
	}{
		{"unknown detail-type", "Finding Deleted", "x", &Finding{}, &InvalidEventError{Field: "detail-type", Reason: `unknown detail-type "Finding Deleted"`}},
		{"wrong detail type", ScanCompleted, "x", &Finding{}, &InvalidEventError{Field: "detail", Reason: "Scan Completed carries *event.ScanCompletedDetail, not *event.Finding"}},
		{"no id", FindingCreated, "", &Finding{}, &InvalidEventError{Field: "id", Reason: "empty"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.dt, tc.id, "default", "local", at, nil, tc.d)
			var ie *InvalidEventError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v, want *InvalidEventError", err)
			}
			if diff := cmp.Diff(tc.want, ie); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewStampsEnvelope(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 123456789, time.FixedZone("CET", 3600))
	e, err := New(AdvisoryDatabaseUpdated, "8c1f9f2b-9018-48e9-bf0a-778de033b19e", "default", "local", at, nil,
		&AdvisoryDatabaseUpdatedDetail{SnapshotID: "s", Feeds: []FeedVersion{}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"version":"0","id":"8c1f9f2b-9018-48e9-bf0a-778de033b19e","detail-type":"Advisory Database Updated","source":"vigil","account":"default","time":"2026-11-27T08:00:00Z","region":"local","resources":[],"detail":{"snapshotId":"s","feeds":[],"diff":{"added":0,"modified":0,"withdrawn":0,"packages":0},"resourcesAffected":0}}`
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := validate(compileSchemas(t)[AdvisoryDatabaseUpdated], out); err != nil {
		t.Error(err)
	}
}

// TestRuleOnExamples runs the acceptance rule (CRITICAL findings on
// resources tagged Env=Prod) over the example events.
func TestRuleOnExamples(t *testing.T) {
	rule := pattern.MustCompile(`{"source":["vigil"],"detail-type":[{"prefix":"Finding "}],
		"detail":{"severity":["CRITICAL"],"status":["ACTIVE"],"resources":{"tags":{"Env":["Prod"]}}}}`)
	want := map[DetailType]bool{FindingCreated: true} // updated is HIGH, closed/suppressed are not ACTIVE
	for _, dt := range DetailTypes {
		got, err := rule.Match(readExample(t, dt))
		if err != nil {
			t.Fatal(err)
		}
		if got != want[dt] {
			t.Errorf("%s: match %v, want %v", dt, got, want[dt])
		}
	}
}

func TestSchemaFile(t *testing.T) {
	for _, dt := range DetailTypes {
		if _, err := Schemas.ReadFile(SchemaFile(dt)); err != nil {
			t.Errorf("%s: %v", dt, err)
		}
	}
}
