package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchema compiles root with the other schema files registered under
// their $id, so that references resolve offline.
func compileSchema(t testing.TB, root string, files ...string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	var rootID string
	for _, f := range append([]string{root}, files...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if id == "" {
			id, _ = doc.(map[string]any)["id"].(string)
		}
		if id == "" {
			id = "file:///" + filepath.Base(f)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if f == root {
			rootID = id
		}
	}
	s, err := c.Compile(rootID)
	if err != nil {
		t.Fatalf("compile %s: %v", root, err)
	}
	return s
}

func validateJSON(t testing.TB, s *jsonschema.Schema, data []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := s.Validate(doc); err != nil {
		t.Fatalf("output does not validate:\n%v\n--- output (first 2 KiB) ---\n%.2048s", err, data)
	}
}

// writeSchemaFile writes the embedded report schema for the compiler.
func reportSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	p := filepath.Join(t.TempDir(), "report.schema.json")
	if err := os.WriteFile(p, JSONSchema, 0o600); err != nil {
		t.Fatal(err)
	}
	return compileSchema(t, p)
}

func TestReportSchemaIsStrict(t *testing.T) {
	s := reportSchema(t)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, []*Report{sampleReport(t)}); err != nil {
		t.Fatal(err)
	}
	validateJSON(t, s, buf.Bytes())
	// A report with an unknown field or a missing required one must fail,
	// or the schema checks nothing.
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	m["surprise"] = true
	bad, _ := json.Marshal(m)
	doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if err := s.Validate(doc); err == nil {
		t.Error("schema accepted an unknown top-level field")
	}
	delete(m, "surprise")
	delete(m, "dbSnapshot")
	bad, _ = json.Marshal(m)
	doc, _ = jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if err := s.Validate(doc); err == nil || !strings.Contains(err.Error(), "dbSnapshot") {
		t.Errorf("schema accepted a report without dbSnapshot: %v", err)
	}
}

func TestJSONSeveralTargetsIsAnArray(t *testing.T) {
	s := reportSchema(t)
	var buf bytes.Buffer
	r := sampleReport(t)
	if err := WriteJSON(&buf, []*Report{r, r}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(buf.Bytes()), []byte("[")) {
		t.Fatalf("two targets did not give an array: %.80s", buf.String())
	}
	validateJSON(t, s, buf.Bytes())
}

func TestCycloneDXValidatesAgainstOfficialSchema(t *testing.T) {
	s := compileSchema(t, "testdata/schemas/cyclonedx/bom-1.6.schema.json",
		"testdata/schemas/cyclonedx/spdx.schema.json", "testdata/schemas/cyclonedx/jsf-0.82.schema.json")
	for _, n := range []int{1, 2} {
		rs := []*Report{}
		for range n {
			rs = append(rs, sampleReport(t))
		}
		var buf bytes.Buffer
		if err := WriteCycloneDX(&buf, rs); err != nil {
			t.Fatal(err)
		}
		validateJSON(t, s, buf.Bytes())
		var bom struct {
			SpecVersion     string            `json:"specVersion"`
			Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
		}
		if err := json.Unmarshal(buf.Bytes(), &bom); err != nil {
			t.Fatal(err)
		}
		want := n * (len(rs[0].Findings) + len(rs[0].Suppressed))
		if bom.SpecVersion != "1.6" || len(bom.Vulnerabilities) != want {
			t.Errorf("%d targets: specVersion %q, %d vulnerabilities, want 1.6 and %d", n, bom.SpecVersion, len(bom.Vulnerabilities), want)
		}
	}
}
