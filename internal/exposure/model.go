package exposure

import "net/netip"

// Protocol is a transport protocol the analysis reports on.
type Protocol string

// Protocols. ProtoAll appears only in rules ("-1" in AWS); findings are
// always TCP or UDP.
const (
	ProtoTCP Protocol = "TCP"
	ProtoUDP Protocol = "UDP"
	ProtoAll Protocol = "ALL"
)

// matches reports whether a rule for protocol p applies to traffic of
// protocol q.
func (p Protocol) matches(q Protocol) bool { return p == ProtoAll || p == q }

// Kind names a component type on a network path. Importers map kinds to
// their provider's names with [Model.TypeNames] (AWS: "AWS::EC2::…").
type Kind string

// Component kinds.
const (
	KindInternetGateway Kind = "InternetGateway"
	KindNATGateway      Kind = "NatGateway"
	KindEgressOnly      Kind = "EgressOnlyInternetGateway"
	KindVPNGateway      Kind = "VpnGateway"
	KindPeering         Kind = "VpcPeeringConnection"
	KindRouteTable      Kind = "RouteTable"
	KindACL             Kind = "NetworkAcl"
	KindGroup           Kind = "SecurityGroup"
	KindInterface       Kind = "NetworkInterface"
	KindHost            Kind = "Instance"
	KindLoadBalancer    Kind = "LoadBalancer"
	KindListener        Kind = "Listener"
	KindTargetGroup     Kind = "TargetGroup"
	KindPortForward     Kind = "PortForward"
	KindLocal           Kind = "Local"
	KindOther           Kind = "Other"
)

// Model is a provider-neutral description of networks and what is attached
// to them. References between components are by ID; a dangling reference
// is reported as a warning by [Analyze] and otherwise ignored.
type Model struct {
	Networks      []Network      `json:"networks,omitempty"`
	Subnets       []Subnet       `json:"subnets,omitempty"`
	RouteTables   []RouteTable   `json:"routeTables,omitempty"`
	Gateways      []Gateway      `json:"gateways,omitempty"`
	Peerings      []Peering      `json:"peerings,omitempty"`
	ACLs          []ACL          `json:"acls,omitempty"`
	Groups        []Group        `json:"groups,omitempty"`
	PrefixLists   []PrefixList   `json:"prefixLists,omitempty"`
	Interfaces    []Interface    `json:"interfaces,omitempty"`
	Hosts         []Host         `json:"hosts,omitempty"`
	LoadBalancers []LoadBalancer `json:"loadBalancers,omitempty"`
	TargetGroups  []TargetGroup  `json:"targetGroups,omitempty"`
	PortForwards  []PortForward  `json:"portForwards,omitempty"`
	// TypeNames maps kinds to the component type written in path steps;
	// a kind without an entry is written as is.
	TypeNames map[Kind]string `json:"typeNames,omitempty"`
}

// Network is an isolated address space (an AWS VPC).
type Network struct {
	ID    string         `json:"id"`
	CIDRs []netip.Prefix `json:"cidrs,omitempty"` // IPv4 and IPv6 blocks
}

// Subnet is a range of a network with one route table and one stateless
// rule list. Empty RouteTable/ACL mean the network's main route table and
// default ACL.
type Subnet struct {
	ID         string         `json:"id"`
	Network    string         `json:"network,omitempty"`
	CIDRs      []netip.Prefix `json:"cidrs,omitempty"`
	RouteTable string         `json:"routeTable,omitempty"`
	ACL        string         `json:"acl,omitempty"`
}

// RouteTable is a list of routes, chosen by longest prefix match.
type RouteTable struct {
	ID      string `json:"id"`
	Network string `json:"network,omitempty"`
	// Main marks the table subnets without an explicit association use.
	Main   bool    `json:"main,omitempty"`
	Routes []Route `json:"routes,omitempty"`
}

// Route sends a destination prefix to a target.
type Route struct {
	Dest       netip.Prefix `json:"dest"`
	TargetKind Kind         `json:"targetKind,omitempty"` // KindLocal, KindInternetGateway, KindNATGateway, KindPeering, KindVPNGateway, …
	Target     string       `json:"target,omitempty"`     // the target's ID ("local" for KindLocal)
	// Blackhole marks a route whose target is gone: matching traffic is
	// dropped.
	Blackhole bool `json:"blackhole,omitempty"`
}

// Gateway is an edge of a network: an internet gateway (inbound and
// outbound), a NAT gateway or egress-only gateway (outbound only, never
// makes anything reachable), or a VPN gateway.
type Gateway struct {
	ID       string   `json:"id"`
	Kind     Kind     `json:"kind,omitempty"`
	Networks []string `json:"networks,omitempty"` // attached networks
}

// Peering connects two networks; each side reaches the other's CIDRs.
type Peering struct {
	ID     string   `json:"id"`
	Active bool     `json:"active,omitempty"`
	A      PeerSide `json:"a"`
	B      PeerSide `json:"b"`
}

// PeerSide is one network of a peering with the address blocks it
// exposes over the peering.
type PeerSide struct {
	Network string         `json:"network,omitempty"`
	CIDRs   []netip.Prefix `json:"cidrs,omitempty"`
}

// ACL is a stateless ordered rule list applied at a subnet boundary in
// both directions: rules are evaluated in Number order, the first rule
// matching protocol, address and port decides, and traffic no rule
// matches is denied.
type ACL struct {
	ID       string    `json:"id"`
	Network  string    `json:"network,omitempty"`
	Default  bool      `json:"default,omitempty"`
	Inbound  []ACLRule `json:"inbound,omitempty"`  // matched on source address and destination port
	Outbound []ACLRule `json:"outbound,omitempty"` // matched on destination address and destination port
}

// ACLRule is one entry of an ACL.
type ACLRule struct {
	Number   int          `json:"number"`
	Protocol Protocol     `json:"protocol,omitempty"`
	Allow    bool         `json:"allow,omitempty"`
	CIDR     netip.Prefix `json:"cidr"`
	Ports    PortRange    `json:"ports"`
}

// Group is a stateful allow-list firewall (security group): inbound
// traffic is allowed when any rule allows it; return traffic is always
// allowed.
type Group struct {
	ID      string      `json:"id"`
	Name    string      `json:"name,omitempty"`
	Network string      `json:"network,omitempty"`
	Inbound []GroupRule `json:"inbound,omitempty"`
}

// GroupRule allows a protocol and port range from sources.
type GroupRule struct {
	Protocol Protocol       `json:"protocol,omitempty"`
	Ports    PortRange      `json:"ports"`
	CIDRs    []netip.Prefix `json:"cidrs,omitempty"`
	// Groups allows traffic from the private addresses of the interfaces
	// (and load balancers) that are members of these groups.
	Groups []string `json:"groups,omitempty"`
	// PrefixLists allows traffic from the CIDRs of these prefix lists.
	PrefixLists []string `json:"prefixLists,omitempty"`
}

// PrefixList is a named set of CIDRs referenced by group rules.
type PrefixList struct {
	ID    string         `json:"id"`
	CIDRs []netip.Prefix `json:"cidrs,omitempty"`
}

// Interface is a network interface in a subnet.
type Interface struct {
	ID      string       `json:"id"`
	Subnet  string       `json:"subnet,omitempty"`
	Host    string       `json:"host,omitempty"`    // attached host; empty when detached
	Primary bool         `json:"primary,omitempty"` // the host's primary interface (load balancers deliver to it)
	Private []netip.Addr `json:"private,omitempty"`
	Public  []netip.Addr `json:"public,omitempty"` // public IPv4 mapped by the internet gateway
	IPv6    []netip.Addr `json:"ipv6,omitempty"`
	Groups  []string     `json:"groups,omitempty"`
}

// Host is a machine (an EC2 instance).
type Host struct {
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	Running bool   `json:"running,omitempty"`
}

// LoadBalancer receives traffic on listeners and forwards it to target
// groups.
type LoadBalancer struct {
	ID       string   `json:"id"`
	Name     string   `json:"name,omitempty"`
	Network  string   `json:"network,omitempty"`
	Public   bool     `json:"public,omitempty"`   // internet-facing
	DualIPv6 bool     `json:"dualIPv6,omitempty"` // accepts IPv6 from the internet
	Subnets  []string `json:"subnets,omitempty"`
	// Groups are the load balancer's security groups; none means the load
	// balancer does not filter (a network load balancer without groups).
	Groups    []string   `json:"groups,omitempty"`
	Listeners []Listener `json:"listeners,omitempty"`
}

// Listener accepts a protocol and port and forwards to target groups.
type Listener struct {
	ID           string   `json:"id"`
	Protocol     Protocol `json:"protocol,omitempty"`
	Port         int      `json:"port"`
	TargetGroups []string `json:"targetGroups,omitempty"`
}

// TargetGroup is a set of targets behind a load balancer.
type TargetGroup struct {
	ID       string   `json:"id"`
	Name     string   `json:"name,omitempty"`
	Protocol Protocol `json:"protocol,omitempty"`
	Port     int      `json:"port"`
	Targets  []Target `json:"targets,omitempty"`
	// PreserveClientIP means targets see the client's address, not the
	// load balancer's (network load balancers by default for instance
	// targets and UDP): the target's ACL and groups must then admit the
	// clients themselves.
	PreserveClientIP bool `json:"preserveClientIP,omitempty"`
}

// Target is one host (by ID) or address behind a target group.
type Target struct {
	Host string     `json:"host,omitempty"` // set for instance targets
	Addr netip.Addr `json:"addr,omitzero"`  // set for IP targets
	Port int        `json:"port"`
	// Routable is false when the load balancer sends the target no traffic
	// (unused, draining).
	Routable bool `json:"routable,omitempty"`
}

// PortForward maps a range of ports on a gateway to an interface
// (destination NAT on a router or firewall). The client's address is kept,
// so the interface's subnet ACL and groups still apply.
type PortForward struct {
	ID        string    `json:"id"`
	Gateway   string    `json:"gateway,omitempty"`
	Protocol  Protocol  `json:"protocol,omitempty"`
	External  PortRange `json:"external"`
	Interface string    `json:"interface,omitempty"`
	// InternalLo is the interface port External.Lo maps to.
	InternalLo int `json:"internalLo"`
}

// typeName is the component type written for a kind.
func (m *Model) typeName(k Kind) string {
	if s, ok := m.TypeNames[k]; ok {
		return s
	}
	return string(k)
}
