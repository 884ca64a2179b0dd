package aws

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/exposure"
)

// expectation is one line of a scenario's expected.json.
type expectation struct {
	Resource  string   `json:"resource"`
	Interface string   `json:"interface"`
	Protocol  string   `json:"protocol"`
	Ports     string   `json:"ports"`
	From      string   `json:"from"`
	Severity  string   `json:"severity"`
	Path      []string `json:"path"`
}

func project(fs []exposure.Finding) []expectation {
	out := []expectation{}
	for _, f := range fs {
		n := f.Network
		ports := exposure.PortRange{Lo: n.Ports.Begin, Hi: n.Ports.End}.String()
		var path []string
		for _, s := range n.Steps {
			path = append(path, s.ComponentType+" "+s.ComponentID)
		}
		out = append(out, expectation{f.Resource, f.Interface, n.Protocol, ports, n.From, string(f.Severity), path})
	}
	sortExp(out)
	return out
}

func sortExp(es []expectation) {
	slices.SortFunc(es, func(a, b expectation) int {
		return strings.Compare(a.Resource+a.Interface+a.Protocol+a.Ports+strings.Join(a.Path, "|"),
			b.Resource+b.Interface+b.Protocol+b.Ports+strings.Join(b.Path, "|"))
	})
}

// TestScenarios runs every testdata/<scenario> (AWS CLI outputs) through
// the importer and the analysis and compares the reachable ranges and
// paths with the scenario's hand-written expected.json (see its README.md
// for the reasoning).
func TestScenarios(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/expected.json")
	if err != nil || len(dirs) < 12 {
		t.Fatalf("want at least 12 scenarios, got %d (%v)", len(dirs), err)
	}
	for _, exp := range dirs {
		dir := filepath.Dir(exp)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			raw, err := os.ReadFile(exp)
			if err != nil {
				t.Fatal(err)
			}
			want := []expectation{}
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			sortExp(want)
			imp, err := Load(context.Background(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := exposure.Analyze(context.Background(), imp.Model, exposure.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, project(res.Findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
				for _, f := range res.Findings {
					t.Logf("%s: %s\n  %s\n  fix: %s", f.Resource, f.Title, f.Description, f.Remediation)
				}
			}
			// The JSON form of the imported model analyses the same.
			data, err := json.Marshal(imp.Model)
			if err != nil {
				t.Fatal(err)
			}
			m2, err := exposure.DecodeModel(bytes.NewReader(data), 0)
			if err != nil {
				t.Fatalf("imported model does not validate: %v", err)
			}
			res2, err := exposure.Analyze(context.Background(), m2, exposure.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(res, res2); diff != "" {
				t.Errorf("JSON round trip changes the analysis (-import +json):\n%s", diff)
			}
			if len(res.Warnings) > 0 {
				t.Logf("warnings: %q", res.Warnings)
			}
			for _, f := range res.Findings {
				if f.Type != "NETWORK_REACHABILITY" || f.Title == "" || f.Description == "" || f.Remediation == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
		})
	}
}
