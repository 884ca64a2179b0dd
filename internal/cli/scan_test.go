package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/report"
)

const nodeApp = "testdata/node-app"

func scanJSON(t *testing.T, args ...string) (int, *report.Report, string) {
	t.Helper()
	code, out, errs := run(t, append([]string{"--db-dir", testDB, "scan", "fs", nodeApp, "--offline", "--format", "json"}, args...)...)
	if code == ExitError {
		t.Fatalf("scan failed: %s", errs)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not a JSON report: %v\n%s", err, out)
	}
	return code, &r, errs
}

func findingIDs(r *report.Report) []string {
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.Package.Name+"@"+f.Package.Version+" "+f.Vulnerability.ID)
	}
	sort.Strings(ids)
	return ids
}

func TestScanFindsTheAppsVulnerabilities(t *testing.T) {
	code, r, _ := scanJSON(t)
	if code != ExitOK {
		t.Errorf("exit %d without --fail-on", code)
	}
	if r.SchemaVersion != report.SchemaVersion || r.Target.Kind != "fs" || r.DBSnapshot == "" || r.Packages != 69 {
		t.Errorf("report header: schema %q kind %q snapshot %q packages %d", r.SchemaVersion, r.Target.Kind, r.DBSnapshot, r.Packages)
	}
	got := map[string]*report.Finding{}
	for i := range r.Findings {
		f := &r.Findings[i]
		got[f.Package.Name+" "+f.Vulnerability.ID] = f
	}
	// Spot checks against the advisories themselves (osv/npm/all.zip).
	lodash := got["lodash CVE-2021-23337"]
	if lodash == nil || lodash.FixedIn == nil || *lodash.FixedIn != "4.17.21" || lodash.Severity != "HIGH" ||
		!strings.Contains(strings.Join(lodash.Vulnerability.Aliases, " "), "GHSA-35jh-r3h4-6jhm") || lodash.Package.Path != "/package-lock.json" {
		t.Errorf("lodash CVE-2021-23337 = %+v", lodash)
	}
	if m := got["minimist CVE-2021-44906"]; m == nil || m.Severity != "CRITICAL" || *m.FixedIn != "1.2.6" {
		t.Errorf("minimist CVE-2021-44906 = %+v", m)
	}
	// GHSA-27h2-hvpr-p74q is withdrawn in the feed: never reported.
	for _, f := range r.Findings {
		for _, a := range append([]string{f.Vulnerability.ID}, f.Vulnerability.Aliases...) {
			if a == "GHSA-27h2-hvpr-p74q" {
				t.Errorf("withdrawn advisory reported: %+v", f)
			}
		}
	}
	if len(r.Findings) != r.Summary.Total {
		t.Errorf("summary total %d, %d findings", r.Summary.Total, len(r.Findings))
	}
}

func TestScanJSONValidatesAgainstPublishedSchema(t *testing.T) {
	code, out, errs := run(t, "--db-dir", testDB, "scan", "fs", nodeApp, nodeApp, "--offline", "--format", "json", "--explain")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var reports []report.Report
	if err := json.Unmarshal([]byte(out), &reports); err != nil || len(reports) != 2 {
		t.Fatalf("two targets: want an array of two reports: %v", err)
	}
	for _, f := range reports[0].Findings {
		if len(f.Explanation) == 0 || f.Explanation[0].Snapshot != reports[0].DBSnapshot || f.Explanation[0].Range == "" {
			t.Errorf("finding %s has no usable explanation: %+v", f.Vulnerability.ID, f.Explanation)
		}
	}
	validateAgainstSchema(t, []byte(out))
}

func TestScanExitCodesAndGates(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no gate", nil, ExitOK, ""},
		{"gate trips on HIGH", []string{"--fail-on", "HIGH"}, ExitGate, "at or above HIGH"},
		{"gate trips on CRITICAL", []string{"--fail-on", "critical"}, ExitGate, "1 finding(s) at or above CRITICAL"},
		{"filtered below the gate", []string{"--severity", "LOW,MEDIUM", "--fail-on", "HIGH"}, ExitOK, ""},
		{"unknown severity", []string{"--fail-on", "SEVERE"}, ExitError, "unknown severity"},
		{"unknown format", []string{"--format", "xml"}, ExitError, "unknown format"},
		{"missing target", []string{"--db-dir", testDB}, ExitError, "cannot index"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--db-dir", testDB, "scan", "fs", nodeApp, "--offline", "--format", "csv"}, tc.args...)
			if tc.name == "missing target" {
				args = []string{"--db-dir", testDB, "scan", "fs", "testdata/does-not-exist", "--offline"}
			}
			code, _, errs := run(t, args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, errs)
			}
			if tc.msg != "" && !strings.Contains(errs, tc.msg) {
				t.Errorf("stderr %q does not say %q", errs, tc.msg)
			}
		})
	}
}

func TestScanOfflineWithoutDatabase(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "db")
	code, out, errs := run(t, "--db-dir", empty, "scan", "fs", nodeApp, "--offline")
	if code != ExitError || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	if strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "vigil db import") {
		t.Errorf("want one sentence naming `vigil db import`, got %q", errs)
	}
}

func TestScanFilters(t *testing.T) {
	_, all, _ := scanJSON(t)
	_, high, _ := scanJSON(t, "--severity", "CRITICAL,HIGH")
	for _, f := range high.Findings {
		if f.Severity != "CRITICAL" && f.Severity != "HIGH" {
			t.Errorf("--severity kept %s", f.Severity)
		}
	}
	if len(high.Findings) == 0 || len(high.Findings) >= len(all.Findings) {
		t.Errorf("--severity kept %d of %d", len(high.Findings), len(all.Findings))
	}
	_, fixed, _ := scanJSON(t, "--ignore-unfixed")
	for _, f := range fixed.Findings {
		if f.FixedIn == nil {
			t.Errorf("--ignore-unfixed kept %s", f.Vulnerability.ID)
		}
	}
}

func TestScanIgnoreFileExpiry(t *testing.T) {
	dir := t.TempDir()
	ig := filepath.Join(dir, "ignore.yaml")
	if err := os.WriteFile(ig, []byte(`ignore:
  - id: GHSA-35jh-r3h4-6jhm
    purl: pkg:npm/lodash
    reason: template() is never called with user input
    expires: 2999-12-31
  - id: CVE-2021-44906
    reason: we were going to upgrade
    expires: 2020-01-01
`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, r, errs := scanJSON(t, "--ignore-file", ig)
	ids := strings.Join(findingIDs(r), "\n")
	if strings.Contains(ids, "CVE-2021-23337") {
		t.Error("ignored finding still reported")
	}
	if !strings.Contains(ids, "minimist@1.2.0 CVE-2021-44906") {
		t.Error("expired ignore entry still suppresses")
	}
	if len(r.Suppressed) != 1 || r.Suppressed[0].Suppression.Reason != "template() is never called with user input" {
		t.Errorf("suppressed = %+v", r.Suppressed)
	}
	if !strings.Contains(errs, "CVE-2021-44906 expired on 2020-01-01") {
		t.Errorf("no warning about the expired entry on stderr: %q", errs)
	}
	// An entry without expires is refused.
	if err := os.WriteFile(ig, []byte("ignore:\n  - id: CVE-2021-44906\n    reason: forever\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(t, "--db-dir", testDB, "scan", "fs", nodeApp, "--offline", "--ignore-file", ig)
	if code != ExitError || !strings.Contains(errs, "expires is required") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestScanVEX(t *testing.T) {
	vex := filepath.Join(t.TempDir(), "app.openvex.json")
	if err := os.WriteFile(vex, []byte(`{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/node-app",
  "author": "app team",
  "timestamp": "2026-11-01T00:00:00Z",
  "version": 1,
  "statements": [
    {"vulnerability": {"name": "CVE-2022-23539"}, "products": [{"@id": "pkg:npm/jsonwebtoken@8.5.1"}],
     "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
     "impact_statement": "we only verify RS256 tokens"},
    {"vulnerability": {"name": "CVE-2020-15168"}, "products": [{"@id": "pkg:npm/node-fetch"}],
     "status": "affected", "action_statement": "upgrade node-fetch"}
  ]
}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, r, _ := scanJSON(t, "--vex", vex)
	ids := strings.Join(findingIDs(r), "\n")
	if strings.Contains(ids, "CVE-2022-23539") || !strings.Contains(ids, "CVE-2020-15168") {
		t.Errorf("VEX not applied as stated:\n%s", ids)
	}
	want := []string{"vex not_affected vulnerable_code_not_in_execute_path we only verify RS256 tokens"}
	var got []string
	for _, f := range r.Suppressed {
		d := f.Suppression
		got = append(got, strings.Join([]string{string(d.Kind), d.Status, d.Justification, d.Reason}, " "))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suppressed (-want +got):\n%s", diff)
	}
	// The justification is shown to people too.
	_, out, _ := run(t, "--db-dir", testDB, "scan", "fs", nodeApp, "--offline", "--vex", vex, "--show-suppressed")
	containsAll(t, "table", out, "vex not_affected (vulnerable_code_not_in_execute_path)", "1 suppressed")
}

func TestScanOutputFileAndFormats(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"table", "json", "sarif", "cyclonedx", "csv"} {
		out := filepath.Join(dir, "report."+f)
		code, stdout, errs := run(t, "--db-dir", testDB, "scan", "fs", nodeApp, "--offline", "--format", f, "--output", out)
		if code != ExitOK || stdout != "" {
			t.Fatalf("%s: exit %d stdout %q stderr %q", f, code, stdout, errs)
		}
		data, err := os.ReadFile(out)
		if err != nil || !strings.Contains(string(data), "CVE-2021-23337") {
			t.Errorf("%s: output file lacks the lodash finding (%v)", f, err)
		}
	}
}

func TestScanTableGolden(t *testing.T) {
	code, out, _ := run(t, "--db-dir", testDB, "scan", "fs", nodeApp, "--offline")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	golden(t, "node-app.txt", normalize(out))
}

// TestOutputNeverReplacesADevice: --output /dev/null (or a FIFO) is
// written to, not replaced by a regular file.
func TestOutputNeverReplacesADevice(t *testing.T) {
	code, _, errs := run(t, "--db-dir", testDB, "scan", "fs", nodeApp, "--offline", "--format", "json", "--output", os.DevNull)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	fi, err := os.Stat(os.DevNull)
	if err != nil || fi.Mode().IsRegular() {
		t.Fatalf("%s was replaced by a regular file (%v)", os.DevNull, err)
	}
}
