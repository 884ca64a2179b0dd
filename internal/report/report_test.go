package report

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func TestGoldenFormats(t *testing.T) {
	r := sampleReport(t)
	for _, tc := range []struct {
		file string
		f    Format
		opts WriteOptions
	}{
		{"report.json", FormatJSON, WriteOptions{}},
		{"report.txt", FormatTable, WriteOptions{}},
		{"report-explain.txt", FormatTable, WriteOptions{Explain: true, ShowSuppressed: true}},
		{"report-color.txt", FormatTable, WriteOptions{Color: true}},
		{"report.csv", FormatCSV, WriteOptions{}},
		{"report.sarif", FormatSARIF, WriteOptions{}},
		{"report.cdx.json", FormatCycloneDX, WriteOptions{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tc.f, []*Report{r}, tc.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, buf.Bytes())
		})
	}
}

func TestBuildSuppressesAndSorts(t *testing.T) {
	r := sampleReport(t)
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, string(f.Severity)+" "+f.Vulnerability.ID)
	}
	want := []string{"CRITICAL CVE-2021-44906", "HIGH CVE-2021-23337", "LOW CVE-2023-5678", "UNTRIAGED CVE-2024-2511"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if len(r.Suppressed) != 1 || r.Suppressed[0].Vulnerability.ID != "CVE-2020-8203" ||
		r.Suppressed[0].Suppression.Reason != "zipObjectDeep is never called" {
		t.Errorf("suppressed = %+v", r.Suppressed)
	}
	if len(r.Warnings) != 1 {
		t.Errorf("want the expired ignore entry warned about, got %v", r.Warnings)
	}
	wantSummary := Summary{Total: 4, Fixable: 3, Suppressed: 1, BySeverity: map[model.Severity]int{
		model.SeverityCritical: 1, model.SeverityHigh: 1, model.SeverityMedium: 0, model.SeverityLow: 1,
		model.SeverityNone: 0, model.SeverityUntriaged: 1}}
	if diff := cmp.Diff(wantSummary, r.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

func TestBuildFilters(t *testing.T) {
	inv := sampleInventory()
	tests := []struct {
		name string
		opts Options
		want int
	}{
		{"all", Options{}, 5},
		{"severity list", Options{Severities: []model.Severity{model.SeverityCritical, model.SeverityHigh}}, 3},
		{"ignore unfixed", Options{IgnoreUnfixed: true}, 4},
		{"both", Options{Severities: []model.Severity{model.SeverityUntriaged}, IgnoreUnfixed: true}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Build(inv, sampleMatches(inv), tc.opts)
			if got := len(r.Findings) + len(r.Suppressed); got != tc.want {
				t.Errorf("kept %d findings, want %d", got, tc.want)
			}
		})
	}
}

func TestGate(t *testing.T) {
	r := sampleReport(t)
	for _, tc := range []struct {
		sev  model.Severity
		n    int
		trip bool
	}{
		{model.SeverityCritical, 1, true},
		{model.SeverityHigh, 2, true},
		{model.SeverityLow, 3, true},
	} {
		n, trip := r.Gate(tc.sev)
		if n != tc.n || trip != tc.trip {
			t.Errorf("Gate(%s) = %d, %v; want %d, %v", tc.sev, n, trip, tc.n, tc.trip)
		}
	}
	empty := Build(sampleInventory(), nil, Options{})
	if _, trip := empty.Gate(model.SeverityLow); trip {
		t.Error("a report without findings tripped the gate")
	}
}

func TestCSVDefusesFormulas(t *testing.T) {
	inv := sampleInventory()
	m := sampleMatches(inv)
	m[2].Vulnerabilities[0].ID = "=HYPERLINK(\"http://evil\")"
	r := Build(inv, m, Options{})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []*Report{r}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(CSVHeader, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	for _, row := range rows[1:] {
		if row[3] != "" && row[3][0] == '=' {
			t.Errorf("formula not defused: %q", row[3])
		}
	}
}

func TestParseFormat(t *testing.T) {
	if f, err := ParseFormat(" SARIF "); err != nil || f != FormatSARIF {
		t.Errorf("ParseFormat(SARIF) = %q, %v", f, err)
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error("xml accepted")
	}
}
