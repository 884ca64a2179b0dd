package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ocsfSchemaFile is derived from the OCSF dictionary; see
// testdata/schemas/SOURCES.md.
const ocsfSchemaFile = "testdata/schemas/ocsf/vulnerability_finding-1.3.0.schema.json"

func writeOCSFSample(t *testing.T, rs ...*Report) []byte {
	t.Helper()
	if len(rs) == 0 {
		rs = []*Report{sampleReport(t)}
	}
	var buf bytes.Buffer
	if err := Write(&buf, FormatOCSF, rs, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ocsfEach validates every event of the array against the class schema.
func ocsfEach(t *testing.T, s *jsonschema.Schema, out []byte) []map[string]any {
	t.Helper()
	var events []json.RawMessage
	if err := json.Unmarshal(out, &events); err != nil {
		t.Fatal(err)
	}
	var ms []map[string]any
	for _, e := range events {
		validateJSON(t, s, e)
		ms = append(ms, decodeMap(t, e))
	}
	return ms
}

func TestOCSFGolden(t *testing.T) {
	golden(t, "report.ocsf.json", writeOCSFSample(t))
}

func TestOCSFValidates(t *testing.T) {
	s := compileSchema(t, ocsfSchemaFile)
	r := sampleReport(t)
	events := ocsfEach(t, s, writeOCSFSample(t, r, sampleReport(t)))
	per := len(r.Findings) + len(r.Suppressed)
	if len(events) != 2*per {
		t.Fatalf("%d events, want %d", len(events), 2*per)
	}
	type row struct {
		Sev, Status float64
		CVE         string
		Fix, KEV    bool
	}
	got := map[string]row{}
	for _, e := range events[:per] {
		v := e["vulnerabilities"].([]any)[0].(map[string]any)
		cve := ""
		if c, ok := v["cve"].(map[string]any); ok {
			cve = c["uid"].(string)
		}
		got[v["title"].(string)] = row{e["severity_id"].(float64), e["status_id"].(float64), cve,
			v["fix_available"].(bool), v["is_exploit_available"].(bool)}
		if e["class_uid"].(float64) != 2002 || e["type_uid"].(float64) != 200201 || e["metadata"].(map[string]any)["version"] != OCSFVersion {
			t.Errorf("class/type/version: %v %v %v", e["class_uid"], e["type_uid"], e["metadata"])
		}
	}
	want := map[string]row{
		"CVE-2021-44906": {5, 1, "CVE-2021-44906", true, false},
		"CVE-2021-23337": {4, 1, "CVE-2021-23337", true, false},
		"CVE-2023-5678":  {2, 1, "CVE-2023-5678", true, false},
		"CVE-2024-2511":  {0, 1, "CVE-2024-2511", false, false},
		"CVE-2020-8203":  {4, 3, "CVE-2020-8203", true, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestOCSFNonCVEVulnerability(t *testing.T) {
	r := sampleReport(t)
	r.Findings[0].Vulnerability.ID = "GHSA-xxxx-yyyy-zzzz"
	r.Findings[0].Vulnerability.Aliases = nil
	r.Findings = r.Findings[:1]
	r.Suppressed = nil
	events := ocsfEach(t, compileSchema(t, ocsfSchemaFile), writeOCSFSample(t, r))
	if _, ok := events[0]["vulnerabilities"].([]any)[0].(map[string]any)["cve"]; ok {
		t.Error("a vulnerability with no CVE id got a cve object")
	}
}

func TestOCSFSchemaCanFail(t *testing.T) {
	s := compileSchema(t, ocsfSchemaFile)
	var events []json.RawMessage
	if err := json.Unmarshal(writeOCSFSample(t), &events); err != nil {
		t.Fatal(err)
	}
	one := events[0]
	validateJSON(t, s, one)
	vuln := func(m map[string]any) map[string]any { return m["vulnerabilities"].([]any)[0].(map[string]any) }
	for _, tc := range []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"wrong class", func(m map[string]any) { m["class_uid"] = 2001 }, "class_uid"},
		{"no finding_info", func(m map[string]any) { delete(m, "finding_info") }, "finding_info"},
		{"no finding uid", func(m map[string]any) { delete(m["finding_info"].(map[string]any), "uid") }, "uid"},
		{"no metadata version", func(m map[string]any) { delete(m["metadata"].(map[string]any), "version") }, "version"},
		{"type_uid not activity", func(m map[string]any) { m["type_uid"] = 200202 }, "type_uid"},
		{"bad severity_id", func(m map[string]any) { m["severity_id"] = 7 }, "severity_id"},
		{"time as string", func(m map[string]any) { m["time"] = "2026-11-27T08:00:00Z" }, "time"},
		{"no vulnerabilities", func(m map[string]any) { m["vulnerabilities"] = []any{} }, "vulnerabilities"},
		{"bad cve uid", func(m map[string]any) { vuln(m)["cve"].(map[string]any)["uid"] = "GHSA-1" }, "uid"},
		{"cvss without version", func(m map[string]any) {
			delete(vuln(m)["cve"].(map[string]any)["cvss"].([]any)[0].(map[string]any), "version")
		}, "version"},
		{"package without version", func(m map[string]any) {
			delete(vuln(m)["affected_packages"].([]any)[0].(map[string]any), "version")
		}, "version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := decodeMap(t, one)
			tc.mutate(m)
			mustReject(t, s, m, tc.want)
		})
	}
}

func TestOCSFEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteOCSF(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "[]\n" {
		t.Errorf("empty output %q", buf.String())
	}
}
