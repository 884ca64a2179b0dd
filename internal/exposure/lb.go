package exposure

import (
	"net/netip"
	"slices"
)

// listenerProtocols expands a listener or forward protocol to the
// transports it carries.
func listenerProtocols(p Protocol) []Protocol {
	if p == ProtoAll {
		return protocols
	}
	return []Protocol{p}
}

// loadBalancer reports the host ports an internet-facing load balancer
// makes reachable: the listener port must pass the load balancer's subnet
// (route back to the internet gateway, ACL both ways) and its groups; the
// load balancer then connects from its subnets to each routable target's
// port, which must pass both subnets' ACLs (both ways, when they differ)
// and a group of the target's interface (a rule covering the load
// balancer's subnet, or referencing one of its groups).
func (a *analysis) loadBalancer(lb *LoadBalancer) {
	if !lb.Public {
		return
	}
	for _, z := range a.ix.zones[lb.Network] {
		if z.kind != KindInternetGateway {
			continue
		}
		for _, l := range lb.Listeners {
			for _, proto := range listenerProtocols(l.Protocol) {
				ok, lbFixes := a.lbFront(lb, z, proto, l.Port)
				if !ok {
					continue
				}
				lbFixes = append([]string{"load balancer " + lb.Name + " listener " + itoa(l.Port) + "/" + string(proto)}, lbFixes...)
				for _, tgID := range l.TargetGroups {
					tg, found := a.ix.tgs[tgID]
					if !found {
						a.ix.warnf("load balancer %s listener %s: target group %s not in the model", lb.ID, l.ID, tgID)
						continue
					}
					for _, t := range tg.Targets {
						a.lbTarget(lb, z, l, tg, t, proto, lbFixes)
					}
				}
			}
		}
	}
}

// lbFront reports whether the listener port is reachable from z on the
// load balancer, and the load balancer group rules that allow it.
func (a *analysis) lbFront(lb *LoadBalancer, z *zone, proto Protocol, port int) (bool, []string) {
	ok := false
	var fixes []string
	seen := map[string]bool{}
	for _, sid := range lb.Subnets {
		s, found := a.ix.subnets[sid]
		if !found {
			a.ix.warnf("load balancer %s: subnet %s not in the model", lb.ID, sid)
			continue
		}
		if len(lb.Groups) == 0 {
			for _, at := range a.subnetAtoms(s, z, proto) {
				if (at.r.lo.Is4() || lb.DualIPv6) && at.ports.Contains(port) {
					ok = true
					break
				}
			}
			continue
		}
		for _, gid := range lb.Groups {
			g, found := a.ix.groups[gid]
			if !found {
				a.ix.warnf("load balancer %s: security group %s not in the model", lb.ID, gid)
				continue
			}
			for _, c := range filterFamily(a.groupContribs(g, s, z, proto), true, lb.DualIPv6) {
				if !c.ports.Contains(port) {
					continue
				}
				ok = true
				fix := "security group " + g.ID + " rule " + describeGroupRule(g.Inbound[c.rule])
				if !seen[fix] {
					seen[fix] = true
					fixes = append(fixes, fix)
				}
			}
		}
	}
	return ok, fixes
}

// resolveTarget finds the interface a target's traffic arrives on: an
// instance's primary interface, or the interface holding an IP target's
// address.
func (a *analysis) resolveTarget(lb *LoadBalancer, tg *TargetGroup, t Target) *Interface {
	if t.Host != "" {
		nics := a.ix.hostIfaces[t.Host]
		for _, n := range nics {
			if n.Primary {
				return n
			}
		}
		if len(nics) > 0 {
			return nics[0]
		}
		a.ix.warnf("target group %s: instance %s has no interface in the model", tg.ID, t.Host)
		return nil
	}
	if nic, ok := a.ix.byPrivate[t.Addr]; ok {
		return nic
	}
	a.ix.warnf("target group %s: no interface holds target address %s", tg.ID, t.Addr)
	return nil
}

func (a *analysis) lbTarget(lb *LoadBalancer, z *zone, l Listener, tg *TargetGroup, t Target, proto Protocol, lbFixes []string) {
	if !t.Routable {
		return
	}
	nic := a.resolveTarget(lb, tg, t)
	if nic == nil {
		return
	}
	h := a.hostOf(nic)
	if h == nil {
		return
	}
	ts, ok := a.ix.subnets[nic.Subnet]
	if !ok {
		return
	}
	port := t.Port
	if port == 0 {
		port = tg.Port
	}
	var pass []addrRange
	if tg.PreserveClientIP {
		pass = a.clientToTarget(z, ts, nic, proto, port)
	} else {
		pass = a.lbToTarget(lb, ts, nic, proto, port)
	}
	if len(pass) == 0 {
		return
	}
	for _, gid := range nic.Groups {
		g, found := a.ix.groups[gid]
		if !found {
			continue
		}
		var cs []contrib
		for ri, rule := range g.Inbound {
			if !rule.Protocol.matches(proto) || port < rule.Ports.Lo || port > rule.Ports.Hi {
				continue
			}
			match := false
			for _, ref := range rule.Groups {
				if !tg.PreserveClientIP && slices.Contains(lb.Groups, ref) {
					match = true
				}
			}
			for _, r := range pass {
				if match {
					break
				}
				match = a.sourceMatches(GroupRule{CIDRs: rule.CIDRs, PrefixLists: rule.PrefixLists}, r, z)
			}
			if match {
				cs = append(cs, contrib{rule: ri, acl: -1, ports: Ports(port, port)})
			}
		}
		if len(cs) == 0 {
			continue
		}
		steps := []step{{z.kind, z.id}, {KindLoadBalancer, lb.ID}, {KindListener, l.ID}, {KindTargetGroup, tg.ID},
			{KindGroup, g.ID}, {KindInterface, nic.ID}, {KindHost, h.ID}}
		a.emit(emitArgs{host: h, nic: nic, z: z, proto: proto, group: g, contribs: cs, steps: steps,
			through: KindLoadBalancer,
			via: "through the LoadBalancer " + lb.Name + " (listener " + itoa(l.Port) + "/" + string(proto) +
				", target group " + tg.Name + ")",
			extraFix: lbFixes})
	}
}

// lbToTarget returns the load balancer subnet address ranges from which
// the load balancer can open a connection to the interface's port: the
// target subnet's ACL must let the port in and the return traffic out, and
// the load balancer subnet's ACL must let the port out and the return
// traffic in. Within one subnet no ACL applies.
func (a *analysis) lbToTarget(lb *LoadBalancer, ts *Subnet, nic *Interface, proto Protocol, port int) []addrRange {
	dst := primaryAddr(nic)
	if !dst.IsValid() {
		return nil
	}
	want := Ports(port, port)
	tacl := a.ix.acl(ts)
	var out []addrRange
	for _, sid := range lb.Subnets {
		s, ok := a.ix.subnets[sid]
		if !ok {
			continue
		}
		var src []addrRange
		for _, r := range prefixesToRanges(s.CIDRs) {
			if r.lo.Is4() == dst.Is4() {
				src = append(src, r)
			}
		}
		if s.ID == ts.ID {
			out = append(out, src...)
			continue
		}
		if lacl := a.ix.acl(s); lacl != nil {
			if ps, _ := evalACL(lacl.Outbound, dst, proto, want); ps.Empty() {
				continue
			}
			if ps, _ := evalACL(lacl.Inbound, dst, proto, a.ephemeral); ps.Empty() {
				continue
			}
		}
		if tacl == nil {
			out = append(out, src...)
			continue
		}
		var cuts []netip.Prefix
		for _, r := range tacl.Inbound {
			cuts = append(cuts, r.CIDR)
		}
		for _, r := range tacl.Outbound {
			cuts = append(cuts, r.CIDR)
		}
		for _, at := range atomize(mergeRanges(src), cuts) {
			if ps, _ := evalACL(tacl.Inbound, at.lo, proto, want); ps.Empty() {
				continue
			}
			if ps, _ := evalACL(tacl.Outbound, at.lo, proto, a.ephemeral); ps.Empty() {
				continue
			}
			out = append(out, at)
		}
	}
	return out
}

// clientToTarget returns the client address ranges of zone z whose
// connections, forwarded with their source address kept, pass the target
// subnet's ACL both ways (the port in, ephemeral replies out). Replies go
// back through the load balancer, so there is no return-route check.
func (a *analysis) clientToTarget(z *zone, ts *Subnet, nic *Interface, proto Protocol, port int) []addrRange {
	fam := primaryAddr(nic)
	if !fam.IsValid() {
		return nil
	}
	var src []addrRange
	for _, r := range z.src {
		if r.lo.Is4() == fam.Is4() {
			src = append(src, r)
		}
	}
	tacl := a.ix.acl(ts)
	if tacl == nil {
		return src
	}
	var cuts []netip.Prefix
	for _, r := range tacl.Inbound {
		cuts = append(cuts, r.CIDR)
	}
	for _, r := range tacl.Outbound {
		cuts = append(cuts, r.CIDR)
	}
	var out []addrRange
	for _, at := range atomize(src, cuts) {
		if ps, _ := evalACL(tacl.Inbound, at.lo, proto, Ports(port, port)); ps.Empty() {
			continue
		}
		if ps, _ := evalACL(tacl.Outbound, at.lo, proto, a.ephemeral); ps.Empty() {
			continue
		}
		out = append(out, at)
	}
	return out
}

// portForward reports what a port forward on a gateway makes reachable
// on its interface. The client address is preserved, so the interface's
// subnet ACL and groups are evaluated against the gateway's zone; there
// is no return-route check (replies go back through the forwarding
// device).
func (a *analysis) portForward(pf *PortForward) {
	gw, ok := a.ix.gateways[pf.Gateway]
	if !ok {
		a.ix.warnf("port forward %s: gateway %s not in the model", pf.ID, pf.Gateway)
		return
	}
	nic, ok := a.ix.ifaces[pf.Interface]
	if !ok {
		a.ix.warnf("port forward %s: interface %s not in the model", pf.ID, pf.Interface)
		return
	}
	h := a.hostOf(nic)
	if h == nil {
		return
	}
	s, ok := a.ix.subnets[nic.Subnet]
	if !ok {
		return
	}
	z := a.forwardZone(gw)
	lo := pf.InternalLo
	limit := Ports(lo, lo+pf.External.Len()-1)
	acl := a.ix.acl(s)
	for _, proto := range listenerProtocols(pf.Protocol) {
		for _, gid := range nic.Groups {
			g, found := a.ix.groups[gid]
			if !found {
				continue
			}
			cs := filterFamily(a.groupContribs(g, s, z, proto), len(nic.Private) > 0, len(nic.IPv6) > 0)
			if len(cs) == 0 {
				continue
			}
			steps := []step{{z.kind, z.id}, {KindPortForward, pf.ID}}
			if acl != nil {
				steps = append(steps, step{KindACL, acl.ID})
			}
			steps = append(steps, step{KindGroup, g.ID}, step{KindInterface, nic.ID}, step{KindHost, h.ID})
			a.emit(emitArgs{host: h, nic: nic, z: z, proto: proto, group: g, acl: acl, contribs: cs, limit: limit,
				steps: steps, through: KindPortForward,
				via:      "through the PortForward " + pf.ID + " (external ports " + pf.External.String() + ")",
				extraFix: []string{"port forward " + pf.ID}})
		}
	}
}

// forwardZone is the zone a port forward's traffic comes from; one per
// gateway so that subnet atoms are cached across forwards.
func (a *analysis) forwardZone(gw *Gateway) *zone {
	if z, ok := a.fwdZones[gw.ID]; ok {
		return z
	}
	src := []addrRange{prefixRange(allV4), prefixRange(allV6)}
	if gw.Kind == KindInternetGateway {
		src = internetSource()
	}
	z := &zone{kind: gw.Kind, id: gw.ID, src: src}
	a.fwdZones[gw.ID] = z
	return z
}
