package exposure

import (
	"net/netip"
	"slices"
)

// addrRange is an inclusive interval of addresses of one family.
type addrRange struct {
	lo, hi netip.Addr
}

// prefixRange is the interval a prefix covers.
func prefixRange(p netip.Prefix) addrRange {
	p = p.Masked()
	return addrRange{lo: p.Addr(), hi: lastAddr(p)}
}

// lastAddr is the highest address of a masked prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr()
	b := a.As16()
	start := p.Bits()
	if a.Is4() {
		start += 96
	}
	for i := start; i < 128; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	out := netip.AddrFrom16(b)
	if a.Is4() {
		out = out.Unmap()
	}
	return out
}

func (r addrRange) contains(a netip.Addr) bool {
	return r.lo.Compare(a) <= 0 && a.Compare(r.hi) <= 0
}

func (r addrRange) overlaps(o addrRange) bool {
	if r.lo.Is4() != o.lo.Is4() {
		return false
	}
	return r.lo.Compare(o.hi) <= 0 && o.lo.Compare(r.hi) <= 0
}

// prefixOverlaps reports whether p covers any address of r.
func prefixOverlaps(p netip.Prefix, r addrRange) bool {
	return prefixRange(p).overlaps(r)
}

var (
	allV4 = netip.MustParsePrefix("0.0.0.0/0")
	allV6 = netip.MustParsePrefix("::/0")
)

// nonPublicV4 are the IPv4 blocks that never arrive from the internet:
// RFC 1918, shared address space, loopback, link local, "this network",
// multicast and reserved.
var nonPublicV4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("224.0.0.0/3"),
}

// publicV6 is IPv6 global unicast.
var publicV6 = netip.MustParsePrefix("2000::/3")

// internetSource is the set of addresses traffic from the internet can
// come from: public IPv4 and global unicast IPv6.
func internetSource() []addrRange {
	out := subtractPrefixes(prefixRange(allV4), nonPublicV4)
	return append(out, prefixRange(publicV6))
}

// subtractPrefixes returns u minus the given prefixes, sorted.
func subtractPrefixes(u addrRange, excl []netip.Prefix) []addrRange {
	rs := make([]addrRange, 0, len(excl))
	for _, p := range excl {
		rs = append(rs, prefixRange(p))
	}
	slices.SortFunc(rs, func(a, b addrRange) int { return a.lo.Compare(b.lo) })
	var out []addrRange
	cur := u.lo
	done := false
	for _, r := range rs {
		if done || r.hi.Compare(cur) < 0 {
			continue
		}
		if r.lo.Compare(cur) > 0 {
			out = append(out, addrRange{cur, r.lo.Prev()})
		}
		if r.hi.Compare(u.hi) >= 0 {
			done = true
			continue
		}
		cur = r.hi.Next()
	}
	if !done {
		out = append(out, addrRange{cur, u.hi})
	}
	return out
}

// prefixesToRanges converts prefixes to their intervals (unsorted).
func prefixesToRanges(ps []netip.Prefix) []addrRange {
	out := make([]addrRange, 0, len(ps))
	for _, p := range ps {
		if p.IsValid() {
			out = append(out, prefixRange(p))
		}
	}
	return out
}

// atomize splits each source range at every boundary of the given
// prefixes, so that every prefix either covers a resulting atom entirely or
// not at all.
func atomize(src []addrRange, cuts []netip.Prefix) []addrRange {
	points := make([]netip.Addr, 0, 2*len(cuts))
	for _, p := range cuts {
		if !p.IsValid() {
			continue
		}
		r := prefixRange(p)
		points = append(points, r.lo)
		if n := r.hi.Next(); n.IsValid() {
			points = append(points, n)
		}
	}
	slices.SortFunc(points, func(a, b netip.Addr) int { return a.Compare(b) })
	points = slices.Compact(points)
	var out []addrRange
	for _, s := range src {
		lo := s.lo
		i, _ := slices.BinarySearchFunc(points, lo, func(e, t netip.Addr) int { return e.Compare(t) })
		for ; i < len(points); i++ {
			c := points[i]
			if c.Is4() != lo.Is4() {
				if c.Is4() {
					continue
				}
				break
			}
			if c.Compare(lo) <= 0 {
				continue
			}
			if c.Compare(s.hi) > 0 {
				break
			}
			out = append(out, addrRange{lo, c.Prev()})
			lo = c
		}
		out = append(out, addrRange{lo, s.hi})
	}
	return out
}
