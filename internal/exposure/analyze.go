package exposure

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// DefaultEphemeral is the client port range return traffic goes to
// (AWS's recommendation for network ACLs).
var DefaultEphemeral = PortRange{Lo: 1024, Hi: MaxPort}

// Options tune the analysis.
type Options struct {
	// Ephemeral is the range of client ports a stateless rule list must let
	// return traffic out to (at least one port of it). Zero means
	// DefaultEphemeral.
	Ephemeral PortRange
}

// Finding is one reachable port range of one host, with the host it is
// about and the interface it reaches.
type Finding struct {
	Resource  string `json:"resource"`
	Interface string `json:"interface"`
	model.Observation
}

// Result is the output of Analyze.
type Result struct {
	Findings []Finding `json:"findings"`
	// Warnings name what the model could not resolve (a dangling reference,
	// a target that matches no interface); the analysis went on without it.
	Warnings []string `json:"warnings,omitempty"`
}

type analysis struct {
	ix        *index
	ephemeral PortSet
	atoms     map[atomKey][]atom
	contribs  map[contribKey][]contrib
	fwdZones  map[string]*zone
	out       []Finding
}

// protocols are the transports findings are reported for.
var protocols = []Protocol{ProtoTCP, ProtoUDP}

// Analyze computes, for every running host of m, the TCP and UDP port
// ranges reachable from every zone (internet gateways, peered networks,
// VPN gateways; directly, through internet-facing load balancers, or
// through port forwards), and returns them as findings sorted by host,
// interface, source, protocol and port. m is not modified.
func Analyze(ctx context.Context, m *Model, opt Options) (*Result, error) {
	eph := opt.Ephemeral
	if eph == (PortRange{}) {
		eph = DefaultEphemeral
	}
	a := &analysis{
		ix:        newIndex(m),
		ephemeral: Ports(eph.Lo, eph.Hi),
		atoms:     map[atomKey][]atom{},
		contribs:  map[contribKey][]contrib{},
		fwdZones:  map[string]*zone{},
	}
	for i := range m.Interfaces {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		a.direct(&m.Interfaces[i])
	}
	for i := range m.LoadBalancers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a.loadBalancer(&m.LoadBalancers[i])
	}
	for i := range m.PortForwards {
		a.portForward(&m.PortForwards[i])
	}
	a.out = sortFindings(a.out)
	return &Result{Findings: a.out, Warnings: a.ix.warnings}, nil
}

// hostOf returns the running host an interface is attached to, or nil.
func (a *analysis) hostOf(nic *Interface) *Host {
	if nic.Host == "" {
		return nil
	}
	h, ok := a.ix.hosts[nic.Host]
	if !ok {
		a.ix.warnf("interface %s: host %s not in the model", nic.ID, nic.Host)
		return nil
	}
	if !h.Running {
		return nil
	}
	return h
}

// direct reports what reaches an interface straight from its network's
// zones, through the subnet's route table and ACL and the interface's
// groups.
func (a *analysis) direct(nic *Interface) {
	h := a.hostOf(nic)
	if h == nil {
		return
	}
	s, ok := a.ix.subnets[nic.Subnet]
	if !ok {
		a.ix.warnf("interface %s: subnet %s not in the model", nic.ID, nic.Subnet)
		return
	}
	rt := a.ix.routeTable(s)
	acl := a.ix.acl(s)
	for _, z := range a.ix.zones[s.Network] {
		var v4ok, v6ok bool
		if z.kind == KindInternetGateway {
			v4ok, v6ok = len(nic.Public) > 0, len(nic.IPv6) > 0
		} else {
			v4ok, v6ok = a.ix.forwardOK(z, nic.Private), a.ix.forwardOK(z, nic.IPv6)
		}
		if !v4ok && !v6ok {
			continue
		}
		for _, proto := range protocols {
			for _, gid := range nic.Groups {
				g, ok := a.ix.groups[gid]
				if !ok {
					a.ix.warnf("interface %s: security group %s not in the model", nic.ID, gid)
					continue
				}
				cs := filterFamily(a.groupContribs(g, s, z, proto), v4ok, v6ok)
				if len(cs) == 0 {
					continue
				}
				steps := []step{{z.kind, z.id}}
				if rt != nil {
					steps = append(steps, step{KindRouteTable, rt.ID})
				}
				if acl != nil {
					steps = append(steps, step{KindACL, acl.ID})
				}
				steps = append(steps, step{KindGroup, g.ID}, step{KindInterface, nic.ID}, step{KindHost, h.ID})
				a.emit(emitArgs{host: h, nic: nic, z: z, proto: proto, group: g, acl: acl, contribs: cs, steps: steps})
			}
		}
	}
}

func filterFamily(cs []contrib, v4ok, v6ok bool) []contrib {
	var out []contrib
	for _, c := range cs {
		if (c.v6 && v6ok) || (!c.v6 && v4ok) {
			out = append(out, c)
		}
	}
	return out
}

// step is a component on a path before it is rendered.
type step struct {
	kind Kind
	id   string
}

type emitArgs struct {
	host     *Host
	nic      *Interface
	z        *zone
	proto    Protocol
	group    *Group
	acl      *ACL
	contribs []contrib
	// limit restricts the reported ports (a load balancer target port, a
	// port forward's internal range); empty means no restriction.
	limit    PortSet
	steps    []step
	through  Kind     // KindLoadBalancer or KindPortForward; empty for a direct path
	via      string   // extra description of the path
	extraFix []string // more rules to tighten (load balancer side)
}

// emit turns contributions into one finding per maximal port range.
func (a *analysis) emit(e emitArgs) {
	var all PortSet
	for _, c := range e.contribs {
		all = all.Union(c.ports)
	}
	if !e.limit.Empty() {
		all = all.Intersect(e.limit)
	}
	for _, r := range all.Ranges() {
		rs := Ports(r.Lo, r.Hi)
		var fixes []string
		var seenRule, seenACL []int
		for _, c := range e.contribs {
			if !c.ports.Overlaps(rs) {
				continue
			}
			if !slices.Contains(seenRule, c.rule) {
				seenRule = append(seenRule, c.rule)
				fixes = append(fixes, "security group "+e.group.ID+" rule "+describeGroupRule(e.group.Inbound[c.rule]))
			}
			if c.acl >= 0 && !slices.Contains(seenACL, c.acl) {
				seenACL = append(seenACL, c.acl)
				fixes = append(fixes, "network ACL "+e.acl.ID+" "+describeACLRule(e.acl.Inbound[c.acl]))
			}
		}
		fixes = append(fixes, e.extraFix...)
		a.out = append(a.out, a.finding(e, r, fixes))
	}
}

func (a *analysis) finding(e emitArgs, r PortRange, fixes []string) Finding {
	steps := make([]model.PathStep, len(e.steps))
	for i, s := range e.steps {
		steps[i] = model.PathStep{ComponentID: s.id, ComponentType: a.ix.m.typeName(s.kind)}
	}
	title := "Port " + r.String()
	if r.Lo != r.Hi {
		title = "Port range " + r.String()
	}
	title += " is reachable from " + zonePhrase(e.z.kind) + " - " + string(e.proto)
	desc := "On the instance " + e.host.ID + ", the port range " + itoa(r.Lo) + "-" + itoa(r.Hi) +
		" is reachable from the " + string(e.z.kind) + " " + e.z.id
	if e.via != "" {
		desc += " " + e.via
	}
	desc += " from an attached ENI " + e.nic.ID + "."
	fix := "Restrict the rules on the path that let this traffic in, or remove the path if the port need not be reachable: " +
		strings.Join(fixes, "; ") + "."
	return Finding{
		Resource:  e.host.ID,
		Interface: e.nic.ID,
		Observation: model.Observation{
			Type:        model.FindingNetworkReachability,
			CheckID:     checkID(e.z.kind, e.through),
			Title:       title,
			Description: desc,
			Severity:    Severity(e.z.kind, e.through, r),
			Remediation: fix,
			Network: &model.NetworkDetail{
				Protocol: string(e.proto),
				Ports:    model.PortRange{Begin: r.Lo, End: r.Hi},
				From:     e.z.id,
				Steps:    steps,
			},
		},
	}
}

// sortFindings orders findings by host, interface, source, protocol,
// ports and path, and drops exact duplicates (a load balancer in two
// subnets reaching one target the same way). Keys are built once.
func sortFindings(fs []Finding) []Finding {
	keys := make([]string, len(fs))
	idx := make([]int, len(fs))
	var b strings.Builder
	for i, f := range fs {
		b.Reset()
		n := f.Network
		fmt.Fprintf(&b, "%s\x00%s\x00%s\x00%s\x00%05d\x00%05d\x00", f.Resource, f.Interface, n.From, n.Protocol, n.Ports.Begin, n.Ports.End)
		b.WriteString(pathString(n.Steps))
		keys[i] = b.String()
		idx[i] = i
	}
	slices.SortFunc(idx, func(x, y int) int { return cmp.Compare(keys[x], keys[y]) })
	out := make([]Finding, 0, len(fs))
	for k, i := range idx {
		if k > 0 && keys[i] == keys[idx[k-1]] {
			continue
		}
		out = append(out, fs[i])
	}
	return out
}

// PathString renders steps as "Type id → Type id".
func PathString(steps []model.PathStep) string { return pathString(steps) }

func pathString(steps []model.PathStep) string {
	var b strings.Builder
	for i, s := range steps {
		if i > 0 {
			b.WriteString(" → ")
		}
		b.WriteString(s.ComponentType)
		b.WriteByte(' ')
		b.WriteString(s.ComponentID)
	}
	return b.String()
}

// primaryAddr returns an interface's first private address.
func primaryAddr(nic *Interface) netip.Addr {
	if len(nic.Private) > 0 {
		return nic.Private[0]
	}
	if len(nic.IPv6) > 0 {
		return nic.IPv6[0]
	}
	return netip.Addr{}
}

// ByResource groups the findings' observations by host, in finding order:
// the per-resource input of finding reconciliation.
func (r *Result) ByResource() map[string][]model.Observation {
	out := map[string][]model.Observation{}
	for _, f := range r.Findings {
		out[f.Resource] = append(out[f.Resource], f.Observation)
	}
	return out
}
