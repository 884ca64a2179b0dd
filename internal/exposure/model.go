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
	Networks      []Network
	Subnets       []Subnet
	RouteTables   []RouteTable
	Gateways      []Gateway
	Peerings      []Peering
	ACLs          []ACL
	Groups        []Group
	PrefixLists   []PrefixList
	Interfaces    []Interface
	Hosts         []Host
	LoadBalancers []LoadBalancer
	TargetGroups  []TargetGroup
	PortForwards  []PortForward
	// TypeNames maps kinds to the component type written in path steps;
	// a kind without an entry is written as is.
	TypeNames map[Kind]string
}

// Network is an isolated address space (an AWS VPC).
type Network struct {
	ID    string
	CIDRs []netip.Prefix // IPv4 and IPv6 blocks
}

// Subnet is a range of a network with one route table and one stateless
// rule list. Empty RouteTable/ACL mean the network's main route table and
// default ACL.
type Subnet struct {
	ID         string
	Network    string
	CIDRs      []netip.Prefix
	RouteTable string
	ACL        string
}

// RouteTable is a list of routes, chosen by longest prefix match.
type RouteTable struct {
	ID      string
	Network string
	// Main marks the table subnets without an explicit association use.
	Main   bool
	Routes []Route
}

// Route sends a destination prefix to a target.
type Route struct {
	Dest       netip.Prefix
	TargetKind Kind   // KindLocal, KindInternetGateway, KindNATGateway, KindPeering, KindVPNGateway, …
	Target     string // the target's ID ("local" for KindLocal)
	// Blackhole marks a route whose target is gone: matching traffic is
	// dropped.
	Blackhole bool
}

// Gateway is an edge of a network: an internet gateway (inbound and
// outbound), a NAT gateway or egress-only gateway (outbound only, never
// makes anything reachable), or a VPN gateway.
type Gateway struct {
	ID       string
	Kind     Kind
	Networks []string // attached networks
}

// Peering connects two networks; each side reaches the other's CIDRs.
type Peering struct {
	ID     string
	Active bool
	A, B   PeerSide
}

// PeerSide is one network of a peering with the address blocks it
// exposes over the peering.
type PeerSide struct {
	Network string
	CIDRs   []netip.Prefix
}

// ACL is a stateless ordered rule list applied at a subnet boundary in
// both directions: rules are evaluated in Number order, the first rule
// matching protocol, address and port decides, and traffic no rule
// matches is denied.
type ACL struct {
	ID       string
	Network  string
	Default  bool
	Inbound  []ACLRule // matched on source address and destination port
	Outbound []ACLRule // matched on destination address and destination port
}

// ACLRule is one entry of an ACL.
type ACLRule struct {
	Number   int
	Protocol Protocol
	Allow    bool
	CIDR     netip.Prefix
	Ports    PortRange
}

// Group is a stateful allow-list firewall (security group): inbound
// traffic is allowed when any rule allows it; return traffic is always
// allowed.
type Group struct {
	ID      string
	Name    string
	Network string
	Inbound []GroupRule
}

// GroupRule allows a protocol and port range from sources.
type GroupRule struct {
	Protocol Protocol
	Ports    PortRange
	CIDRs    []netip.Prefix
	// Groups allows traffic from the private addresses of the interfaces
	// (and load balancers) that are members of these groups.
	Groups []string
	// PrefixLists allows traffic from the CIDRs of these prefix lists.
	PrefixLists []string
}

// PrefixList is a named set of CIDRs referenced by group rules.
type PrefixList struct {
	ID    string
	CIDRs []netip.Prefix
}

// Interface is a network interface in a subnet.
type Interface struct {
	ID      string
	Subnet  string
	Host    string // attached host; empty when detached
	Primary bool   // the host's primary interface (load balancers deliver to it)
	Private []netip.Addr
	Public  []netip.Addr // public IPv4 mapped by the internet gateway
	IPv6    []netip.Addr
	Groups  []string
}

// Host is a machine (an EC2 instance).
type Host struct {
	ID      string
	Name    string
	Running bool
}

// LoadBalancer receives traffic on listeners and forwards it to target
// groups.
type LoadBalancer struct {
	ID       string
	Name     string
	Network  string
	Public   bool // internet-facing
	DualIPv6 bool // accepts IPv6 from the internet
	Subnets  []string
	// Groups are the load balancer's security groups; none means the load
	// balancer does not filter (a network load balancer without groups).
	Groups    []string
	Listeners []Listener
}

// Listener accepts a protocol and port and forwards to target groups.
type Listener struct {
	ID           string
	Protocol     Protocol
	Port         int
	TargetGroups []string
}

// TargetGroup is a set of targets behind a load balancer.
type TargetGroup struct {
	ID       string
	Name     string
	Protocol Protocol
	Port     int
	Targets  []Target
	// PreserveClientIP means targets see the client's address, not the
	// load balancer's (network load balancers by default for instance
	// targets and UDP): the target's ACL and groups must then admit the
	// clients themselves.
	PreserveClientIP bool
}

// Target is one host (by ID) or address behind a target group.
type Target struct {
	Host string     // set for instance targets
	Addr netip.Addr // set for IP targets
	Port int
	// Routable is false when the load balancer sends the target no traffic
	// (unused, draining).
	Routable bool
}

// PortForward maps a range of ports on a gateway to an interface
// (destination NAT on a router or firewall). The client's address is kept,
// so the interface's subnet ACL and groups still apply.
type PortForward struct {
	ID        string
	Gateway   string
	Protocol  Protocol
	External  PortRange
	Interface string
	// InternalLo is the interface port External.Lo maps to.
	InternalLo int
}

// typeName is the component type written for a kind.
func (m *Model) typeName(k Kind) string {
	if s, ok := m.TypeNames[k]; ok {
		return s
	}
	return string(k)
}
