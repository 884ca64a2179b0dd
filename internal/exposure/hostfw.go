package exposure

import (
	"net/netip"
	"slices"
	"strings"
)

// Verdict is what a host firewall rule or chain policy does with a packet.
type Verdict string

// Verdicts. VerdictNone is a rule that only counts or logs: evaluation
// goes on with the next rule. VerdictReturn ends the current chain.
const (
	VerdictNone   Verdict = ""
	VerdictAccept Verdict = "accept"
	VerdictDrop   Verdict = "drop" // drop and reject
	VerdictJump   Verdict = "jump" // jump and goto
	VerdictReturn Verdict = "return"
)

// ProtoOther is a rule protocol that is neither TCP nor UDP (ICMP, SCTP):
// such a rule never matches the traffic the analysis reports on.
const ProtoOther Protocol = "OTHER"

// Family restricts a chain or rule to IPv4 or IPv6; FamilyAny applies to
// both.
type Family string

// Address families.
const (
	FamilyAny Family = ""
	FamilyV4  Family = "ipv4"
	FamilyV6  Family = "ipv6"
)

// HostFirewall is a host's packet filter on the input path (nftables base
// chains at the input hook, iptables' INPUT chain), as reported by an
// agent. An inbound connection is admitted when every base chain, in
// order, accepts it.
type HostFirewall struct {
	// Backend is "nftables", "iptables" or both joined with "+".
	Backend string `json:"backend"`
	// Base are the base chains at the input hook, in evaluation order
	// (priority).
	Base []FirewallChain `json:"base,omitempty"`
	// Chains are regular chains, targets of jumps, by Name.
	Chains []FirewallChain `json:"chains,omitempty"`
}

// FirewallChain is an ordered rule list with a default policy (base
// chains only; regular chains return to their caller).
type FirewallChain struct {
	// Name identifies the chain: "inet filter input", "filter INPUT".
	Name   string         `json:"name"`
	Family Family         `json:"family,omitempty"`
	Policy Verdict        `json:"policy,omitempty"` // base chains: accept or drop
	Rules  []FirewallRule `json:"rules,omitempty"`
}

// FirewallRule is one rule: every match set must hold for the verdict to
// apply. Empty matches match everything.
type FirewallRule struct {
	// Ref names the rule for remediation: "inet filter input handle 8",
	// "filter INPUT rule 3".
	Ref      string   `json:"ref"`
	Family   Family   `json:"family,omitempty"`
	Protocol Protocol `json:"protocol,omitempty"` // "" any, TCP, UDP, OTHER
	// Sources restrict the source address (NotSources negates).
	Sources    []netip.Prefix `json:"sources,omitempty"`
	NotSources bool           `json:"notSources,omitempty"`
	// Ports restrict the destination port (NotPorts negates); a rule with
	// ports matches TCP and UDP only.
	Ports    []PortRange `json:"ports,omitempty"`
	NotPorts bool        `json:"notPorts,omitempty"`
	// InIface restricts the input interface (NotInIface negates).
	InIface    string `json:"inIface,omitempty"`
	NotInIface bool   `json:"notInIface,omitempty"`
	// NeverNew is set for rules that match only established, related or
	// invalid connections: they never see a new inbound connection.
	NeverNew bool `json:"neverNew,omitempty"`
	// Uncertain names matches the parser could not evaluate (rate limits,
	// marks, opaque xtables matches). Such a rule is assumed to match when
	// it accepts and not to match when it drops, so that reachability is
	// over- rather than under-reported.
	Uncertain []string `json:"uncertain,omitempty"`
	Verdict   Verdict  `json:"verdict,omitempty"`
	Target    string   `json:"target,omitempty"` // jump target chain
}

// fwPacket is the class of new inbound connections evaluated at once: one
// input interface, one family, one protocol, sources within one atom.
type fwPacket struct {
	iface string
	proto Protocol
	src   addrRange
}

func (p *fwPacket) family() Family {
	if p.src.lo.Is4() {
		return FamilyV4
	}
	return FamilyV6
}

// fwResult is what a chain decided for a port set.
type fwResult struct {
	accept, drop PortSet
	// by maps the Ref of each accepting rule to the ports it accepted.
	by map[string]PortSet
}

// maxJumpDepth bounds nested jumps (loops are cut there).
const maxJumpDepth = 16

// matchesPacket reports whether r's non-port matches hold for p; uncertain
// rules count as matching only when they accept.
func (r *FirewallRule) matchesPacket(p *fwPacket) bool {
	if r.NeverNew {
		return false
	}
	if r.Family != FamilyAny && r.Family != p.family() {
		return false
	}
	switch r.Protocol {
	case "", ProtoAll:
	case ProtoOther:
		return false
	default:
		if r.Protocol != p.proto {
			return false
		}
	}
	if r.InIface != "" && ifaceMatches(r.InIface, p.iface) == r.NotInIface {
		return false
	}
	if len(r.Sources) > 0 {
		in := slices.ContainsFunc(r.Sources, func(s netip.Prefix) bool { return prefixRange(s).contains(p.src.lo) })
		if in == r.NotSources {
			return false
		}
	}
	if len(r.Uncertain) > 0 && r.Verdict != VerdictAccept {
		return false
	}
	return true
}

// ifaceMatches reports whether an interface name matches a rule's
// pattern; a trailing "+" (iptables) or "*" (nftables) matches any suffix.
func ifaceMatches(pattern, name string) bool {
	if n := len(pattern); n > 0 && (pattern[n-1] == '+' || pattern[n-1] == '*') {
		return strings.HasPrefix(name, pattern[:n-1])
	}
	return pattern == name
}

// ports returns the destination ports r matches within want.
func (r *FirewallRule) ports(want PortSet) PortSet {
	if len(r.Ports) == 0 {
		return want
	}
	var s PortSet
	for _, pr := range r.Ports {
		s = s.Union(Ports(pr.Lo, pr.Hi))
	}
	if r.NotPorts {
		s = AllPorts().Subtract(s)
	}
	return want.Intersect(s)
}

// eval runs chain c for p on the ports in want and returns what it
// accepted and dropped; the rest falls through to the caller.
func (fw *HostFirewall) eval(c *FirewallChain, p *fwPacket, want PortSet, depth int) fwResult {
	res := fwResult{by: map[string]PortSet{}}
	rest := want
	for i := range c.Rules {
		if rest.Empty() {
			break
		}
		r := &c.Rules[i]
		if !r.matchesPacket(p) {
			continue
		}
		m := r.ports(rest)
		if m.Empty() {
			continue
		}
		switch r.Verdict {
		case VerdictAccept:
			res.accept = res.accept.Union(m)
			res.by[r.Ref] = res.by[r.Ref].Union(m)
			rest = rest.Subtract(m)
		case VerdictDrop:
			res.drop = res.drop.Union(m)
			rest = rest.Subtract(m)
		case VerdictReturn:
			rest = rest.Subtract(m)
		case VerdictJump:
			t := fw.chain(r.Target)
			if t == nil || depth >= maxJumpDepth {
				continue
			}
			sub := fw.eval(t, p, m, depth+1)
			res.accept = res.accept.Union(sub.accept)
			res.drop = res.drop.Union(sub.drop)
			for ref, ps := range sub.by {
				res.by[ref] = res.by[ref].Union(ps)
			}
			rest = rest.Subtract(sub.accept).Subtract(sub.drop)
		}
	}
	return res
}

func (fw *HostFirewall) chain(name string) *FirewallChain {
	for i := range fw.Chains {
		if fw.Chains[i].Name == name {
			return &fw.Chains[i]
		}
	}
	return nil
}

// admit returns the ports of want that new connections of p may reach:
// those every applicable base chain accepts (explicitly or by policy),
// and, for each rule that accepted some of them, which. A nil firewall
// admits everything.
func (fw *HostFirewall) admit(p *fwPacket, want PortSet) (PortSet, map[string]PortSet) {
	if fw == nil {
		return want, nil
	}
	ok := want
	by := map[string]PortSet{}
	for i := range fw.Base {
		c := &fw.Base[i]
		if c.Family != FamilyAny && c.Family != p.family() {
			continue
		}
		r := fw.eval(c, p, ok, 0)
		acc := r.accept
		if c.Policy != VerdictDrop {
			acc = ok.Subtract(r.drop)
		}
		for ref, ps := range r.by {
			by[ref] = by[ref].Union(ps)
		}
		ok = acc
	}
	for ref, ps := range by {
		if ps = ps.Intersect(ok); ps.Empty() {
			delete(by, ref)
		} else {
			by[ref] = ps
		}
	}
	return ok, by
}

// zoneVerdict is what the firewall admits from one zone on one interface
// for one protocol, over every port: computed once per report and shared
// by the sockets.
type zoneVerdict struct {
	ok PortSet
	by map[string]PortSet
}

func (fw *HostFirewall) zoneVerdict(iface string, proto Protocol, src []addrRange, cuts []netip.Prefix) zoneVerdict {
	v := zoneVerdict{by: map[string]PortSet{}}
	for _, at := range atomize(src, cuts) {
		ok, by := fw.admit(&fwPacket{iface: iface, proto: proto, src: at}, AllPorts())
		v.ok = v.ok.Union(ok)
		for ref, ps := range by {
			v.by[ref] = v.by[ref].Union(ps)
		}
	}
	return v
}

// refs lists the rules that admit port, sorted.
func (v *zoneVerdict) refs(port int) []string {
	var out []string
	for ref, ps := range v.by {
		if ps.Contains(port) {
			out = append(out, ref)
		}
	}
	slices.Sort(out)
	return out
}

// sourceCuts lists every source prefix rules of fw mention: the atom
// boundaries of an analysis.
func (fw *HostFirewall) sourceCuts() []netip.Prefix {
	if fw == nil {
		return nil
	}
	var out []netip.Prefix
	for _, cs := range [][]FirewallChain{fw.Base, fw.Chains} {
		for _, c := range cs {
			for _, r := range c.Rules {
				out = append(out, r.Sources...)
			}
		}
	}
	return out
}
