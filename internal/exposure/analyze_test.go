package exposure

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func ip(s string) netip.Addr    { return netip.MustParseAddr(s) }

// baseModel is one network with an internet gateway, a public subnet
// (s-pub), a private subnet (s-priv, main table: local only), an
// allow-all default ACL, and one running host h1 in s-pub with group g1.
func baseModel() *Model {
	return &Model{
		Networks: []Network{{ID: "n1", CIDRs: []netip.Prefix{pfx("10.0.0.0/16")}}},
		Subnets: []Subnet{
			{ID: "s-pub", Network: "n1", CIDRs: []netip.Prefix{pfx("10.0.1.0/24")}, RouteTable: "rt-pub"},
			{ID: "s-priv", Network: "n1", CIDRs: []netip.Prefix{pfx("10.0.2.0/24")}},
		},
		RouteTables: []RouteTable{
			{ID: "rt-main", Network: "n1", Main: true, Routes: []Route{{Dest: pfx("10.0.0.0/16"), TargetKind: KindLocal, Target: "local"}}},
			{ID: "rt-pub", Network: "n1", Routes: []Route{
				{Dest: pfx("10.0.0.0/16"), TargetKind: KindLocal, Target: "local"},
				{Dest: pfx("0.0.0.0/0"), TargetKind: KindInternetGateway, Target: "gw"},
			}},
		},
		Gateways: []Gateway{{ID: "gw", Kind: KindInternetGateway, Networks: []string{"n1"}}},
		ACLs: []ACL{{ID: "acl", Network: "n1", Default: true,
			Inbound:  []ACLRule{{Number: 100, Protocol: ProtoAll, Allow: true, CIDR: pfx("0.0.0.0/0"), Ports: PortRange{0, MaxPort}}},
			Outbound: []ACLRule{{Number: 100, Protocol: ProtoAll, Allow: true, CIDR: pfx("0.0.0.0/0"), Ports: PortRange{0, MaxPort}}},
		}},
		Groups: []Group{{ID: "g1", Network: "n1", Inbound: []GroupRule{
			{Protocol: ProtoTCP, Ports: PortRange{22, 22}, CIDRs: []netip.Prefix{pfx("0.0.0.0/0")}},
		}}},
		Interfaces: []Interface{{ID: "nic1", Subnet: "s-pub", Host: "h1", Primary: true,
			Private: []netip.Addr{ip("10.0.1.10")}, Public: []netip.Addr{ip("203.0.113.10")}, Groups: []string{"g1"}}},
		Hosts: []Host{{ID: "h1", Running: true}},
	}
}

type row struct {
	Host, Proto, Ports, From string
	Path                     string
}

func rows(t *testing.T, m *Model) []row {
	t.Helper()
	res, err := Analyze(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []row
	for _, f := range res.Findings {
		n := f.Network
		out = append(out, row{f.Resource, n.Protocol, PortRange{n.Ports.Begin, n.Ports.End}.String(), n.From, PathString(n.Steps)})
	}
	return out
}

const directPath = "InternetGateway gw → RouteTable rt-pub → NetworkAcl acl → SecurityGroup g1 → NetworkInterface nic1 → Instance h1"

func TestAnalyzeNeutral(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *Model)
		want   []row
	}{
		{"open ssh", func(*Model) {}, []row{{"h1", "TCP", "22", "gw", directPath}}},
		{"no public address", func(m *Model) { m.Interfaces[0].Public = nil }, nil},
		{"private subnet", func(m *Model) { m.Interfaces[0].Subnet = "s-priv" }, nil},
		{"stopped", func(m *Model) { m.Hosts[0].Running = false }, nil},
		{"detached", func(m *Model) { m.Interfaces[0].Host = "" }, nil},
		{"no ACL in model", func(m *Model) { m.ACLs = nil }, []row{{"h1", "TCP", "22", "gw",
			"InternetGateway gw → RouteTable rt-pub → SecurityGroup g1 → NetworkInterface nic1 → Instance h1"}}},
		{"ACL rules out of order", func(m *Model) {
			m.ACLs[0].Inbound = append(m.ACLs[0].Inbound, ACLRule{Number: 50, Protocol: ProtoTCP, CIDR: pfx("0.0.0.0/0"), Ports: PortRange{22, 22}})
		}, nil},
		{"ACL denies part of the internet only", func(m *Model) {
			m.ACLs[0].Inbound = append([]ACLRule{{Number: 50, Protocol: ProtoTCP, CIDR: pfx("8.0.0.0/8"), Ports: PortRange{22, 22}}}, m.ACLs[0].Inbound...)
		}, []row{{"h1", "TCP", "22", "gw", directPath}}},
		{"return traffic blocked for the only allowed source", func(m *Model) {
			m.Groups[0].Inbound[0].CIDRs = []netip.Prefix{pfx("198.51.100.0/24")}
			m.ACLs[0].Outbound = append([]ACLRule{{Number: 10, Protocol: ProtoAll, CIDR: pfx("198.51.100.0/24"), Ports: PortRange{0, MaxPort}}}, m.ACLs[0].Outbound...)
		}, nil},
		{"group rule from private space", func(m *Model) { m.Groups[0].Inbound[0].CIDRs = []netip.Prefix{pfx("10.0.0.0/8")} }, nil},
		{"prefix list resolved", func(m *Model) {
			m.Groups[0].Inbound[0].CIDRs = nil
			m.Groups[0].Inbound[0].PrefixLists = []string{"pl-1"}
			m.PrefixLists = []PrefixList{{ID: "pl-1", CIDRs: []netip.Prefix{pfx("192.0.2.0/24")}}}
		}, []row{{"h1", "TCP", "22", "gw", directPath}}},
		{"prefix list unknown", func(m *Model) {
			m.Groups[0].Inbound[0].CIDRs = nil
			m.Groups[0].Inbound[0].PrefixLists = []string{"pl-x"}
		}, nil},
		{"NAT route wins", func(m *Model) {
			m.RouteTables[1].Routes[1] = Route{Dest: pfx("0.0.0.0/0"), TargetKind: KindNATGateway, Target: "nat"}
			m.Gateways = append(m.Gateways, Gateway{ID: "nat", Kind: KindNATGateway, Networks: []string{"n1"}})
		}, nil},
		{"VPN gateway zone", func(m *Model) {
			m.RouteTables[1].Routes = append(m.RouteTables[1].Routes, Route{Dest: pfx("172.16.0.0/12"), TargetKind: KindVPNGateway, Target: "vgw"})
			m.Groups[0].Inbound[0].CIDRs = append(m.Groups[0].Inbound[0].CIDRs, pfx("172.16.5.0/24"))
		}, []row{
			{"h1", "TCP", "22", "gw", directPath},
			{"h1", "TCP", "22", "vgw", "VpnGateway vgw → RouteTable rt-pub → NetworkAcl acl → SecurityGroup g1 → NetworkInterface nic1 → Instance h1"},
		}},
		{"two groups", func(m *Model) {
			m.Groups = append(m.Groups, Group{ID: "g2", Inbound: []GroupRule{{Protocol: ProtoUDP, Ports: PortRange{53, 53}, CIDRs: []netip.Prefix{pfx("0.0.0.0/0")}}}})
			m.Interfaces[0].Groups = append(m.Interfaces[0].Groups, "g2")
		}, []row{
			{"h1", "TCP", "22", "gw", directPath},
			{"h1", "UDP", "53", "gw", "InternetGateway gw → RouteTable rt-pub → NetworkAcl acl → SecurityGroup g2 → NetworkInterface nic1 → Instance h1"},
		}},
		{"port forward", func(m *Model) {
			m.Interfaces[0].Public = nil
			m.Interfaces[0].Subnet = "s-priv"
			m.Groups[0].Inbound[0].Ports = PortRange{20, 30}
			m.PortForwards = []PortForward{{ID: "pf1", Gateway: "gw", Protocol: ProtoTCP, External: PortRange{2222, 2224}, Interface: "nic1", InternalLo: 21}}
		}, []row{{"h1", "TCP", "21-23", "gw", "InternetGateway gw → PortForward pf1 → NetworkAcl acl → SecurityGroup g1 → NetworkInterface nic1 → Instance h1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseModel()
			tt.change(m)
			if diff := cmp.Diff(tt.want, rows(t, m)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// lbModel adds an internet-facing load balancer without groups (a network
// load balancer) in s-pub forwarding TCP 80 to h2:8080 in s-priv.
func lbModel() *Model {
	m := baseModel()
	m.Groups = append(m.Groups, Group{ID: "g-app", Inbound: []GroupRule{{Protocol: ProtoTCP, Ports: PortRange{8080, 8080}, CIDRs: []netip.Prefix{pfx("10.0.1.0/24")}}}})
	m.Interfaces = append(m.Interfaces, Interface{ID: "nic2", Subnet: "s-priv", Host: "h2", Primary: true, Private: []netip.Addr{ip("10.0.2.20")}, Groups: []string{"g-app"}})
	m.Hosts = append(m.Hosts, Host{ID: "h2", Running: true})
	m.LoadBalancers = []LoadBalancer{{ID: "lb", Name: "nlb", Network: "n1", Public: true, Subnets: []string{"s-pub"},
		Listeners: []Listener{{ID: "l80", Protocol: ProtoTCP, Port: 80, TargetGroups: []string{"tg"}}}}}
	m.TargetGroups = []TargetGroup{{ID: "tg", Name: "app", Protocol: ProtoTCP, Port: 8080, Targets: []Target{{Host: "h2", Routable: true}}}}
	return m
}

const lbPath = "InternetGateway gw → LoadBalancer lb → Listener l80 → TargetGroup tg → SecurityGroup g-app → NetworkInterface nic2 → Instance h2"

func TestAnalyzeLoadBalancer(t *testing.T) {
	direct := row{"h1", "TCP", "22", "gw", directPath}
	viaLB := row{"h2", "TCP", "8080", "gw", lbPath}
	tests := []struct {
		name   string
		change func(m *Model)
		want   []row
	}{
		{"nlb without groups", func(*Model) {}, []row{direct, viaLB}},
		{"internal scheme", func(m *Model) { m.LoadBalancers[0].Public = false }, []row{direct}},
		{"target not routable", func(m *Model) { m.TargetGroups[0].Targets[0].Routable = false }, []row{direct}},
		{"target stopped", func(m *Model) { m.Hosts[1].Running = false }, []row{direct}},
		{"target group denies lb subnet", func(m *Model) { m.Groups[1].Inbound[0].CIDRs = []netip.Prefix{pfx("10.0.9.0/24")} }, []row{direct}},
		{"ip target", func(m *Model) {
			m.TargetGroups[0].Targets[0] = Target{Addr: ip("10.0.2.20"), Port: 8080, Routable: true}
		}, []row{direct, viaLB}},
		{"lb group closed", func(m *Model) {
			m.Groups = append(m.Groups, Group{ID: "g-lb", Inbound: []GroupRule{{Protocol: ProtoTCP, Ports: PortRange{443, 443}, CIDRs: []netip.Prefix{pfx("0.0.0.0/0")}}}})
			m.LoadBalancers[0].Groups = []string{"g-lb"}
		}, []row{direct}},
		{"target group references lb group", func(m *Model) {
			m.Groups = append(m.Groups, Group{ID: "g-lb", Inbound: []GroupRule{{Protocol: ProtoTCP, Ports: PortRange{80, 80}, CIDRs: []netip.Prefix{pfx("0.0.0.0/0")}}}})
			m.LoadBalancers[0].Groups = []string{"g-lb"}
			m.Groups[1].Inbound[0].CIDRs = nil
			m.Groups[1].Inbound[0].Groups = []string{"g-lb"}
		}, []row{direct, viaLB}},
		{"client IP preserved, target group admits only the lb subnet", func(m *Model) { m.TargetGroups[0].PreserveClientIP = true }, []row{direct}},
		{"client IP preserved, target group admits the internet", func(m *Model) {
			m.TargetGroups[0].PreserveClientIP = true
			m.Groups[1].Inbound[0].CIDRs = []netip.Prefix{pfx("0.0.0.0/0")}
		}, []row{direct, viaLB}},
		{"client IP preserved, target ACL admits only the lb subnet", func(m *Model) {
			m.TargetGroups[0].PreserveClientIP = true
			m.Groups[1].Inbound[0].CIDRs = []netip.Prefix{pfx("0.0.0.0/0")}
			m.ACLs = append(m.ACLs, ACL{ID: "acl-priv", Network: "n1",
				Inbound:  []ACLRule{{Number: 100, Protocol: ProtoAll, Allow: true, CIDR: pfx("10.0.0.0/16"), Ports: PortRange{0, MaxPort}}},
				Outbound: []ACLRule{{Number: 100, Protocol: ProtoAll, Allow: true, CIDR: pfx("0.0.0.0/0"), Ports: PortRange{0, MaxPort}}}})
			m.Subnets[1].ACL = "acl-priv"
		}, []row{direct}},
		{"target subnet ACL blocks return", func(m *Model) {
			m.ACLs = append(m.ACLs, ACL{ID: "acl-priv", Network: "n1",
				Inbound:  []ACLRule{{Number: 100, Protocol: ProtoAll, Allow: true, CIDR: pfx("0.0.0.0/0"), Ports: PortRange{0, MaxPort}}},
				Outbound: []ACLRule{{Number: 100, Protocol: ProtoTCP, Allow: true, CIDR: pfx("0.0.0.0/0"), Ports: PortRange{443, 443}}}})
			m.Subnets[1].ACL = "acl-priv"
		}, []row{direct}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := lbModel()
			tt.change(m)
			if diff := cmp.Diff(tt.want, rows(t, m)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindingText(t *testing.T) {
	m := baseModel()
	m.Groups[0].Inbound = append(m.Groups[0].Inbound, GroupRule{Protocol: ProtoTCP, Ports: PortRange{8000, 8080}, CIDRs: []netip.Prefix{pfx("0.0.0.0/0")}})
	res, err := Analyze(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type text struct{ Title, Description, Remediation, CheckID string }
	var got []text
	for _, f := range res.Findings {
		got = append(got, text{f.Title, f.Description, f.Remediation, f.CheckID})
	}
	want := []text{
		{"Port 22 is reachable from an Internet Gateway - TCP",
			"On the instance h1, the port range 22-22 is reachable from the InternetGateway gw from an attached ENI nic1.",
			"Restrict the rules on the path that let this traffic in, or remove the path if the port need not be reachable: security group g1 rule (inbound TCP 22 from 0.0.0.0/0); network ACL acl entry 100 (inbound allow all traffic from 0.0.0.0/0).",
			"reachable-from-internet-gateway"},
		{"Port range 8000-8080 is reachable from an Internet Gateway - TCP",
			"On the instance h1, the port range 8000-8080 is reachable from the InternetGateway gw from an attached ENI nic1.",
			"Restrict the rules on the path that let this traffic in, or remove the path if the port need not be reachable: security group g1 rule (inbound TCP 8000-8080 from 0.0.0.0/0); network ACL acl entry 100 (inbound allow all traffic from 0.0.0.0/0).",
			"reachable-from-internet-gateway"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, f := range res.Findings {
		if f.Type != model.FindingNetworkReachability || f.Network == nil || len(f.Network.Steps) != 6 {
			t.Errorf("bad finding %+v", f)
		}
	}
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		from, through Kind
		r             PortRange
		want          model.Severity
	}{
		{KindInternetGateway, "", PortRange{22, 22}, model.SeverityHigh},
		{KindInternetGateway, "", PortRange{443, 443}, model.SeverityMedium},
		{KindInternetGateway, "", PortRange{3000, 3400}, model.SeverityHigh}, // holds 3306 and 3389
		{KindInternetGateway, "", PortRange{40000, 41023}, model.SeverityHigh},
		{KindInternetGateway, "", PortRange{40000, 41022}, model.SeverityMedium},
		{KindInternetGateway, KindLoadBalancer, PortRange{22, 22}, model.SeverityMedium},
		{KindInternetGateway, KindPortForward, PortRange{3389, 3389}, model.SeverityHigh},
		{KindPeering, "", PortRange{0, MaxPort}, model.SeverityLow},
		{KindVPNGateway, "", PortRange{22, 22}, model.SeverityLow},
	}
	for _, tt := range tests {
		if got := Severity(tt.from, tt.through, tt.r); got != tt.want {
			t.Errorf("Severity(%s, %s, %s) = %s, want %s", tt.from, tt.through, tt.r, got, tt.want)
		}
	}
}

func TestAnalyzeCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Analyze(ctx, baseModel(), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
}

func TestAnalyzeWarnsOnDanglingReferences(t *testing.T) {
	m := baseModel()
	m.Interfaces[0].Groups = append(m.Interfaces[0].Groups, "g-missing")
	m.Interfaces = append(m.Interfaces, Interface{ID: "nic9", Subnet: "s-gone", Host: "h1"})
	res, err := Analyze(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"interface nic1: security group g-missing not in the model",
		"interface nic9: subnet s-gone not in the model",
	}
	if diff := cmp.Diff(want, res.Warnings); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestByResource(t *testing.T) {
	m := lbModel()
	res, err := Analyze(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for host, obs := range res.ByResource() {
		for _, o := range obs {
			got[host] = append(got[host], o.Title)
		}
	}
	want := map[string][]string{
		"h1": {"Port 22 is reachable from an Internet Gateway - TCP"},
		"h2": {"Port 8080 is reachable from an Internet Gateway - TCP"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
