package exposure

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readFirewall(t *testing.T, nft string, ipt ...string) *HostFirewall {
	t.Helper()
	var n *HostFirewall
	if nft != "" {
		data, err := os.ReadFile(filepath.Join("testdata/hostfw", nft))
		if err != nil {
			t.Fatal(err)
		}
		if n, err = ParseNftables(data); err != nil {
			t.Fatalf("%s: %v", nft, err)
		}
	}
	var ips []*HostFirewall
	for _, f := range ipt {
		data, err := os.ReadFile(filepath.Join("testdata/hostfw", f))
		if err != nil {
			t.Fatal(err)
		}
		fam := FamilyV4
		if strings.HasPrefix(f, "ip6") {
			fam = FamilyV6
		}
		fw, err := ParseIptablesSave(data, fam)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		ips = append(ips, fw)
	}
	return MergeFirewalls(n, ips...)
}

func sock(proto Protocol, addr string, port int) Socket {
	return Socket{Protocol: proto, Addr: netip.MustParseAddr(addr), Port: port, Process: "svc", Exe: "/usr/sbin/svc", Package: "svc"}
}

func ifc(name string, addrs ...string) HostInterface {
	h := HostInterface{Name: name}
	for _, a := range addrs {
		h.Addrs = append(h.Addrs, netip.MustParsePrefix(a))
	}
	return h
}

// TestAnalyzeHost checks reachability through real rulesets dumped by nft
// and iptables-save (testdata/hostfw, produced in a network namespace).
// Each expected line is "title | from".
func TestAnalyzeHost(t *testing.T) {
	lo := HostInterface{Name: "lo", Loopback: true, Addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8")}}
	tests := []struct {
		name    string
		fw      *HostFirewall
		ifaces  []HostInterface
		sockets []Socket
		want    []string
	}{
		{
			name:   "nftables: sets, jump, reject, two base chains, IPv6 source",
			fw:     readFirewall(t, "nft-basic.json"),
			ifaces: []HostInterface{lo, ifc("eth0", "10.231.1.2/24", "203.0.113.10/24", "2001:db8:1::2/64")},
			sockets: []Socket{
				sock(ProtoTCP, "0.0.0.0", 22), sock(ProtoTCP, "::", 443), sock(ProtoTCP, "0.0.0.0", 8000),
				sock(ProtoTCP, "0.0.0.0", 9000), sock(ProtoTCP, "0.0.0.0", 2222), sock(ProtoUDP, "0.0.0.0", 53),
				sock(ProtoTCP, "0.0.0.0", 9999), sock(ProtoTCP, "127.0.0.1", 5432), sock(ProtoTCP, "::", 8443),
			},
			want: []string{
				"Port 22 is reachable from the Local Network - TCP | 10.231.1.0/24",
				"Port 443 is reachable from the Internet - TCP | internet",
				"Port 443 is reachable from the Local Network - TCP | 10.231.1.0/24",
				"Port 443 is reachable from the Local Network - TCP | 203.0.113.0/24",
				"Port 443 is reachable from the Local Network - TCP | 2001:db8:1::/64",
				"Port 53 is reachable from the Internet - UDP | internet",
				"Port 53 is reachable from the Local Network - UDP | 10.231.1.0/24",
				"Port 53 is reachable from the Local Network - UDP | 203.0.113.0/24",
				"Port 8000 is reachable from the Local Network - TCP | 10.231.1.0/24",
				"Port 8443 is reachable from the Internet - TCP | internet",
				"Port 8443 is reachable from the Local Network - TCP | 2001:db8:1::/64",
			},
		},
		{
			name:   "iptables-save: user chain, multiport, negated source, limit (uncertain accept), ip6tables",
			fw:     readFirewall(t, "nft-iptables-compat.json", "iptables-ufw.txt", "ip6tables.txt"),
			ifaces: []HostInterface{lo, ifc("eth0", "10.231.2.2/24", "198.51.100.7/24", "2001:db8:2::2/64")},
			sockets: []Socket{
				sock(ProtoTCP, "0.0.0.0", 22), sock(ProtoTCP, "::", 22), sock(ProtoTCP, "0.0.0.0", 80),
				sock(ProtoTCP, "0.0.0.0", 3306), sock(ProtoUDP, "0.0.0.0", 5353), sock(ProtoTCP, "0.0.0.0", 8005),
				sock(ProtoTCP, "0.0.0.0", 25),
			},
			want: []string{
				"Port 22 is reachable from the Local Network - TCP | 10.231.2.0/24",
				"Port 3306 is reachable from the Local Network - TCP | 10.231.2.0/24",
				"Port 5353 is reachable from the Internet - UDP | internet",
				"Port 5353 is reachable from the Local Network - UDP | 10.231.2.0/24",
				"Port 5353 is reachable from the Local Network - UDP | 198.51.100.0/24",
				"Port 80 is reachable from the Internet - TCP | internet",
				"Port 80 is reachable from the Local Network - TCP | 10.231.2.0/24",
				"Port 80 is reachable from the Local Network - TCP | 198.51.100.0/24",
				"Port 8005 is reachable from the Internet - TCP | internet",
				"Port 8005 is reachable from the Local Network - TCP | 10.231.2.0/24",
				"Port 8005 is reachable from the Local Network - TCP | 198.51.100.0/24",
			},
		},
		{
			name:    "no firewall, private address only, socket bound to one address",
			ifaces:  []HostInterface{lo, ifc("eth0", "10.231.3.2/24"), ifc("eth1", "10.231.4.2/24")},
			sockets: []Socket{sock(ProtoTCP, "10.231.4.2", 8080), sock(ProtoUDP, "0.0.0.0", 123)},
			want: []string{
				"Port 123 is reachable from the Local Network - UDP | 10.231.3.0/24",
				"Port 123 is reachable from the Local Network - UDP | 10.231.4.0/24",
				"Port 8080 is reachable from the Local Network - TCP | 10.231.4.0/24",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &HostFacts{Host: "h1", Interfaces: tc.ifaces, Sockets: tc.sockets, Firewall: tc.fw}
			res, err := AnalyzeHost(context.Background(), h)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				got = append(got, f.Title+" | "+f.Network.From)
				if f.Remediation == "" || f.Network.Process == "" || len(f.Network.Steps) == 0 {
					t.Errorf("%s: remediation %q, process %q, steps %v", f.Title, f.Remediation, f.Network.Process, f.Network.Steps)
				}
			}
			slices.Sort(got)
			slices.Sort(tc.want)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHostRemediationNamesRule checks that a finding names the rule that
// admits its port.
func TestHostRemediationNamesRule(t *testing.T) {
	h := &HostFacts{Host: "h", Firewall: readFirewall(t, "nft-basic.json"),
		Interfaces: []HostInterface{ifc("eth0", "10.231.1.2/24")}, Sockets: []Socket{sock(ProtoTCP, "0.0.0.0", 22)}}
	res, err := AnalyzeHost(context.Background(), h)
	if err != nil || len(res.Findings) != 1 {
		t.Fatalf("%v, %d findings", err, len(res.Findings))
	}
	if r := res.Findings[0].Remediation; !strings.Contains(r, "inet filter input handle 9") {
		t.Errorf("remediation %q does not name the accepting rule", r)
	}
	if res.Internet() {
		t.Error("Internet() true for a private-only host")
	}
}

func TestRangePrefixes(t *testing.T) {
	tests := []struct {
		lo, hi string
		want   []string
	}{
		{"10.0.0.1", "10.0.0.7", []string{"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/30"}},
		{"0.0.0.0", "255.255.255.255", []string{"0.0.0.0/0"}},
		{"10.0.0.0", "10.0.1.255", []string{"10.0.0.0/23"}},
	}
	for _, tc := range tests {
		var got []string
		for _, p := range rangePrefixes(netip.MustParseAddr(tc.lo), netip.MustParseAddr(tc.hi)) {
			got = append(got, p.String())
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s-%s (-want +got):\n%s", tc.lo, tc.hi, diff)
		}
	}
}

// BenchmarkAnalyzeHost measures one agent report's analysis: a real
// ruleset, two interfaces and 200 listening sockets.
func BenchmarkAnalyzeHost(b *testing.B) {
	data, err := os.ReadFile("testdata/hostfw/nft-basic.json")
	if err != nil {
		b.Fatal(err)
	}
	fw, err := ParseNftables(data)
	if err != nil {
		b.Fatal(err)
	}
	h := &HostFacts{Host: "h", Firewall: fw, Interfaces: []HostInterface{
		{Name: "eth0", Addrs: []netip.Prefix{netip.MustParsePrefix("203.0.113.2/24"), netip.MustParsePrefix("10.231.1.2/24")}},
		{Name: "eth1", Addrs: []netip.Prefix{netip.MustParsePrefix("2001:db8::2/64")}}}}
	for i := range 200 {
		h.Sockets = append(h.Sockets, Socket{Protocol: ProtoTCP, Addr: netip.IPv6Unspecified(), Port: 7000 + i*7})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AnalyzeHost(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}
