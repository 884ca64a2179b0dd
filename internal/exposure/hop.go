package exposure

import "net/netip"

// grant records the ports an ACL rule allowed on one atom.
type grant struct {
	rule  int // index into the ACL's sorted inbound rules; -1 without ACL
	ports PortSet
}

// atom is a piece of a zone's source addresses on which a subnet's routes
// and ACL rules are uniform, with the ports the subnet boundary lets in
// from it.
type atom struct {
	r      addrRange
	ports  PortSet
	grants []grant
}

// evalACL applies ordered stateless rules to traffic of proto between the
// address a and the ports want: it returns the ports allowed and which
// rule allowed each part. First match wins per port; unmatched ports are
// denied.
func evalACL(rules []ACLRule, a netip.Addr, proto Protocol, want PortSet) (PortSet, []grant) {
	var allowed PortSet
	var grants []grant
	remaining := want
	for i, r := range rules {
		if remaining.Empty() {
			break
		}
		if !r.Protocol.matches(proto) || !r.CIDR.IsValid() || !r.CIDR.Contains(a) {
			continue
		}
		ps := remaining.Intersect(Ports(r.Ports.Lo, r.Ports.Hi))
		if ps.Empty() {
			continue
		}
		if r.Allow {
			allowed = allowed.Union(ps)
			grants = append(grants, grant{rule: i, ports: ps})
		}
		remaining = remaining.Subtract(ps)
	}
	return allowed, grants
}

// atomKey caches subnet atoms.
type atomKey struct {
	subnet string
	z      *zone
	proto  Protocol
}

// subnetAtoms returns, for traffic of proto from zone z into subnet s, the
// source atoms that pass the subnet boundary: the return route for the
// atom leads back to the zone's gateway (when z.route), the ACL's inbound
// rules allow some ports from it, and its outbound rules allow the return
// traffic to at least one ephemeral port of the atom.
func (a *analysis) subnetAtoms(s *Subnet, z *zone, proto Protocol) []atom {
	k := atomKey{s.ID, z, proto}
	if v, ok := a.atoms[k]; ok {
		return v
	}
	rt := a.ix.routeTable(s)
	acl := a.ix.acl(s)
	var cuts []netip.Prefix
	if z.route && rt != nil {
		for _, r := range a.ix.routes[rt.ID] {
			cuts = append(cuts, r.Dest)
		}
	}
	if acl != nil {
		for _, r := range acl.Inbound {
			cuts = append(cuts, r.CIDR)
		}
		for _, r := range acl.Outbound {
			cuts = append(cuts, r.CIDR)
		}
	}
	var out []atom
	for _, at := range atomize(z.src, cuts) {
		rep := at.lo
		if z.route {
			r := a.ix.lookupRoute(rt, rep)
			if r == nil || r.Blackhole || r.Target != z.id {
				continue
			}
		}
		if acl == nil {
			out = append(out, atom{r: at, ports: AllPorts(), grants: []grant{{rule: -1, ports: AllPorts()}}})
			continue
		}
		in, grants := evalACL(acl.Inbound, rep, proto, AllPorts())
		if in.Empty() {
			continue
		}
		if ret, _ := evalACL(acl.Outbound, rep, proto, a.ephemeral); ret.Empty() {
			continue
		}
		out = append(out, atom{r: at, ports: in, grants: grants})
	}
	a.atoms[k] = out
	return out
}

// contrib is what one group rule, through one ACL rule, lets in.
type contrib struct {
	rule  int // group rule index
	acl   int // ACL inbound rule index, -1 without ACL
	v6    bool
	ports PortSet
}

type contribKey struct {
	group  string
	subnet string
	z      *zone
	proto  Protocol
}

// groupContribs returns what group g admits from zone z into subnet s for
// proto, per (group rule, ACL rule, address family).
func (a *analysis) groupContribs(g *Group, s *Subnet, z *zone, proto Protocol) []contrib {
	k := contribKey{g.ID, s.ID, z, proto}
	if v, ok := a.contribs[k]; ok {
		return v
	}
	atoms := a.subnetAtoms(s, z, proto)
	var out []contrib
	pos := map[[3]int]int{}
	for ri, rule := range g.Inbound {
		if !rule.Protocol.matches(proto) {
			continue
		}
		rp := Ports(rule.Ports.Lo, rule.Ports.Hi)
		for _, at := range atoms {
			if !at.ports.Overlaps(rp) || !a.sourceMatches(rule, at.r, z) {
				continue
			}
			v6 := !at.r.lo.Is4()
			for _, gr := range at.grants {
				ps := gr.ports.Intersect(rp)
				if ps.Empty() {
					continue
				}
				key := [3]int{ri, gr.rule, b2i(v6)}
				if i, ok := pos[key]; ok {
					out[i].ports = out[i].ports.Union(ps)
					continue
				}
				pos[key] = len(out)
				out = append(out, contrib{rule: ri, acl: gr.rule, v6: v6, ports: ps})
			}
		}
	}
	a.contribs[k] = out
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sourceMatches reports whether a group rule allows some address of r
// arriving from zone z. Group references match the private addresses of
// the group's members, which never arrive from an internet gateway.
func (a *analysis) sourceMatches(rule GroupRule, r addrRange, z *zone) bool {
	for _, p := range rule.CIDRs {
		if prefixOverlaps(p, r) {
			return true
		}
	}
	for _, id := range rule.PrefixLists {
		pl, ok := a.ix.pls[id]
		if !ok {
			continue
		}
		for _, p := range pl.CIDRs {
			if prefixOverlaps(p, r) {
				return true
			}
		}
	}
	if z.kind == KindInternetGateway {
		return false
	}
	for _, g := range rule.Groups {
		for _, m := range a.ix.members[g] {
			if r.contains(m) {
				return true
			}
		}
	}
	return false
}
