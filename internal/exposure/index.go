package exposure

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
)

// index resolves the model's references once for the analysis.
type index struct {
	m          *Model
	nets       map[string]*Network
	subnets    map[string]*Subnet
	rts        map[string]*RouteTable
	mainRT     map[string]*RouteTable
	acls       map[string]*ACL
	defaultACL map[string]*ACL
	groups     map[string]*Group
	pls        map[string]*PrefixList
	ifaces     map[string]*Interface
	byPrivate  map[netip.Addr]*Interface
	hosts      map[string]*Host
	hostIfaces map[string][]*Interface
	members    map[string][]netip.Addr
	gateways   map[string]*Gateway
	tgs        map[string]*TargetGroup
	// routes holds each route table's routes sorted longest prefix first.
	routes map[string][]Route
	// peerRoutes: peering id → network id → destinations that network
	// routes to the peering.
	peerRoutes map[string]map[string][]netip.Prefix
	zones      map[string][]*zone
	warnings   []string
	warned     map[string]bool
}

// warnf records a warning once.
func (ix *index) warnf(format string, a ...any) {
	w := fmt.Sprintf(format, a...)
	if ix.warned[w] {
		return
	}
	ix.warned[w] = true
	ix.warnings = append(ix.warnings, w)
}

func newIndex(m *Model) *index {
	ix := &index{
		m: m, nets: map[string]*Network{}, subnets: map[string]*Subnet{}, rts: map[string]*RouteTable{},
		mainRT: map[string]*RouteTable{}, acls: map[string]*ACL{}, defaultACL: map[string]*ACL{},
		groups: map[string]*Group{}, pls: map[string]*PrefixList{}, ifaces: map[string]*Interface{},
		byPrivate: map[netip.Addr]*Interface{}, hosts: map[string]*Host{}, hostIfaces: map[string][]*Interface{},
		members: map[string][]netip.Addr{}, gateways: map[string]*Gateway{}, tgs: map[string]*TargetGroup{},
		routes: map[string][]Route{}, warned: map[string]bool{}, peerRoutes: map[string]map[string][]netip.Prefix{}, zones: map[string][]*zone{},
	}
	for i := range m.Networks {
		ix.nets[m.Networks[i].ID] = &m.Networks[i]
	}
	for i := range m.Subnets {
		ix.subnets[m.Subnets[i].ID] = &m.Subnets[i]
	}
	for i := range m.RouteTables {
		rt := &m.RouteTables[i]
		ix.rts[rt.ID] = rt
		if rt.Main {
			ix.mainRT[rt.Network] = rt
		}
		rs := slices.Clone(rt.Routes)
		slices.SortStableFunc(rs, func(a, b Route) int { return cmp.Compare(b.Dest.Bits(), a.Dest.Bits()) })
		ix.routes[rt.ID] = rs
		for _, r := range rt.Routes {
			if r.TargetKind == KindPeering && !r.Blackhole {
				if ix.peerRoutes[r.Target] == nil {
					ix.peerRoutes[r.Target] = map[string][]netip.Prefix{}
				}
				ix.peerRoutes[r.Target][rt.Network] = append(ix.peerRoutes[r.Target][rt.Network], r.Dest)
			}
		}
	}
	for i := range m.ACLs {
		c := m.ACLs[i]
		a := &c
		a.Inbound = sortedRules(a.Inbound)
		a.Outbound = sortedRules(a.Outbound)
		ix.acls[a.ID] = a
		if a.Default {
			ix.defaultACL[a.Network] = a
		}
	}
	for i := range m.Groups {
		ix.groups[m.Groups[i].ID] = &m.Groups[i]
	}
	for i := range m.PrefixLists {
		ix.pls[m.PrefixLists[i].ID] = &m.PrefixLists[i]
	}
	for i := range m.Hosts {
		ix.hosts[m.Hosts[i].ID] = &m.Hosts[i]
	}
	for i := range m.Gateways {
		ix.gateways[m.Gateways[i].ID] = &m.Gateways[i]
	}
	for i := range m.TargetGroups {
		ix.tgs[m.TargetGroups[i].ID] = &m.TargetGroups[i]
	}
	for i := range m.Interfaces {
		nic := &m.Interfaces[i]
		ix.ifaces[nic.ID] = nic
		for _, a := range nic.Private {
			ix.byPrivate[a] = nic
		}
		if nic.Host != "" {
			ix.hostIfaces[nic.Host] = append(ix.hostIfaces[nic.Host], nic)
		}
		for _, g := range nic.Groups {
			ix.members[g] = append(ix.members[g], nic.Private...)
			ix.members[g] = append(ix.members[g], nic.IPv6...)
		}
	}
	ix.buildZones()
	return ix
}

// sortedRules returns the rules in evaluation order.
func sortedRules(rs []ACLRule) []ACLRule {
	if slices.IsSortedFunc(rs, func(a, b ACLRule) int { return cmp.Compare(a.Number, b.Number) }) {
		return rs
	}
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b ACLRule) int { return cmp.Compare(a.Number, b.Number) })
	return out
}

// routeTable returns the table that routes a subnet's traffic.
func (ix *index) routeTable(s *Subnet) *RouteTable {
	if s.RouteTable != "" {
		if rt, ok := ix.rts[s.RouteTable]; ok {
			return rt
		}
		ix.warnf("subnet %s: route table %s not in the model", s.ID, s.RouteTable)
	}
	return ix.mainRT[s.Network]
}

// acl returns the stateless rule list at a subnet's boundary, nil when the
// model has none (traffic is then not filtered there).
func (ix *index) acl(s *Subnet) *ACL {
	if s.ACL != "" {
		if a, ok := ix.acls[s.ACL]; ok {
			return a
		}
		ix.warnf("subnet %s: network ACL %s not in the model", s.ID, s.ACL)
	}
	return ix.defaultACL[s.Network]
}

// lookupRoute is the longest-prefix-match route for a, or nil.
func (ix *index) lookupRoute(rt *RouteTable, a netip.Addr) *Route {
	if rt == nil {
		return nil
	}
	rs := ix.routes[rt.ID]
	for i := range rs {
		if rs[i].Dest.Contains(a) {
			return &rs[i]
		}
	}
	return nil
}
