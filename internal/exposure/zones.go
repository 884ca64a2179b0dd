package exposure

import (
	"net/netip"
	"slices"
	"sort"
)

// zone is a place traffic can come from: an internet gateway, a peered
// network, a VPN gateway. Reachability from a zone needs the source
// address to be in src and, when route is set, the return route for that
// address (longest prefix match in the host's subnet route table) to point
// back at the zone's gateway.
type zone struct {
	kind Kind
	id   string
	src  []addrRange
	// route requires the return route to go through the gateway.
	route bool
	// peerNet is the other network of a peering.
	peerNet string
}

// buildZones lists, per network, the zones that can send it traffic.
// NAT and egress-only gateways are never zones: they do not accept
// connections from outside.
func (ix *index) buildZones() {
	inet := internetSource()
	for _, gw := range ix.m.Gateways {
		switch gw.Kind {
		case KindInternetGateway:
			for _, n := range gw.Networks {
				ix.zones[n] = append(ix.zones[n], &zone{kind: KindInternetGateway, id: gw.ID, src: inet, route: true})
			}
		case KindVPNGateway:
			for _, n := range gw.Networks {
				ix.addVPN(n, gw.ID)
			}
		}
	}
	// VPN gateways known only from routes.
	for _, rt := range ix.m.RouteTables {
		for _, r := range rt.Routes {
			if r.TargetKind == KindVPNGateway && r.Target != "" {
				ix.addVPN(rt.Network, r.Target)
			}
		}
	}
	for _, p := range ix.m.Peerings {
		if !p.Active {
			continue
		}
		for _, side := range [][2]PeerSide{{p.A, p.B}, {p.B, p.A}} {
			local, remote := side[0], side[1]
			src := mergeRanges(prefixesToRanges(remote.CIDRs))
			if len(src) == 0 {
				if n, ok := ix.nets[remote.Network]; ok {
					src = mergeRanges(prefixesToRanges(n.CIDRs))
				}
			}
			if len(src) == 0 {
				continue
			}
			ix.zones[local.Network] = append(ix.zones[local.Network], &zone{kind: KindPeering, id: p.ID, src: src, route: true, peerNet: remote.Network})
		}
	}
	for n, zs := range ix.zones {
		sort.SliceStable(zs, func(i, j int) bool {
			if zs[i].kind != zs[j].kind {
				return zs[i].kind < zs[j].kind
			}
			return zs[i].id < zs[j].id
		})
		ix.zones[n] = zs
	}
}

func (ix *index) addVPN(network, id string) {
	for _, z := range ix.zones[network] {
		if z.kind == KindVPNGateway && z.id == id {
			return
		}
	}
	ix.zones[network] = append(ix.zones[network], &zone{kind: KindVPNGateway, id: id,
		src: []addrRange{prefixRange(allV4), prefixRange(allV6)}, route: true})
}

// mergeRanges sorts ranges and merges overlapping or adjacent ones.
func mergeRanges(rs []addrRange) []addrRange {
	if len(rs) == 0 {
		return nil
	}
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b addrRange) int { return a.lo.Compare(b.lo) })
	out := []addrRange{rs[0]}
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.lo.Is4() == last.lo.Is4() {
			if n := last.hi.Next(); r.lo.Compare(last.hi) <= 0 || (n.IsValid() && n == r.lo) {
				if r.hi.Compare(last.hi) > 0 {
					last.hi = r.hi
				}
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// forwardOK reports whether traffic from the zone can be routed to the
// interface's addresses of one family: always for internet and VPN
// gateways (the interface needs an address of that family), and for a
// peering when the peer network routes the address to the peering, or the
// peer network is not in the model (its routes are unknown, so the path is
// assumed to exist).
func (ix *index) forwardOK(z *zone, addrs []netip.Addr) bool {
	if len(addrs) == 0 {
		return false
	}
	if z.kind != KindPeering {
		return true
	}
	if _, known := ix.nets[z.peerNet]; !known {
		return true
	}
	for _, d := range ix.peerRoutes[z.id][z.peerNet] {
		for _, a := range addrs {
			if d.Contains(a) {
				return true
			}
		}
	}
	return false
}
