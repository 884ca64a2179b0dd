package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigilsec/vigil/internal/model"
)

// Official schemas kept as test data; testdata/schemas/SOURCES.md says
// where each one came from.
const (
	sarifSchemaFile = "testdata/schemas/sarif/sarif-schema-2.1.0.json"
	spdxSchemaFile  = "testdata/schemas/spdx/spdx-schema-2.3.json"
)

// mustReject asserts that s rejects doc (a JSON value after a mutation)
// and that the error names want, so a check that passes is known to be
// able to fail for the reason meant.
func mustReject(t *testing.T, s *jsonschema.Schema, doc any, want string) {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	err = s.Validate(v)
	if err == nil {
		t.Errorf("schema accepted a document without %s", want)
		return
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("schema rejected the mutated document, but not for %s:\n%v", want, err)
	}
}

func decodeMap(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSARIFValidatesAgainstOfficialSchema(t *testing.T) {
	s := compileSchema(t, sarifSchemaFile)
	for _, n := range []int{1, 2} {
		rs := []*Report{}
		for range n {
			rs = append(rs, sampleReport(t))
		}
		var buf bytes.Buffer
		if err := WriteSARIF(&buf, rs); err != nil {
			t.Fatal(err)
		}
		validateJSON(t, s, buf.Bytes())
		var log struct {
			Version string `json:"version"`
			Runs    []struct {
				Results []json.RawMessage `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		if log.Version != "2.1.0" || len(log.Runs) != n {
			t.Fatalf("%d targets: version %q, %d runs", n, log.Version, len(log.Runs))
		}
		for i, run := range log.Runs {
			if len(run.Results) != len(rs[i].Findings) {
				t.Errorf("run %d: %d results, want %d", i, len(run.Results), len(rs[i].Findings))
			}
		}
	}
}

func TestSARIFSchemaCheckCanFail(t *testing.T) {
	s := compileSchema(t, sarifSchemaFile)
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, []*Report{sampleReport(t)}); err != nil {
		t.Fatal(err)
	}
	validateJSON(t, s, buf.Bytes()) // so each rejection below is the mutation's doing

	// The log's required version.
	m := decodeMap(t, buf.Bytes())
	delete(m, "version")
	mustReject(t, s, m, "version")

	// A result's required message.
	m = decodeMap(t, buf.Bytes())
	res := m["runs"].([]any)[0].(map[string]any)["results"].([]any)[0].(map[string]any)
	delete(res, "message")
	mustReject(t, s, m, "message")

	// A rule's required id.
	m = decodeMap(t, buf.Bytes())
	rule := m["runs"].([]any)[0].(map[string]any)["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)[0].(map[string]any)
	delete(rule, "id")
	mustReject(t, s, m, "id")

	// A level outside the enumeration.
	m = decodeMap(t, buf.Bytes())
	res = m["runs"].([]any)[0].(map[string]any)["results"].([]any)[0].(map[string]any)
	res["level"] = "critical"
	mustReject(t, s, m, "level")
}

// spdxSchemaSample is the inventory whose SPDX output is checked against
// the official schema.
func spdxSchemaSample() *model.Inventory { return sampleInventory() }

func writeSPDXSample(t *testing.T, inv *model.Inventory) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSPDX(&buf, inv, Generator{Name: "vigil", Version: "test"}, sampleNow); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSPDXValidatesAgainstOfficialSchema(t *testing.T) {
	s := compileSchema(t, spdxSchemaFile)
	inv := spdxSchemaSample()
	out := writeSPDXSample(t, inv)
	validateJSON(t, s, out)
	var doc struct {
		SPDXVersion string `json:"spdxVersion"`
		Packages    []struct {
			Purpose string `json:"primaryPackagePurpose"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	want := 1 + len(inv.Packages) // the target and each package
	if inv.OS != nil {
		want++
	}
	if doc.SPDXVersion != "SPDX-2.3" || len(doc.Packages) != want {
		t.Errorf("spdxVersion %q, %d packages, want SPDX-2.3 and %d", doc.SPDXVersion, len(doc.Packages), want)
	}
}

func TestSPDXSchemaCheckCanFail(t *testing.T) {
	s := compileSchema(t, spdxSchemaFile)
	out := writeSPDXSample(t, spdxSchemaSample())
	validateJSON(t, s, out) // so each rejection below is the mutation's doing

	// A package's required downloadLocation.
	m := decodeMap(t, out)
	delete(m["packages"].([]any)[0].(map[string]any), "downloadLocation")
	mustReject(t, s, m, "downloadLocation")

	// The document's required creationInfo.
	m = decodeMap(t, out)
	delete(m, "creationInfo")
	mustReject(t, s, m, "creationInfo")

	// A relationship type outside the enumeration.
	m = decodeMap(t, out)
	m["relationships"].([]any)[0].(map[string]any)["relationshipType"] = "OWNS"
	mustReject(t, s, m, "relationshipType")
}

// artifactLocation.uri is a URI reference, not a path: names a scan meets
// in practice must come out encoded, and still valid against the schema.
func TestSARIFArtifactURIs(t *testing.T) {
	s := compileSchema(t, sarifSchemaFile)
	for _, tc := range []struct{ target, path, want string }{
		{"registry.example.com/app:1.0", "/var/lib/dpkg/status", "var/lib/dpkg/status"},
		{"registry.example.com/app:1.0", "/app/my dir/package-lock.json", "app/my%20dir/package-lock.json"},
		{"registry.example.com/app:1.0", "/srv/100%/go.sum", "srv/100%25/go.sum"},
		{"my project", "", "my%20project"},
		{"alpine:3.19", "", "./alpine:3.19"},
		{`C:\src\app`, "", "file:///C:/src/app"},
		{`src\app`, "", "src/app"},
	} {
		t.Run(tc.target+"|"+tc.path, func(t *testing.T) {
			inv := sampleInventory()
			inv.Target = model.Target{Kind: model.TargetFS, Name: tc.target}
			for i := range inv.Packages {
				inv.Packages[i].Path = tc.path
			}
			var buf bytes.Buffer
			if err := WriteSARIF(&buf, []*Report{Build(inv, sampleMatches(inv), Options{Now: sampleNow})}); err != nil {
				t.Fatal(err)
			}
			validateJSON(t, s, buf.Bytes())
			var log struct {
				Runs []struct {
					Results []struct {
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct {
									URI string `json:"uri"`
								} `json:"artifactLocation"`
							} `json:"physicalLocation"`
						} `json:"locations"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
				t.Fatal(err)
			}
			got := log.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI
			if got != tc.want {
				t.Errorf("uri = %q, want %q", got, tc.want)
			}
		})
	}
}
