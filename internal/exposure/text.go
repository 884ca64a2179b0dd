package exposure

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

func itoa(i int) string { return strconv.Itoa(i) }

// zonePhrase is the end of an Inspector-style title: "Port 22 is reachable
// from an Internet Gateway - TCP".
func zonePhrase(k Kind) string {
	switch k {
	case KindInternetGateway:
		return "an Internet Gateway"
	case KindPeering:
		return "a Peered VPC"
	case KindVPNGateway:
		return "a Virtual Private Gateway"
	}
	return "a " + string(k)
}

// checkID names the kind of exposure; together with the port range and
// path it identifies a finding.
func checkID(from, through Kind) string {
	id := "reachable-from-" + kebab(from)
	if through != "" {
		id += "-via-" + kebab(through)
	}
	return id
}

func kebab(k Kind) string {
	var b strings.Builder
	for i, r := range string(k) {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SensitivePorts are remote administration, file sharing, database and
// cluster-control ports whose exposure to the internet raises a finding
// to HIGH.
var SensitivePorts = []int{
	22,    // SSH
	23,    // telnet
	135,   // MS RPC
	139,   // NetBIOS
	445,   // SMB
	1433,  // SQL Server
	1521,  // Oracle
	2375,  // Docker API
	2376,  // Docker API (TLS)
	2379,  // etcd
	3306,  // MySQL
	3389,  // RDP
	5432,  // PostgreSQL
	5900,  // VNC
	6379,  // Redis
	9200,  // Elasticsearch
	10250, // kubelet
	11211, // memcached
	27017, // MongoDB
}

// WideRange is the size from which an internet-reachable range counts as
// "everything open".
const WideRange = 1024

// Severity rates a reachable range:
//   - from an internet gateway, directly or through a port forward: HIGH
//     when the range holds a SensitivePorts entry or spans WideRange ports
//     or more, MEDIUM otherwise (Inspector's default for these findings);
//   - from the internet through a load balancer: MEDIUM (the listener is
//     published on purpose; the finding says which host port it reaches);
//   - from a peered network or a VPN gateway: LOW (private sources).
func Severity(from, through Kind, r PortRange) model.Severity {
	if from != KindInternetGateway {
		return model.SeverityLow
	}
	if through == KindLoadBalancer {
		return model.SeverityMedium
	}
	if r.Len() >= WideRange {
		return model.SeverityHigh
	}
	for _, p := range SensitivePorts {
		if p >= r.Lo && p <= r.Hi {
			return model.SeverityHigh
		}
	}
	return model.SeverityMedium
}

func protoText(p Protocol, r PortRange) string {
	if p == ProtoAll {
		return "all traffic"
	}
	return string(p) + " " + r.String()
}

// describeGroupRule renders "inbound TCP 22 from 0.0.0.0/0, sg-1".
func describeGroupRule(r GroupRule) string {
	var src []string
	for _, p := range r.CIDRs {
		src = append(src, p.String())
	}
	src = append(src, r.PrefixLists...)
	src = append(src, r.Groups...)
	return "(inbound " + protoText(r.Protocol, r.Ports) + " from " + strings.Join(src, ", ") + ")"
}

// describeACLRule renders "entry 100 (inbound allow TCP 0-65535 from 0.0.0.0/0)".
func describeACLRule(r ACLRule) string {
	return "entry " + itoa(r.Number) + " (inbound allow " + protoText(r.Protocol, r.Ports) + " from " + prefixText(r.CIDR) + ")"
}

func prefixText(p netip.Prefix) string {
	if !p.IsValid() {
		return "?"
	}
	return p.String()
}
