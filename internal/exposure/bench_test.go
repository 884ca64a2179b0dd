package exposure

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// generateModel builds a deterministic model of the given size: networks
// of 10 subnets each (half public, half private behind NAT), one ACL per
// two subnets with 12 ordered rules, groups of 6 rules mixing CIDRs,
// group references and port ranges, instances with one or two interfaces
// and one to three groups (10% stopped), peerings between neighbouring
// networks, and one internet-facing load balancer per network.
func generateModel(instances, groups, subnets int) *Model {
	r := rand.New(rand.NewPCG(1, 2))
	m := &Model{}
	nNets := max(1, subnets/10)
	for n := range nNets {
		id := fmt.Sprintf("vpc-%d", n)
		m.Networks = append(m.Networks, Network{ID: id, CIDRs: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(n), 0, 0}), 16)}})
		m.Gateways = append(m.Gateways, Gateway{ID: "igw-" + id, Kind: KindInternetGateway, Networks: []string{id}},
			Gateway{ID: "nat-" + id, Kind: KindNATGateway, Networks: []string{id}})
		local := Route{Dest: m.Networks[n].CIDRs[0], TargetKind: KindLocal, Target: "local"}
		pub := RouteTable{ID: "rtb-pub-" + id, Network: id, Routes: []Route{local, {Dest: allV4, TargetKind: KindInternetGateway, Target: "igw-" + id}}}
		priv := RouteTable{ID: "rtb-priv-" + id, Network: id, Main: true, Routes: []Route{local, {Dest: allV4, TargetKind: KindNATGateway, Target: "nat-" + id}}}
		if n > 0 {
			pcx := fmt.Sprintf("pcx-%d", n)
			prev := m.Networks[n-1]
			m.Peerings = append(m.Peerings, Peering{ID: pcx, Active: true, A: PeerSide{prev.ID, prev.CIDRs}, B: PeerSide{id, m.Networks[n].CIDRs}})
			priv.Routes = append(priv.Routes, Route{Dest: prev.CIDRs[0], TargetKind: KindPeering, Target: pcx})
			m.RouteTables[len(m.RouteTables)-1].Routes = append(m.RouteTables[len(m.RouteTables)-1].Routes,
				Route{Dest: m.Networks[n].CIDRs[0], TargetKind: KindPeering, Target: pcx})
		}
		m.RouteTables = append(m.RouteTables, pub, priv)
		m.ACLs = append(m.ACLs, ACL{ID: "acl-default-" + id, Network: id, Default: true,
			Inbound:  []ACLRule{{Number: 100, Protocol: ProtoAll, Allow: true, CIDR: allV4, Ports: PortRange{0, MaxPort}}},
			Outbound: []ACLRule{{Number: 100, Protocol: ProtoAll, Allow: true, CIDR: allV4, Ports: PortRange{0, MaxPort}}}})
	}
	randPrefix := func() netip.Prefix {
		switch r.IntN(5) {
		case 0:
			return allV4
		case 1:
			return netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(r.IntN(nNets)), 0, 0}), 16)
		default:
			return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(1 + r.IntN(220)), byte(r.IntN(256)), byte(r.IntN(256)), 0}), 8+r.IntN(17)).Masked()
		}
	}
	randPorts := func() (Protocol, PortRange) {
		switch r.IntN(6) {
		case 0:
			return ProtoAll, PortRange{0, MaxPort}
		case 1:
			lo := r.IntN(60000)
			return ProtoUDP, PortRange{lo, lo + r.IntN(100)}
		default:
			lo := []int{22, 80, 443, 3306, 5432, 8000, 8080, 9000}[r.IntN(8)]
			return ProtoTCP, PortRange{lo, lo + r.IntN(3)*r.IntN(50)}
		}
	}
	for a := 0; a < subnets/2; a++ {
		id := fmt.Sprintf("acl-%d", a)
		acl := ACL{ID: id, Network: fmt.Sprintf("vpc-%d", (2*a/10)%nNets)}
		for k := range 12 {
			p, pr := randPorts()
			acl.Inbound = append(acl.Inbound, ACLRule{Number: 10 * (k + 1), Protocol: p, Allow: r.IntN(4) != 0, CIDR: randPrefix(), Ports: pr})
		}
		acl.Inbound = append(acl.Inbound, ACLRule{Number: 200, Protocol: ProtoAll, Allow: true, CIDR: allV4, Ports: PortRange{0, MaxPort}})
		acl.Outbound = []ACLRule{
			{Number: 10, Protocol: ProtoTCP, Allow: r.IntN(5) != 0, CIDR: randPrefix(), Ports: PortRange{1024, MaxPort}},
			{Number: 100, Protocol: ProtoAll, Allow: true, CIDR: allV4, Ports: PortRange{0, MaxPort}},
		}
		m.ACLs = append(m.ACLs, acl)
	}
	for s := range subnets {
		n := (s / 10) % nNets
		id := fmt.Sprintf("vpc-%d", n)
		sn := Subnet{ID: fmt.Sprintf("subnet-%d", s), Network: id,
			CIDRs: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(n), byte(s % 256), 0}), 24)}, ACL: fmt.Sprintf("acl-%d", s/2)}
		if s%2 == 0 {
			sn.RouteTable = "rtb-pub-" + id
		}
		m.Subnets = append(m.Subnets, sn)
	}
	for g := range groups {
		grp := Group{ID: fmt.Sprintf("sg-%d", g), Network: fmt.Sprintf("vpc-%d", g%nNets)}
		for range 6 {
			p, pr := randPorts()
			rule := GroupRule{Protocol: p, Ports: pr}
			if r.IntN(4) == 0 {
				rule.Groups = []string{fmt.Sprintf("sg-%d", r.IntN(groups))}
			} else {
				rule.CIDRs = []netip.Prefix{randPrefix()}
			}
			grp.Inbound = append(grp.Inbound, rule)
		}
		m.Groups = append(m.Groups, grp)
	}
	for i := range instances {
		hid := fmt.Sprintf("i-%d", i)
		m.Hosts = append(m.Hosts, Host{ID: hid, Running: r.IntN(10) != 0})
		for k := range 1 + r.IntN(2) {
			s := r.IntN(subnets)
			nic := Interface{ID: fmt.Sprintf("eni-%d-%d", i, k), Subnet: fmt.Sprintf("subnet-%d", s), Host: hid, Primary: k == 0,
				Private: []netip.Addr{netip.AddrFrom4([4]byte{10, byte((s / 10) % nNets), byte(s % 256), byte(4 + i%250)})}}
			if s%2 == 0 {
				nic.Public = []netip.Addr{netip.AddrFrom4([4]byte{54, byte(i >> 8), byte(i), byte(k)})}
			}
			for range 1 + r.IntN(3) {
				nic.Groups = append(nic.Groups, fmt.Sprintf("sg-%d", r.IntN(groups)))
			}
			m.Interfaces = append(m.Interfaces, nic)
		}
	}
	for n := range nNets {
		id := fmt.Sprintf("vpc-%d", n)
		tg := TargetGroup{ID: "tg-" + id, Name: "tg-" + id, Protocol: ProtoTCP, Port: 8080}
		for k := range 20 {
			tg.Targets = append(tg.Targets, Target{Host: fmt.Sprintf("i-%d", (n*20+k)%instances), Routable: true})
		}
		m.TargetGroups = append(m.TargetGroups, tg)
		m.LoadBalancers = append(m.LoadBalancers, LoadBalancer{ID: "lb-" + id, Name: "lb-" + id, Network: id, Public: true,
			Subnets: []string{fmt.Sprintf("subnet-%d", n*10)}, Groups: []string{fmt.Sprintf("sg-%d", n)},
			Listeners: []Listener{{ID: "l80-" + id, Protocol: ProtoTCP, Port: 80, TargetGroups: []string{tg.ID}},
				{ID: "l443-" + id, Protocol: ProtoTCP, Port: 443, TargetGroups: []string{tg.ID}}}})
	}
	return m
}

// BenchmarkAnalyzeLarge is the acceptance benchmark: 5,000 instances,
// 500 security groups, 200 subnets must be analysed in ≤ 10 s.
func BenchmarkAnalyzeLarge(b *testing.B) {
	m := generateModel(5000, 500, 200)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		res, err := Analyze(context.Background(), m, Options{})
		if err != nil {
			b.Fatal(err)
		}
		n = len(res.Findings)
	}
	b.ReportMetric(float64(n), "findings")
}

// BenchmarkAnalyzeSmall is one scenario-sized model.
func BenchmarkAnalyzeSmall(b *testing.B) {
	m := generateModel(20, 10, 10)
	for b.Loop() {
		if _, err := Analyze(context.Background(), m, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPortSetUnion(b *testing.B) {
	var x, y PortSet
	for i := range 100 {
		x = x.Union(Ports(i*600, i*600+100))
		y = y.Union(Ports(i*600+50, i*600+400))
	}
	for b.Loop() {
		_ = x.Union(y).Intersect(x).Subtract(y)
	}
}
