package aws

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/exposure"
)

// TypeNames are the component types path steps carry, as Inspector names
// them.
var TypeNames = map[exposure.Kind]string{
	exposure.KindInternetGateway: "AWS::EC2::InternetGateway",
	exposure.KindVPNGateway:      "AWS::EC2::VPNGateway",
	exposure.KindPeering:         "AWS::EC2::VPCPeeringConnection",
	exposure.KindRouteTable:      "AWS::EC2::RouteTable",
	exposure.KindACL:             "AWS::EC2::NetworkAcl",
	exposure.KindGroup:           "AWS::EC2::SecurityGroup",
	exposure.KindInterface:       "AWS::EC2::NetworkInterface",
	exposure.KindHost:            "AWS::EC2::Instance",
	exposure.KindLoadBalancer:    "AWS::ElasticLoadBalancingV2::LoadBalancer",
	exposure.KindListener:        "AWS::ElasticLoadBalancingV2::Listener",
	exposure.KindTargetGroup:     "AWS::ElasticLoadBalancingV2::TargetGroup",
}

// builder accumulates the model while files are parsed.
type builder struct {
	m        *exposure.Model
	warnings []string
	seen     map[string]bool // ids already added, per kind prefix
	subnet   map[string]int
	ifaces   map[string]int
	lbs      map[string]int
	tgs      map[string]int
	tgByKey  map[string]int  // TargetGroupName and ARN id → index
	tgType   map[int]string  // target group index → TargetType
	nlb      map[string]bool // load balancer ARN → is a network load balancer
	// synthetic maps an instance to the interface made from its own fields.
	synthetic map[string]string
	file      string
}

func (b *builder) warn(s string) { b.warnings = append(b.warnings, b.file+": "+s) }

// first reports whether id (of a kind) is new, and records it.
func (b *builder) first(kind, id string) bool {
	k := kind + "\x00" + id
	if b.seen[k] {
		return false
	}
	b.seen[k] = true
	return true
}

// Parse builds the model from command outputs already in memory (Load
// reads them from a directory). Commands are applied in dependency order;
// for one command, "<command>.json" first, then "<command>-<suffix>.json"
// by suffix. An ID seen twice keeps its first definition.
func Parse(files []File) (*Import, error) {
	b := &builder{
		m:      &exposure.Model{TypeNames: TypeNames},
		seen:   map[string]bool{},
		subnet: map[string]int{}, ifaces: map[string]int{}, lbs: map[string]int{}, tgs: map[string]int{}, tgByKey: map[string]int{},
		tgType: map[int]string{}, nlb: map[string]bool{}, synthetic: map[string]string{},
	}
	byCmd := map[string][]File{}
	var names []string
	for _, f := range files {
		cmd, _, ok := classify(f.Name)
		if !ok {
			continue
		}
		byCmd[cmd] = append(byCmd[cmd], f)
		names = append(names, f.Name)
	}
	slices.Sort(names)
	order := []struct {
		cmd string
		fn  func(File) error
	}{
		{cmdVpcs, b.vpcs}, {cmdSubnets, b.subnets}, {cmdInternetGateways, b.igws}, {cmdNatGateways, b.nats},
		{cmdRouteTables, b.routeTables}, {cmdNetworkACLs, b.acls}, {cmdSecurityGroups, b.groups},
		{cmdPrefixList, b.prefixList}, {cmdInstances, b.instances}, {cmdInterfaces, b.interfaces},
		{cmdPeerings, b.peerings}, {cmdLoadBalancers, b.loadBalancers}, {cmdTargetGroups, b.targetGroups},
		{cmdTargetHealth, b.targetHealth}, {cmdListeners, b.listeners},
	}
	for _, o := range order {
		fs := byCmd[o.cmd]
		slices.SortFunc(fs, func(x, y File) int {
			_, sx, _ := classify(x.Name)
			_, sy, _ := classify(y.Name)
			return cmp.Or(cmp.Compare(b2i(sx != ""), b2i(sy != "")), strings.Compare(sx, sy))
		})
		for _, f := range fs {
			b.file = f.Name
			if err := o.fn(f); err != nil {
				return nil, err
			}
		}
	}
	b.file = "model"
	b.dropSynthetic()
	b.preserveClientIP()
	for _, tg := range b.m.TargetGroups {
		if len(tg.Targets) == 0 {
			b.warn("target group " + tg.Name + " has no targets (no " + cmdTargetHealth + "-" + tg.Name + ".json)")
		}
	}
	return &Import{Model: b.m, Files: names, Warnings: b.warnings}, nil
}

func (b *builder) valueErr(item, field, value, why string) error {
	return &FileError{File: b.file, Err: &ValueError{Item: item, Field: field, Value: value, Why: why}}
}

// prefix parses a CIDR; "" yields an invalid prefix and no error.
func (b *builder) prefix(item, field, s string) (netip.Prefix, error) {
	if s == "" {
		return netip.Prefix{}, nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, b.valueErr(item, field, s, "not a CIDR block")
	}
	return p.Masked(), nil
}

func (b *builder) addr(item, field, s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return a, b.valueErr(item, field, s, "not an IP address")
	}
	return a.Unmap(), nil
}

func associated(s *blockState) bool {
	return s == nil || s.State == "" || s.State == "associated"
}

func (b *builder) vpcs(f File) error {
	var d vpcsDoc
	if err := decode(f, "Vpcs", &d, func() bool { return d.Vpcs != nil }); err != nil {
		return err
	}
	for _, v := range d.Vpcs {
		if v.VpcID == "" || !b.first("vpc", v.VpcID) {
			continue
		}
		item := "vpc " + v.VpcID
		n := exposure.Network{ID: v.VpcID}
		add := func(field, s string) error {
			p, err := b.prefix(item, field, s)
			if err == nil && p.IsValid() && !slices.Contains(n.CIDRs, p) {
				n.CIDRs = append(n.CIDRs, p)
			}
			return err
		}
		if err := add("CidrBlock", v.CidrBlock); err != nil {
			return err
		}
		for _, a := range v.CidrBlockAssociationSet {
			if associated(a.CidrBlockState) {
				if err := add("CidrBlockAssociationSet.CidrBlock", a.CidrBlock); err != nil {
					return err
				}
			}
		}
		for _, a := range v.Ipv6CidrBlockAssociationSet {
			if associated(a.Ipv6CidrBlockState) {
				if err := add("Ipv6CidrBlockAssociationSet.Ipv6CidrBlock", a.Ipv6CidrBlock); err != nil {
					return err
				}
			}
		}
		b.m.Networks = append(b.m.Networks, n)
	}
	return nil
}

func (b *builder) subnets(f File) error {
	var d subnetsDoc
	if err := decode(f, "Subnets", &d, func() bool { return d.Subnets != nil }); err != nil {
		return err
	}
	for _, s := range d.Subnets {
		if s.SubnetID == "" || !b.first("subnet", s.SubnetID) {
			continue
		}
		item := "subnet " + s.SubnetID
		sn := exposure.Subnet{ID: s.SubnetID, Network: s.VpcID}
		p, err := b.prefix(item, "CidrBlock", s.CidrBlock)
		if err != nil {
			return err
		}
		if p.IsValid() {
			sn.CIDRs = append(sn.CIDRs, p)
		}
		for _, a := range s.Ipv6CidrBlockAssociationSet {
			if !associated(a.Ipv6CidrBlockState) {
				continue
			}
			p, err := b.prefix(item, "Ipv6CidrBlockAssociationSet.Ipv6CidrBlock", a.Ipv6CidrBlock)
			if err != nil {
				return err
			}
			if p.IsValid() {
				sn.CIDRs = append(sn.CIDRs, p)
			}
		}
		b.subnet[sn.ID] = len(b.m.Subnets)
		b.m.Subnets = append(b.m.Subnets, sn)
	}
	return nil
}

func (b *builder) igws(f File) error {
	var d igwDoc
	if err := decode(f, "InternetGateways", &d, func() bool { return d.InternetGateways != nil }); err != nil {
		return err
	}
	for _, g := range d.InternetGateways {
		if g.InternetGatewayID == "" || !b.first("igw", g.InternetGatewayID) {
			continue
		}
		gw := exposure.Gateway{ID: g.InternetGatewayID, Kind: exposure.KindInternetGateway}
		for _, a := range g.Attachments {
			if a.State == "available" || a.State == "attached" {
				gw.Networks = append(gw.Networks, a.VpcID)
			}
		}
		b.m.Gateways = append(b.m.Gateways, gw)
	}
	return nil
}

func (b *builder) nats(f File) error {
	var d natDoc
	if err := decode(f, "NatGateways", &d, func() bool { return d.NatGateways != nil }); err != nil {
		return err
	}
	for _, g := range d.NatGateways {
		if g.NatGatewayID == "" || !b.first("nat", g.NatGatewayID) {
			continue
		}
		b.m.Gateways = append(b.m.Gateways, exposure.Gateway{ID: g.NatGatewayID, Kind: exposure.KindNATGateway, Networks: []string{g.VpcID}})
	}
	return nil
}

func (b *builder) routeTables(f File) error {
	var d routeTablesDoc
	if err := decode(f, "RouteTables", &d, func() bool { return d.RouteTables != nil }); err != nil {
		return err
	}
	for _, t := range d.RouteTables {
		if t.RouteTableID == "" || !b.first("rtb", t.RouteTableID) {
			continue
		}
		item := "route table " + t.RouteTableID
		rt := exposure.RouteTable{ID: t.RouteTableID, Network: t.VpcID}
		for _, a := range t.Associations {
			if a.Main {
				rt.Main = true
			}
			if a.SubnetID != "" {
				if i, ok := b.subnet[a.SubnetID]; ok {
					b.m.Subnets[i].RouteTable = rt.ID
				} else {
					b.warn(item + ": associated subnet " + a.SubnetID + " is not in " + cmdSubnets)
				}
			}
		}
		for _, r := range t.Routes {
			dest, field := r.DestinationCidrBlock, "DestinationCidrBlock"
			if dest == "" {
				dest, field = r.DestinationIpv6CidrBlock, "DestinationIpv6CidrBlock"
			}
			if dest == "" {
				if r.DestinationPrefixListID != "" && !strings.HasPrefix(r.GatewayID, "vpce-") {
					b.warn(item + ": route to prefix list " + r.DestinationPrefixListID + " ignored")
				}
				continue
			}
			p, err := b.prefix(item, field, dest)
			if err != nil {
				return err
			}
			route := exposure.Route{Dest: p, Blackhole: r.State == "blackhole"}
			switch {
			case r.GatewayID == "local":
				route.TargetKind, route.Target = exposure.KindLocal, "local"
			case strings.HasPrefix(r.GatewayID, "igw-"):
				route.TargetKind, route.Target = exposure.KindInternetGateway, r.GatewayID
			case strings.HasPrefix(r.GatewayID, "vgw-"):
				route.TargetKind, route.Target = exposure.KindVPNGateway, r.GatewayID
			case r.NatGatewayID != "":
				route.TargetKind, route.Target = exposure.KindNATGateway, r.NatGatewayID
			case r.VpcPeeringConnectionID != "":
				route.TargetKind, route.Target = exposure.KindPeering, r.VpcPeeringConnectionID
			case r.EgressOnlyInternetGatewayID != "":
				route.TargetKind, route.Target = exposure.KindEgressOnly, r.EgressOnlyInternetGatewayID
			default:
				route.TargetKind = exposure.KindOther
				route.Target = cmpOr(r.GatewayID, r.TransitGatewayID, r.InstanceID, r.NetworkInterfaceID, r.CarrierGatewayID, r.LocalGatewayID)
			}
			rt.Routes = append(rt.Routes, route)
		}
		b.m.RouteTables = append(b.m.RouteTables, rt)
	}
	return nil
}

func cmpOr(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// protocol maps an EC2 protocol ("tcp", "6", "-1"…); ok is false for
// protocols that never carry TCP or UDP (icmp, …).
func protocol(s string) (exposure.Protocol, bool) {
	switch strings.ToLower(s) {
	case "-1", "all":
		return exposure.ProtoAll, true
	case "tcp", "6":
		return exposure.ProtoTCP, true
	case "udp", "17":
		return exposure.ProtoUDP, true
	}
	return "", false
}

func (b *builder) ports(item string, proto exposure.Protocol, from, to *int) (exposure.PortRange, error) {
	if proto == exposure.ProtoAll || from == nil || to == nil || *from == -1 {
		return exposure.PortRange{Lo: 0, Hi: exposure.MaxPort}, nil
	}
	lo, hi := *from, *to
	if lo < 0 || hi > exposure.MaxPort || lo > hi {
		return exposure.PortRange{}, b.valueErr(item, "port range", itoa(lo)+"-"+itoa(hi), "not within 0-65535")
	}
	return exposure.PortRange{Lo: lo, Hi: hi}, nil
}

func (b *builder) acls(f File) error {
	var d aclDoc
	if err := decode(f, "NetworkAcls", &d, func() bool { return d.NetworkAcls != nil }); err != nil {
		return err
	}
	for _, a := range d.NetworkAcls {
		if a.NetworkAclID == "" || !b.first("acl", a.NetworkAclID) {
			continue
		}
		item := "network ACL " + a.NetworkAclID
		acl := exposure.ACL{ID: a.NetworkAclID, Network: a.VpcID, Default: a.IsDefault}
		for _, as := range a.Associations {
			if i, ok := b.subnet[as.SubnetID]; ok {
				b.m.Subnets[i].ACL = acl.ID
			}
		}
		for _, e := range a.Entries {
			proto, ok := protocol(e.Protocol)
			if !ok {
				continue
			}
			eitem := item + " entry " + itoa(e.RuleNumber)
			cidr, field := e.CidrBlock, "CidrBlock"
			if cidr == "" {
				cidr, field = e.Ipv6CidrBlock, "Ipv6CidrBlock"
			}
			p, err := b.prefix(eitem, field, cidr)
			if err != nil {
				return err
			}
			var from, to *int
			if e.PortRange != nil {
				from, to = e.PortRange.From, e.PortRange.To
			}
			pr, err := b.ports(eitem, proto, from, to)
			if err != nil {
				return err
			}
			switch e.RuleAction {
			case "allow", "deny":
			default:
				return b.valueErr(eitem, "RuleAction", e.RuleAction, "want allow or deny")
			}
			r := exposure.ACLRule{Number: e.RuleNumber, Protocol: proto, Allow: e.RuleAction == "allow", CIDR: p, Ports: pr}
			if e.Egress {
				acl.Outbound = append(acl.Outbound, r)
			} else {
				acl.Inbound = append(acl.Inbound, r)
			}
		}
		b.m.ACLs = append(b.m.ACLs, acl)
	}
	return nil
}

func (b *builder) groups(f File) error {
	var d sgDoc
	if err := decode(f, "SecurityGroups", &d, func() bool { return d.SecurityGroups != nil }); err != nil {
		return err
	}
	for _, g := range d.SecurityGroups {
		if g.GroupID == "" || !b.first("sg", g.GroupID) {
			continue
		}
		item := "security group " + g.GroupID
		grp := exposure.Group{ID: g.GroupID, Name: g.GroupName, Network: g.VpcID}
		for _, p := range g.IPPermissions {
			proto, ok := protocol(p.IPProtocol)
			if !ok {
				continue
			}
			pr, err := b.ports(item, proto, p.FromPort, p.ToPort)
			if err != nil {
				return err
			}
			r := exposure.GroupRule{Protocol: proto, Ports: pr}
			for _, x := range p.IPRanges {
				c, err := b.prefix(item, "IpRanges.CidrIp", x.CidrIP)
				if err != nil {
					return err
				}
				if c.IsValid() {
					r.CIDRs = append(r.CIDRs, c)
				}
			}
			for _, x := range p.Ipv6Ranges {
				c, err := b.prefix(item, "Ipv6Ranges.CidrIpv6", x.CidrIpv6)
				if err != nil {
					return err
				}
				if c.IsValid() {
					r.CIDRs = append(r.CIDRs, c)
				}
			}
			for _, x := range p.PrefixListIDs {
				if x.PrefixListID != "" {
					r.PrefixLists = append(r.PrefixLists, x.PrefixListID)
				}
			}
			for _, x := range p.UserIDGroupPairs {
				if x.GroupID != "" {
					r.Groups = append(r.Groups, x.GroupID)
				}
			}
			grp.Inbound = append(grp.Inbound, r)
		}
		b.m.Groups = append(b.m.Groups, grp)
	}
	return nil
}

func (b *builder) prefixList(f File) error {
	_, id, _ := classify(f.Name)
	var d prefixListEntriesDoc
	if err := decode(f, "Entries", &d, func() bool { return d.Entries != nil }); err != nil {
		return err
	}
	if id == "" || !b.first("pl", id) {
		b.warn("prefix list entries need a file named " + cmdPrefixList + "-<pl-id>.json; ignored")
		return nil
	}
	pl := exposure.PrefixList{ID: id}
	for _, e := range d.Entries {
		p, err := b.prefix("prefix list "+id, "Cidr", e.Cidr)
		if err != nil {
			return err
		}
		if p.IsValid() {
			pl.CIDRs = append(pl.CIDRs, p)
		}
	}
	b.m.PrefixLists = append(b.m.PrefixLists, pl)
	return nil
}

func (b *builder) instances(f File) error {
	var d instancesDoc
	if err := decode(f, "Reservations", &d, func() bool { return d.Reservations != nil }); err != nil {
		return err
	}
	for _, r := range d.Reservations {
		for _, in := range r.Instances {
			if in.InstanceID == "" || !b.first("i", in.InstanceID) {
				continue
			}
			h := exposure.Host{ID: in.InstanceID, Running: in.State.Name == "running"}
			for _, t := range in.Tags {
				if t.Key == "Name" {
					h.Name = t.Value
				}
			}
			b.m.Hosts = append(b.m.Hosts, h)
			if len(in.NetworkInterfaces) == 0 && in.SubnetID != "" && in.PrivateIPAddress != "" {
				// Output trimmed by --query or an old format: describe the
				// primary interface from the instance's own fields; a
				// describe-network-interfaces entry for it replaces this.
				e := eni{NetworkInterfaceID: in.InstanceID + "/primary", SubnetID: in.SubnetID, PrivateIPAddress: in.PrivateIPAddress}
				e.Attachment = &struct {
					InstanceID  string `json:"InstanceId"`
					DeviceIndex int    `json:"DeviceIndex"`
					Status      string `json:"Status"`
				}{InstanceID: in.InstanceID}
				if in.PublicIPAddress != "" {
					e.Association = &struct {
						PublicIP string `json:"PublicIp"`
					}{PublicIP: in.PublicIPAddress}
				}
				if in.Ipv6Address != "" {
					e.Ipv6Addresses = append(e.Ipv6Addresses, struct {
						Ipv6Address string `json:"Ipv6Address"`
					}{in.Ipv6Address})
				}
				for _, g := range in.SecurityGroups {
					e.Groups = append(e.Groups, struct {
						GroupID string `json:"GroupId"`
					}{g.GroupID})
				}
				b.synthetic[in.InstanceID] = e.NetworkInterfaceID
				if err := b.addInterface(e, in.InstanceID); err != nil {
					return err
				}
			}
			for _, e := range in.NetworkInterfaces {
				if e.Attachment != nil && e.Attachment.InstanceID == "" {
					e.Attachment.InstanceID = in.InstanceID
				}
				if err := b.addInterface(e, in.InstanceID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (b *builder) interfaces(f File) error {
	var d eniDoc
	if err := decode(f, "NetworkInterfaces", &d, func() bool { return d.NetworkInterfaces != nil }); err != nil {
		return err
	}
	for _, e := range d.NetworkInterfaces {
		if err := b.addInterface(e, ""); err != nil {
			return err
		}
	}
	return nil
}

// addInterface adds or replaces an interface; describe-network-interfaces
// is read after describe-instances and wins.
func (b *builder) addInterface(e eni, host string) error {
	if e.NetworkInterfaceID == "" {
		return nil
	}
	item := "network interface " + e.NetworkInterfaceID
	nic := exposure.Interface{ID: e.NetworkInterfaceID, Subnet: e.SubnetID}
	if a := e.Attachment; a != nil && a.Status != "detached" && a.Status != "detaching" {
		nic.Host = cmpOr(a.InstanceID, host)
		nic.Primary = a.DeviceIndex == 0
	}
	addPriv := func(s string) error {
		if s == "" {
			return nil
		}
		a, err := b.addr(item, "PrivateIpAddress", s)
		if err == nil && !slices.Contains(nic.Private, a) {
			nic.Private = append(nic.Private, a)
		}
		return err
	}
	addPub := func(s string) error {
		if s == "" {
			return nil
		}
		a, err := b.addr(item, "PublicIp", s)
		if err == nil && !slices.Contains(nic.Public, a) {
			nic.Public = append(nic.Public, a)
		}
		return err
	}
	if err := addPriv(e.PrivateIPAddress); err != nil {
		return err
	}
	for _, p := range e.PrivateIPAddresses {
		if err := addPriv(p.PrivateIPAddress); err != nil {
			return err
		}
		if p.Association != nil {
			if err := addPub(p.Association.PublicIP); err != nil {
				return err
			}
		}
	}
	if e.Association != nil {
		if err := addPub(e.Association.PublicIP); err != nil {
			return err
		}
	}
	for _, x := range e.Ipv6Addresses {
		a, err := b.addr(item, "Ipv6Address", x.Ipv6Address)
		if err != nil {
			return err
		}
		nic.IPv6 = append(nic.IPv6, a)
	}
	for _, g := range e.Groups {
		if g.GroupID != "" {
			nic.Groups = append(nic.Groups, g.GroupID)
		}
	}
	if i, ok := b.ifaces[nic.ID]; ok {
		if nic.Host == "" {
			nic.Host, nic.Primary = b.m.Interfaces[i].Host, b.m.Interfaces[i].Primary
		}
		b.m.Interfaces[i] = nic
		return nil
	}
	b.ifaces[nic.ID] = len(b.m.Interfaces)
	b.m.Interfaces = append(b.m.Interfaces, nic)
	return nil
}

func (b *builder) peerings(f File) error {
	var d peeringDoc
	if err := decode(f, "VpcPeeringConnections", &d, func() bool { return d.VpcPeeringConnections != nil }); err != nil {
		return err
	}
	for _, p := range d.VpcPeeringConnections {
		if p.VpcPeeringConnectionID == "" || !b.first("pcx", p.VpcPeeringConnectionID) {
			continue
		}
		item := "peering " + p.VpcPeeringConnectionID
		side := func(info peeringInfo) (exposure.PeerSide, error) {
			s := exposure.PeerSide{Network: info.VpcID}
			var blocks []string
			for _, c := range info.CidrBlockSet {
				blocks = append(blocks, c.CidrBlock)
			}
			if len(blocks) == 0 {
				blocks = append(blocks, info.CidrBlock)
			}
			for _, c := range info.Ipv6CidrBlockSet {
				blocks = append(blocks, c.Ipv6CidrBlock)
			}
			for _, c := range blocks {
				pf, err := b.prefix(item, "CidrBlock", c)
				if err != nil {
					return s, err
				}
				if pf.IsValid() {
					s.CIDRs = append(s.CIDRs, pf)
				}
			}
			return s, nil
		}
		a, err := side(p.RequesterVpcInfo)
		if err != nil {
			return err
		}
		c, err := side(p.AccepterVpcInfo)
		if err != nil {
			return err
		}
		b.m.Peerings = append(b.m.Peerings, exposure.Peering{ID: p.VpcPeeringConnectionID, Active: p.Status.Code == "active", A: a, B: c})
	}
	return nil
}

func (b *builder) loadBalancers(f File) error {
	var d lbDoc
	if err := decode(f, "LoadBalancers", &d, func() bool { return d.LoadBalancers != nil }); err != nil {
		return err
	}
	for _, l := range d.LoadBalancers {
		if l.LoadBalancerArn == "" || !b.first("lb", l.LoadBalancerArn) {
			continue
		}
		if l.Type == "gateway" {
			continue
		}
		if l.State != nil && l.State.Code != "active" && l.State.Code != "active_impaired" {
			b.warn("load balancer " + l.LoadBalancerName + " is " + l.State.Code + "; skipped")
			continue
		}
		lb := exposure.LoadBalancer{
			ID: l.LoadBalancerArn, Name: l.LoadBalancerName, Network: l.VpcID,
			Public:   l.Scheme == "internet-facing",
			DualIPv6: strings.HasPrefix(l.IPAddressType, "dualstack"),
			Groups:   slices.Clone(l.SecurityGroups),
		}
		for _, z := range l.AvailabilityZones {
			if z.SubnetID != "" {
				lb.Subnets = append(lb.Subnets, z.SubnetID)
			}
		}
		b.lbs[lb.ID] = len(b.m.LoadBalancers)
		b.nlb[lb.ID] = l.Type == "network"
		b.m.LoadBalancers = append(b.m.LoadBalancers, lb)
	}
	return nil
}

// lbProtocol maps a listener or target group protocol to a transport.
func lbProtocol(s string) (exposure.Protocol, bool) {
	switch s {
	case "HTTP", "HTTPS", "TCP", "TLS":
		return exposure.ProtoTCP, true
	case "UDP":
		return exposure.ProtoUDP, true
	case "TCP_UDP":
		return exposure.ProtoAll, true
	}
	return "", false
}

// arnID is the last "/" segment of an ARN.
func arnID(arn string) string {
	return arn[strings.LastIndexByte(arn, '/')+1:]
}

func (b *builder) targetGroups(f File) error {
	var d targetGroupsDoc
	if err := decode(f, "TargetGroups", &d, func() bool { return d.TargetGroups != nil }); err != nil {
		return err
	}
	for _, t := range d.TargetGroups {
		if t.TargetGroupArn == "" || !b.first("tg", t.TargetGroupArn) {
			continue
		}
		proto, _ := lbProtocol(t.Protocol)
		i := len(b.m.TargetGroups)
		b.m.TargetGroups = append(b.m.TargetGroups, exposure.TargetGroup{ID: t.TargetGroupArn, Name: cmpOr(t.TargetGroupName, arnID(t.TargetGroupArn)), Protocol: proto, Port: t.Port})
		b.tgs[t.TargetGroupArn] = i
		b.tgType[i] = cmpOr(t.TargetType, "instance")
		if t.TargetGroupName != "" {
			b.tgByKey[t.TargetGroupName] = i
		}
		b.tgByKey[arnID(t.TargetGroupArn)] = i
	}
	return nil
}

func (b *builder) targetHealth(f File) error {
	_, key, _ := classify(f.Name)
	var d targetHealthDoc
	if err := decode(f, "TargetHealthDescriptions", &d, func() bool { return d.TargetHealthDescriptions != nil }); err != nil {
		return err
	}
	i, ok := b.tgByKey[key]
	if !ok {
		b.warn("names no target group in " + cmdTargetGroups + " (want " + cmdTargetHealth + "-<TargetGroupName>.json); ignored")
		return nil
	}
	tg := &b.m.TargetGroups[i]
	item := "target group " + tg.Name
	for _, h := range d.TargetHealthDescriptions {
		t := exposure.Target{Port: h.Target.Port, Routable: h.TargetHealth.State != "unused" && h.TargetHealth.State != "draining"}
		switch {
		case b.tgType[i] == "instance":
			t.Host = h.Target.ID
		case b.tgType[i] == "ip":
			a, err := b.addr(item, "Target.Id", h.Target.ID)
			if err != nil {
				return err
			}
			t.Addr = a
		default:
			continue
		}
		if t.Port < 0 || t.Port > exposure.MaxPort {
			return b.valueErr(item, "Target.Port", itoa(t.Port), "not within 0-65535")
		}
		tg.Targets = append(tg.Targets, t)
	}
	return nil
}

func (b *builder) listeners(f File) error {
	var d listenersDoc
	if err := decode(f, "Listeners", &d, func() bool { return d.Listeners != nil }); err != nil {
		return err
	}
	for _, l := range d.Listeners {
		if l.ListenerArn == "" || !b.first("listener", l.ListenerArn) {
			continue
		}
		i, ok := b.lbs[l.LoadBalancerArn]
		if !ok {
			b.warn("listener " + l.ListenerArn + ": load balancer not in " + cmdLoadBalancers)
			continue
		}
		proto, ok := lbProtocol(l.Protocol)
		if !ok {
			continue
		}
		if l.Port < 1 || l.Port > exposure.MaxPort {
			return b.valueErr("listener "+l.ListenerArn, "Port", itoa(l.Port), "not within 1-65535")
		}
		lis := exposure.Listener{ID: l.ListenerArn, Protocol: proto, Port: l.Port}
		for _, a := range l.DefaultActions {
			if a.Type != "forward" {
				continue
			}
			if a.TargetGroupArn != "" {
				lis.TargetGroups = append(lis.TargetGroups, a.TargetGroupArn)
			}
			if a.ForwardConfig != nil {
				for _, t := range a.ForwardConfig.TargetGroups {
					if t.TargetGroupArn != "" && !slices.Contains(lis.TargetGroups, t.TargetGroupArn) {
						lis.TargetGroups = append(lis.TargetGroups, t.TargetGroupArn)
					}
				}
			}
		}
		b.m.LoadBalancers[i].Listeners = append(b.m.LoadBalancers[i].Listeners, lis)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// preserveClientIP marks the target groups behind network load balancers
// whose targets see the client's address: AWS's default for instance
// targets and for UDP / TCP_UDP (the preserve_client_ip attribute itself is
// not in describe-target-groups).
func (b *builder) preserveClientIP() {
	for _, lb := range b.m.LoadBalancers {
		if !b.nlb[lb.ID] {
			continue
		}
		for _, l := range lb.Listeners {
			for _, id := range l.TargetGroups {
				i, ok := b.tgs[id]
				if !ok {
					continue
				}
				tg := &b.m.TargetGroups[i]
				if b.tgType[i] == "instance" || tg.Protocol == exposure.ProtoUDP || tg.Protocol == exposure.ProtoAll {
					tg.PreserveClientIP = true
				}
			}
		}
	}
}

// dropSynthetic removes an interface made from an instance's own fields
// when describe-network-interfaces describes a real interface attached to
// that instance as device 0.
func (b *builder) dropSynthetic() {
	if len(b.synthetic) == 0 {
		return
	}
	real := map[string]bool{}
	for _, n := range b.m.Interfaces {
		if n.Primary && n.Host != "" && n.ID != b.synthetic[n.Host] {
			real[n.Host] = true
		}
	}
	b.m.Interfaces = slices.DeleteFunc(b.m.Interfaces, func(n exposure.Interface) bool {
		return real[n.Host] && n.ID == b.synthetic[n.Host]
	})
}
