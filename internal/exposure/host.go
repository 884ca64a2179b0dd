package exposure

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// Zones of a host analysis (agent-reported hosts outside a cloud model).
const (
	KindInternet     Kind = "Internet"
	KindLocalNetwork Kind = "LocalNetwork"
	KindHostFirewall Kind = "HostFirewall"
)

// HostFacts is what an agent reports about a host's network side.
type HostFacts struct {
	// Host names the host in findings (the resource name).
	Host       string          `json:"host"`
	Interfaces []HostInterface `json:"interfaces,omitempty"`
	Sockets    []Socket        `json:"sockets,omitempty"`
	// Firewall is nil when the host has no packet filter (or the agent
	// could not read it): nothing is filtered.
	Firewall *HostFirewall `json:"firewall,omitempty"`
}

// HostInterface is a network interface with its addresses (each with the
// prefix length of its on-link network).
type HostInterface struct {
	Name     string         `json:"name"`
	Addrs    []netip.Prefix `json:"addrs,omitempty"`
	Loopback bool           `json:"loopback,omitempty"`
}

// Socket is a listening socket (TCP LISTEN, or a bound UDP socket) with
// the process that owns it and the package that installed the process's
// executable, when known.
type Socket struct {
	Protocol Protocol   `json:"protocol"`
	Addr     netip.Addr `json:"addr"`
	Port     int        `json:"port"`
	PID      int        `json:"pid,omitempty"`
	Process  string     `json:"process,omitempty"` // comm
	Exe      string     `json:"exe,omitempty"`
	// Package is the OS package owning Exe ("openssh-server"); Ecosystem
	// its ecosystem.
	Package   string `json:"package,omitempty"`
	Ecosystem string `json:"ecosystem,omitempty"`
}

// Describe is a short text naming the socket's process and package (no
// pid: the text is stable across restarts).
func (s *Socket) Describe() string {
	if s.Process == "" && s.Exe == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString(cmpOr(s.Process, s.Exe))
	var parts []string
	if s.Exe != "" && s.Exe != s.Process {
		parts = append(parts, s.Exe)
	}
	if s.Package != "" {
		parts = append(parts, "package "+s.Package)
	}
	if len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	}
	return b.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// SocketExposure says from which zones one socket is reachable.
type SocketExposure struct {
	Socket Socket `json:"socket"`
	Zones  []Kind `json:"zones,omitempty"`
}

// HostResult is the output of AnalyzeHost.
type HostResult struct {
	Findings []Finding        `json:"findings"`
	Sockets  []SocketExposure `json:"sockets"`
}

// Internet reports whether any socket is reachable from the internet.
func (r *HostResult) Internet() bool {
	for _, s := range r.Sockets {
		if slices.Contains(s.Zones, KindInternet) {
			return true
		}
	}
	return false
}

// hostZone is one source zone of one interface.
type hostZone struct {
	kind Kind
	id   string // "internet" or the on-link prefix
	key  string // id and the families of src (a socket's bind address narrows them)
	src  []addrRange
}

// AnalyzeHost computes, for every listening socket of a host that is not
// bound to loopback, the zones a new inbound connection can come from
// through the host firewall: the internet (for an interface with a public
// address of the family) and the interface's on-link network. One finding
// is produced per (socket port, protocol, zone, interface), with the
// firewall rules that admit it. No packet is sent.
func AnalyzeHost(ctx context.Context, h *HostFacts) (*HostResult, error) {
	res := &HostResult{Findings: []Finding{}, Sockets: []SocketExposure{}}
	cuts := h.Firewall.sourceCuts()
	seen := map[string]bool{}
	verdicts := map[string]zoneVerdict{} // by interface, protocol and zone sources
	for si, s := range h.Sockets {
		if si%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if s.Protocol != ProtoTCP && s.Protocol != ProtoUDP || s.Port <= 0 || s.Port > MaxPort {
			continue
		}
		se := SocketExposure{Socket: s}
		for _, ifc := range h.Interfaces {
			if ifc.Loopback || !bindsTo(s.Addr, &ifc) {
				continue
			}
			for _, z := range interfaceZones(&ifc, s.Addr) {
				vk := ifc.Name + "\x00" + string(s.Protocol) + "\x00" + z.key
				v, ok := verdicts[vk]
				if !ok {
					v = h.Firewall.zoneVerdict(ifc.Name, s.Protocol, z.src, cuts)
					verdicts[vk] = v
				}
				if !v.ok.Contains(s.Port) {
					continue
				}
				if !slices.Contains(se.Zones, z.kind) {
					se.Zones = append(se.Zones, z.kind)
				}
				key := string(s.Protocol) + "/" + itoa(s.Port) + "/" + z.id + "/" + ifc.Name
				if seen[key] {
					continue
				}
				seen[key] = true
				res.Findings = append(res.Findings, hostFinding(h, &ifc, &s, z, v.refs(s.Port)))
			}
		}
		res.Sockets = append(res.Sockets, se)
	}
	res.Findings = sortFindings(res.Findings)
	return res, nil
}

// bindsTo reports whether a socket bound to a accepts connections on ifc.
func bindsTo(a netip.Addr, ifc *HostInterface) bool {
	if a.IsUnspecified() {
		return true
	}
	if a.IsLoopback() {
		return false
	}
	a = a.Unmap()
	return slices.ContainsFunc(ifc.Addrs, func(p netip.Prefix) bool { return p.Addr().Unmap() == a })
}

// interfaceZones lists the zones that reach ifc for a socket bound to
// bind: the internet for each family with a public address on the
// interface, and each on-link network.
func interfaceZones(ifc *HostInterface, bind netip.Addr) []hostZone {
	wantV4 := !bind.IsValid() || bind.Unmap().Is4() || (bind.IsUnspecified() && bind.Is6())
	wantV6 := !bind.IsValid() || (bind.Is6() && !bind.Is4In6())
	var pub4, pub6 bool
	var zs []hostZone
	for _, p := range ifc.Addrs {
		a := p.Addr().Unmap()
		if a.Is4() && !wantV4 || a.Is6() && !wantV6 || a.IsLinkLocalUnicast() || a.IsLoopback() {
			continue
		}
		if bind.IsValid() && !bind.IsUnspecified() && bind.Unmap() != a {
			continue
		}
		if isPublic(a) {
			if a.Is4() {
				pub4 = true
			} else {
				pub6 = true
			}
		}
		m := netip.PrefixFrom(a, p.Bits()).Masked()
		zs = append(zs, hostZone{kind: KindLocalNetwork, id: m.String(), key: m.String(), src: []addrRange{prefixRange(m)}})
	}
	var inet []addrRange
	for _, r := range internetSource() {
		if r.lo.Is4() && pub4 || r.lo.Is6() && pub6 {
			inet = append(inet, r)
		}
	}
	if len(inet) > 0 {
		key := "internet"
		if pub4 {
			key += "4"
		}
		if pub6 {
			key += "6"
		}
		zs = append([]hostZone{{kind: KindInternet, id: "internet", key: key, src: inet}}, zs...)
	}
	return zs
}

// isPublic reports whether internet traffic can be addressed to a.
func isPublic(a netip.Addr) bool {
	if a.Is4() {
		return !slices.ContainsFunc(nonPublicV4, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	return publicV6.Contains(a)
}

func hostFinding(h *HostFacts, ifc *HostInterface, s *Socket, z hostZone, refs []string) Finding {
	zoneText := "the Internet"
	sev := Severity(KindInternetGateway, "", PortRange{s.Port, s.Port})
	if z.kind == KindLocalNetwork {
		zoneText, sev = "the Local Network", model.SeverityLow
	}
	steps := []model.PathStep{{ComponentID: ifc.Name, ComponentType: string(KindInterface)}}
	fwName := "none"
	if h.Firewall != nil && len(h.Firewall.Base) > 0 {
		names := make([]string, 0, len(h.Firewall.Base))
		for _, c := range h.Firewall.Base {
			names = append(names, c.Name)
		}
		fwName = strings.Join(names, ", ")
		steps = append(steps, model.PathStep{ComponentID: fwName, ComponentType: string(KindHostFirewall)})
	}
	steps = append(steps, model.PathStep{ComponentID: h.Host, ComponentType: "Host"})
	desc := "On the host " + h.Host + ", the port " + itoa(s.Port) + " (" + string(s.Protocol) + ") is reachable from " +
		zoneText + " (" + z.id + ") through the interface " + ifc.Name
	if d := s.Describe(); d != "" {
		desc += "; listening process: " + d
	}
	desc += "."
	var fix string
	switch {
	case fwName == "none":
		fix = "The host has no packet filter: add an nftables or iptables input rule that admits port " + itoa(s.Port) +
			"/" + string(s.Protocol) + " only from the sources that need it, or bind the service to a private address."
	case len(refs) == 0:
		fix = "The host firewall's default policy (" + fwName + ") admits this port: set the input policy to drop and admit only the sources that need it."
	default:
		fix = "Restrict the host firewall rules that admit this port: " + strings.Join(refs, "; ") + "."
	}
	return Finding{
		Resource:  h.Host,
		Interface: ifc.Name,
		Observation: model.Observation{
			Type:        model.FindingNetworkReachability,
			CheckID:     checkID(z.kind, ""),
			Title:       "Port " + itoa(s.Port) + " is reachable from " + zoneText + " - " + string(s.Protocol),
			Description: desc,
			Severity:    sev,
			Remediation: fix,
			Network: &model.NetworkDetail{
				Protocol: string(s.Protocol),
				Ports:    model.PortRange{Begin: s.Port, End: s.Port},
				From:     z.id,
				Steps:    steps,
				Process:  s.Describe(),
			},
		},
	}
}
