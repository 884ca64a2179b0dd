package aws

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/exposure"
)

func TestClassify(t *testing.T) {
	type res struct {
		Cmd, Suffix string
		OK          bool
	}
	tests := map[string]res{
		"describe-vpcs.json":                        {cmdVpcs, "", true},
		"describe-vpcs-page2.json":                  {cmdVpcs, "page2", true},
		"describe-vpc-peering-connections.json":     {cmdPeerings, "", true},
		"describe-network-acls.json":                {cmdNetworkACLs, "", true},
		"describe-network-interfaces-2.json":        {cmdInterfaces, "2", true},
		"describe-target-health-web-tg.json":        {cmdTargetHealth, "web-tg", true},
		"describe-target-groups.json":               {cmdTargetGroups, "", true},
		"get-managed-prefix-list-entries-pl-1.json": {cmdPrefixList, "pl-1", true},
		"describe-vpcs-.json":                       {"", "", false},
		"describe-vpcs.yaml":                        {"", "", false},
		"expected.json":                             {"", "", false},
		"describe-instance-status.json":             {"", "", false},
	}
	for name, want := range tests {
		cmd, suffix, ok := classify(name)
		if diff := cmp.Diff(want, res{cmd, suffix, ok}); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// minimal is the smallest valid directory content.
func minimal() map[string]string {
	return map[string]string{
		"describe-vpcs.json":               `{"Vpcs":[{"VpcId":"vpc-1","CidrBlock":"10.0.0.0/16"}]}`,
		"describe-subnets.json":            `{"Subnets":[{"SubnetId":"subnet-1","VpcId":"vpc-1","CidrBlock":"10.0.1.0/24"}]}`,
		"describe-route-tables.json":       `{"RouteTables":[]}`,
		"describe-security-groups.json":    `{"SecurityGroups":[]}`,
		"describe-network-interfaces.json": `{"NetworkInterfaces":[]}`,
		"describe-instances.json":          `{"Reservations":[]}`,
	}
}

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(map[string]string)
		opt    Options
		check  func(t *testing.T, err error)
	}{
		{"missing required file", func(f map[string]string) { delete(f, "describe-instances.json") }, Options{},
			func(t *testing.T, err error) {
				var e *MissingFileError
				if !errors.As(err, &e) || e.File != "describe-instances.json" || !strings.Contains(err.Error(), "aws ec2 describe-instances") {
					t.Errorf("got %v", err)
				}
			}},
		{"not JSON", func(f map[string]string) { f["describe-subnets.json"] = "Subnets:" }, Options{},
			func(t *testing.T, err error) {
				var e *FileError
				if !errors.As(err, &e) || e.File != "describe-subnets.json" {
					t.Errorf("got %v", err)
				}
			}},
		{"wrong command output", func(f map[string]string) { f["describe-subnets.json"] = `{"Vpcs":[]}` }, Options{},
			func(t *testing.T, err error) {
				var e *FormatError
				if !errors.As(err, &e) || e.Key != "Subnets" || !strings.HasPrefix(err.Error(), "describe-subnets.json: ") {
					t.Errorf("got %v", err)
				}
			}},
		{"bad CIDR", func(f map[string]string) {
			f["describe-subnets.json"] = `{"Subnets":[{"SubnetId":"subnet-1","VpcId":"vpc-1","CidrBlock":"10.0.1.0/33"}]}`
		}, Options{},
			func(t *testing.T, err error) {
				var e *ValueError
				if !errors.As(err, &e) || e.Item != "subnet subnet-1" || e.Field != "CidrBlock" {
					t.Errorf("got %v", err)
				}
			}},
		{"port out of range", func(f map[string]string) {
			f["describe-security-groups.json"] = `{"SecurityGroups":[{"GroupId":"sg-1","IpPermissions":[{"IpProtocol":"tcp","FromPort":10,"ToPort":70000}]}]}`
		}, Options{},
			func(t *testing.T, err error) {
				var e *ValueError
				if !errors.As(err, &e) || e.Item != "security group sg-1" {
					t.Errorf("got %v", err)
				}
			}},
		{"bad ACL action", func(f map[string]string) {
			f["describe-network-acls.json"] = `{"NetworkAcls":[{"NetworkAclId":"acl-1","Entries":[{"RuleNumber":1,"Protocol":"-1","RuleAction":"maybe","CidrBlock":"0.0.0.0/0"}]}]}`
		}, Options{},
			func(t *testing.T, err error) {
				var e *ValueError
				if !errors.As(err, &e) || e.Field != "RuleAction" {
					t.Errorf("got %v", err)
				}
			}},
		{"file too large", func(map[string]string) {}, Options{MaxFileSize: 40},
			func(t *testing.T, err error) {
				var e *TooLargeError
				if !errors.As(err, &e) || e.Limit != 40 {
					t.Errorf("got %v", err)
				}
				var fe *FileError
				if !errors.As(err, &fe) {
					t.Errorf("error does not name the file: %v", err)
				}
			}},
		{"too many files", func(map[string]string) {}, Options{MaxFiles: 3},
			func(t *testing.T, err error) {
				var e *TooManyFilesError
				if !errors.As(err, &e) {
					t.Errorf("got %v", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := minimal()
			tt.change(f)
			_, err := Load(context.Background(), writeDir(t, f), tt.opt)
			tt.check(t, err)
		})
	}
}

func TestLoadMinimal(t *testing.T) {
	f := minimal()
	f["notes.json"] = `{}`
	f["describe-vpcs-more.json"] = `{"Vpcs":[{"VpcId":"vpc-2","CidrBlock":"10.1.0.0/16"},{"VpcId":"vpc-1","CidrBlock":"10.9.0.0/16"}]}`
	imp, err := Load(context.Background(), writeDir(t, f), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range imp.Model.Networks {
		ids = append(ids, n.ID+" "+n.CIDRs[0].String())
	}
	if diff := cmp.Diff([]string{"vpc-1 10.0.0.0/16", "vpc-2 10.1.0.0/16"}, ids); diff != "" {
		t.Errorf("split files merge, first wins (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"notes.json: not a known command output, ignored"}, imp.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestTargetHealthNaming checks that target health files are matched to
// target groups by name or by the ARN's id, and that an unknown name is
// reported.
func TestTargetHealthNaming(t *testing.T) {
	tgs := `{"TargetGroups":[
	 {"TargetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/aaaa","TargetGroupName":"web","Protocol":"HTTP","Port":80,"TargetType":"instance"},
	 {"TargetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/api/bbbb","TargetGroupName":"api","Protocol":"TCP","Port":9000,"TargetType":"ip"}]}`
	files := []File{
		{"describe-vpcs.json", []byte(`{"Vpcs":[]}`)},
		{"describe-target-groups.json", []byte(tgs)},
		{"describe-target-health-web.json", []byte(`{"TargetHealthDescriptions":[{"Target":{"Id":"i-1","Port":80},"TargetHealth":{"State":"healthy"}},{"Target":{"Id":"i-2","Port":80},"TargetHealth":{"State":"unused"}}]}`)},
		{"describe-target-health-bbbb.json", []byte(`{"TargetHealthDescriptions":[{"Target":{"Id":"10.0.0.5","Port":9001},"TargetHealth":{"State":"unhealthy"}}]}`)},
		{"describe-target-health-nope.json", []byte(`{"TargetHealthDescriptions":[]}`)},
	}
	imp, err := Parse(files)
	if err != nil {
		t.Fatal(err)
	}
	type tgt struct {
		TG, Host, Addr string
		Port           int
		Routable       bool
	}
	var got []tgt
	for _, tg := range imp.Model.TargetGroups {
		for _, x := range tg.Targets {
			a := ""
			if x.Addr.IsValid() {
				a = x.Addr.String()
			}
			got = append(got, tgt{tg.Name, x.Host, a, x.Port, x.Routable})
		}
	}
	want := []tgt{{"web", "i-1", "", 80, true}, {"web", "i-2", "", 80, false}, {"api", "", "10.0.0.5", 9001, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(imp.Warnings) != 1 || !strings.Contains(imp.Warnings[0], "describe-target-health-nope.json") {
		t.Errorf("warnings %q", imp.Warnings)
	}
}

func TestProtocolMapping(t *testing.T) {
	tests := []struct {
		in   string
		want exposure.Protocol
		ok   bool
	}{
		{"-1", exposure.ProtoAll, true}, {"tcp", exposure.ProtoTCP, true}, {"6", exposure.ProtoTCP, true},
		{"udp", exposure.ProtoUDP, true}, {"17", exposure.ProtoUDP, true}, {"icmp", "", false}, {"58", "", false},
	}
	for _, tt := range tests {
		got, ok := protocol(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("protocol(%q) = %q, %v", tt.in, got, ok)
		}
	}
}

// TestInstanceWithoutInterfaces checks that an instance printed without
// its NetworkInterfaces (trimmed by --query) still gets its primary
// interface, and that a real interface replaces it.
func TestInstanceWithoutInterfaces(t *testing.T) {
	inst := `{"Reservations":[{"Instances":[{"InstanceId":"i-1","State":{"Name":"running"},"SubnetId":"subnet-1",
	  "PrivateIpAddress":"10.0.1.5","PublicIpAddress":"203.0.113.5","SecurityGroups":[{"GroupId":"sg-1"}]}]}]}`
	tests := []struct {
		name string
		enis string
		want []string
	}{
		{"synthesised", `{"NetworkInterfaces":[]}`, []string{"i-1/primary i-1 10.0.1.5 203.0.113.5 sg-1"}},
		{"replaced", `{"NetworkInterfaces":[{"NetworkInterfaceId":"eni-1","SubnetId":"subnet-1","PrivateIpAddress":"10.0.1.5",
		  "Attachment":{"InstanceId":"i-1","DeviceIndex":0,"Status":"attached"},"Groups":[{"GroupId":"sg-2"}],
		  "Association":{"PublicIp":"203.0.113.5"}}]}`, []string{"eni-1 i-1 10.0.1.5 203.0.113.5 sg-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imp, err := Parse([]File{{"describe-instances.json", []byte(inst)}, {"describe-network-interfaces.json", []byte(tt.enis)}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range imp.Model.Interfaces {
				got = append(got, strings.Join([]string{n.ID, n.Host, n.Private[0].String(), n.Public[0].String(), strings.Join(n.Groups, ",")}, " "))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// BenchmarkLoadScenario measures reading and importing one scenario
// directory (15 files).
func BenchmarkLoadScenario(b *testing.B) {
	for b.Loop() {
		if _, err := Load(context.Background(), "testdata/08-alb-listener-to-target-port", Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
