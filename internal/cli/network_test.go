package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/vigilsec/vigil/internal/exposure"
	"github.com/vigilsec/vigil/internal/exposure/aws"
)

const networkScenario = "../exposure/aws/testdata/"

// runNetwork runs `vigil network ARGS` on a root that holds only the
// network command.
func runNetwork(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	g := &Globals{Stdout: &out, Stderr: &errb}
	root := &cobra.Command{Use: "vigil", SilenceUsage: true, SilenceErrors: true}
	root.SetOut(&out)
	root.SetErr(&errb)
	root.AddCommand(newNetworkCmd(g))
	root.SetArgs(append([]string{"network"}, args...))
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func TestNetworkAnalyzeTable(t *testing.T) {
	out, _, err := runNetwork(t, "analyze", "--aws", networkScenario+"01-public-subnet-open-sg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"i-03000001 (eni-02000001)",
		"HIGH    TCP 22   Port 22 is reachable from an Internet Gateway - TCP",
		"path: AWS::EC2::InternetGateway igw-0d000001 → AWS::EC2::RouteTable rtb-0c000001 → AWS::EC2::NetworkAcl acl-0f000001 → AWS::EC2::SecurityGroup sg-01000001 → AWS::EC2::NetworkInterface eni-02000001 → AWS::EC2::Instance i-03000001",
		"fix:  Restrict the rules on the path",
		"2 reachable port ranges on 1 instances (1 HIGH, 1 MEDIUM)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestNetworkAnalyzeJSON(t *testing.T) {
	out, _, err := runNetwork(t, "analyze", "--aws", networkScenario+"07-port-range", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		SchemaVersion string
		Findings      []struct {
			Resource                   string
			Title                      string
			Severity                   string
			NetworkReachabilityDetails struct {
				Protocol      string
				OpenPortRange struct{ Begin, End int }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	type row struct {
		Title    string
		Begin    int
		End      int
		Severity string
	}
	var got []row
	for _, f := range rep.Findings {
		got = append(got, row{f.Title, f.NetworkReachabilityDetails.OpenPortRange.Begin, f.NetworkReachabilityDetails.OpenPortRange.End, f.Severity})
	}
	want := []row{
		{"Port range 8000-8084 is reachable from an Internet Gateway - TCP", 8000, 8084, "MEDIUM"},
		{"Port range 8086-8090 is reachable from an Internet Gateway - TCP", 8086, 8090, "MEDIUM"},
		{"Port range 60000-61000 is reachable from an Internet Gateway - UDP", 60000, 61000, "MEDIUM"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if rep.SchemaVersion != "1" {
		t.Errorf("schemaVersion %q", rep.SchemaVersion)
	}
}

func TestNetworkAnalyzeEmptyJSON(t *testing.T) {
	out, _, err := runNetwork(t, "analyze", "--aws", networkScenario+"03-nat-only", "-f", "json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"findings": []`) {
		t.Errorf("want an empty findings list:\n%s", out)
	}
}

func TestNetworkAnalyzeErrors(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(error) bool
	}{
		{"no source", []string{"analyze"}, func(err error) bool { var e *NoNetworkSourceError; return errors.As(err, &e) && !e.Both }},
		{"two sources", []string{"analyze", "--aws", ".", "--model", "m.json"}, func(err error) bool { var e *NoNetworkSourceError; return errors.As(err, &e) && e.Both }},
		{"invalid model", []string{"analyze", "--model", writeTemp(t, `{"hosts":[{}]}`)}, func(err error) bool {
			var e *exposure.ModelError
			return errors.As(err, &e)
		}},
		{"bad format", []string{"analyze", "--aws", ".", "--format", "sarif"}, func(err error) bool { var e *UnknownNetworkFormatError; return errors.As(err, &e) }},
		{"missing file", []string{"analyze", "--aws", t.TempDir()}, func(err error) bool { var e *aws.MissingFileError; return errors.As(err, &e) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runNetwork(t, tt.args...)
			if err == nil || !tt.check(err) {
				t.Errorf("got error %v (%T)", err, err)
			}
		})
	}
}

func writeTemp(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "model.json")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNetworkAnalyzeModel checks that --model on the JSON form of an
// imported scenario prints what --aws prints.
func TestNetworkAnalyzeModel(t *testing.T) {
	dir := networkScenario + "11-two-enis"
	imp, err := aws.Load(context.Background(), dir, aws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(imp.Model)
	if err != nil {
		t.Fatal(err)
	}
	viaModel, _, err := runNetwork(t, "analyze", "--model", writeTemp(t, string(data)))
	if err != nil {
		t.Fatal(err)
	}
	viaAWS, _, err := runNetwork(t, "analyze", "--aws", dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(viaAWS, viaModel); diff != "" {
		t.Errorf("(-aws +model):\n%s", diff)
	}
}
