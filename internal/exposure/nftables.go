package exposure

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// FirewallError is an unreadable host firewall dump.
type FirewallError struct {
	Format string // "nftables" or "iptables"
	Why    string
}

func (e *FirewallError) Error() string { return e.Format + " ruleset: " + e.Why }

// MaxFirewallRules bounds the rules read from one ruleset.
const MaxFirewallRules = 100000

// nftDoc is the output of `nft -j list ruleset`.
type nftDoc struct {
	Nftables []map[string]json.RawMessage `json:"nftables"`
}

type nftChain struct {
	Family string          `json:"family"`
	Table  string          `json:"table"`
	Name   string          `json:"name"`
	Type   string          `json:"type"`
	Hook   string          `json:"hook"`
	Prio   json.RawMessage `json:"prio"`
	Policy string          `json:"policy"`
}

type nftSet struct {
	Family string            `json:"family"`
	Table  string            `json:"table"`
	Name   string            `json:"name"`
	Elem   []json.RawMessage `json:"elem"`
}

type nftRule struct {
	Family string                       `json:"family"`
	Table  string                       `json:"table"`
	Chain  string                       `json:"chain"`
	Handle int64                        `json:"handle"`
	Expr   []map[string]json.RawMessage `json:"expr"`
}

type nftMatch struct {
	Op    string          `json:"op"`
	Left  json.RawMessage `json:"left"`
	Right json.RawMessage `json:"right"`
}

type nftLeft struct {
	Payload *struct {
		Protocol string `json:"protocol"`
		Field    string `json:"field"`
	} `json:"payload"`
	Meta *struct {
		Key string `json:"key"`
	} `json:"meta"`
	CT *struct {
		Key string `json:"key"`
	} `json:"ct"`
}

// ParseNftables reads the JSON printed by `nft -j list ruleset` and
// returns the input path of the host's firewall: the filter base chains at
// the input hook of the ip, ip6 and inet families, ordered by priority,
// and every regular chain of those tables. Tables of other families (arp,
// bridge, netdev) are ignored.
func ParseNftables(data []byte) (*HostFirewall, error) {
	var doc nftDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, &FirewallError{Format: "nftables", Why: err.Error()}
	}
	sets := map[string]nftSet{}
	type base struct {
		prio int
		c    FirewallChain
	}
	var bases []base
	chains := map[string]*FirewallChain{}
	var order []string
	var rules []nftRule
	for _, obj := range doc.Nftables {
		switch {
		case obj["chain"] != nil:
			var c nftChain
			if err := json.Unmarshal(obj["chain"], &c); err != nil {
				return nil, &FirewallError{Format: "nftables", Why: "chain: " + err.Error()}
			}
			fam, ok := nftFamily(c.Family)
			if !ok {
				continue
			}
			fc := FirewallChain{Name: nftName(c.Family, c.Table, c.Name), Family: fam}
			if c.Hook == "input" && (c.Type == "filter" || c.Type == "") {
				fc.Policy = VerdictAccept
				if c.Policy == "drop" {
					fc.Policy = VerdictDrop
				}
				bases = append(bases, base{prio: nftPrio(c.Prio), c: fc})
				continue
			}
			if c.Hook != "" {
				continue // other hooks (output, forward, prerouting) do not filter input
			}
			if chains[fc.Name] == nil {
				order = append(order, fc.Name)
			}
			chains[fc.Name] = &fc
		case obj["set"] != nil:
			var s nftSet
			if err := json.Unmarshal(obj["set"], &s); err != nil {
				return nil, &FirewallError{Format: "nftables", Why: "set: " + err.Error()}
			}
			sets[nftName(s.Family, s.Table, s.Name)] = s
		case obj["rule"] != nil:
			var r nftRule
			if err := json.Unmarshal(obj["rule"], &r); err != nil {
				return nil, &FirewallError{Format: "nftables", Why: "rule: " + err.Error()}
			}
			if len(rules) >= MaxFirewallRules {
				return nil, &FirewallError{Format: "nftables", Why: fmt.Sprintf("more than %d rules", MaxFirewallRules)}
			}
			rules = append(rules, r)
		}
	}
	slices.SortStableFunc(bases, func(a, b base) int { return cmp.Compare(a.prio, b.prio) })
	fw := &HostFirewall{Backend: "nftables"}
	byName := map[string]*FirewallChain{}
	for i := range bases {
		fw.Base = append(fw.Base, bases[i].c)
	}
	for _, n := range order {
		fw.Chains = append(fw.Chains, *chains[n])
	}
	for i := range fw.Base {
		byName[fw.Base[i].Name] = &fw.Base[i]
	}
	for i := range fw.Chains {
		byName[fw.Chains[i].Name] = &fw.Chains[i]
	}
	for _, r := range rules {
		c := byName[nftName(r.Family, r.Table, r.Chain)]
		if c == nil {
			continue
		}
		fr := nftConvert(&r, sets)
		c.Rules = append(c.Rules, fr)
	}
	return fw, nil
}

func nftFamily(f string) (Family, bool) {
	switch f {
	case "ip":
		return FamilyV4, true
	case "ip6":
		return FamilyV6, true
	case "inet":
		return FamilyAny, true
	}
	return "", false
}

func nftName(family, table, chain string) string { return family + " " + table + " " + chain }

// nftPrio reads a chain priority: a number, or one of nft's names.
func nftPrio(raw json.RawMessage) int {
	var n int
	if json.Unmarshal(raw, &n) == nil {
		return n
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	switch s {
	case "raw":
		return -300
	case "mangle":
		return -150
	case "dstnat":
		return -100
	case "security":
		return 50
	case "srcnat":
		return 100
	}
	return 0
}

// nftConvert turns one rule's expressions into a FirewallRule.
func nftConvert(r *nftRule, sets map[string]nftSet) FirewallRule {
	fr := FirewallRule{Ref: nftName(r.Family, r.Table, r.Chain) + " handle " + strconv.FormatInt(r.Handle, 10)}
	fr.Family, _ = nftFamily(r.Family)
	for _, e := range r.Expr {
		for k, v := range e {
			switch k {
			case "match":
				var m nftMatch
				if json.Unmarshal(v, &m) != nil {
					fr.Uncertain = append(fr.Uncertain, "unreadable match")
					continue
				}
				nftApplyMatch(&fr, &m, r, sets)
			case "accept":
				fr.Verdict = VerdictAccept
			case "drop", "reject":
				fr.Verdict = VerdictDrop
			case "return":
				fr.Verdict = VerdictReturn
			case "jump", "goto":
				var t struct {
					Target string `json:"target"`
				}
				_ = json.Unmarshal(v, &t)
				fr.Verdict, fr.Target = VerdictJump, nftName(r.Family, r.Table, t.Target)
			case "counter", "log", "comment", "continue":
			default:
				fr.Uncertain = append(fr.Uncertain, k)
			}
		}
	}
	return fr
}

func nftApplyMatch(fr *FirewallRule, m *nftMatch, r *nftRule, sets map[string]nftSet) {
	var l nftLeft
	_ = json.Unmarshal(m.Left, &l)
	neg := m.Op == "!="
	if m.Op != "==" && m.Op != "!=" && m.Op != "in" {
		fr.Uncertain = append(fr.Uncertain, "operator "+m.Op)
		return
	}
	vals := nftValues(m.Right, r, sets)
	switch {
	case l.CT != nil && l.CT.Key == "state":
		hasNew := slices.Contains(vals, "new")
		if hasNew == neg {
			fr.NeverNew = true
		}
	case l.Meta != nil && (l.Meta.Key == "iif" || l.Meta.Key == "iifname") && len(vals) == 1:
		fr.InIface, fr.NotInIface = vals[0], neg
	case l.Meta != nil && l.Meta.Key == "l4proto", l.Payload != nil && (l.Payload.Field == "protocol" || l.Payload.Field == "nexthdr"):
		setProto(fr, vals, neg)
	case l.Meta != nil && l.Meta.Key == "nfproto" && len(vals) == 1 && !neg:
		switch vals[0] {
		case "ipv4":
			fr.Family = FamilyV4
		case "ipv6":
			fr.Family = FamilyV6
		}
	case l.Payload != nil && l.Payload.Field == "dport":
		if p := protoOf(l.Payload.Protocol); p != "" {
			fr.Protocol = p
		} else if l.Payload.Protocol != "th" {
			fr.Protocol = ProtoOther
		}
		for _, v := range vals {
			pr, ok := parsePortText(v)
			if !ok {
				fr.Uncertain = append(fr.Uncertain, "port "+v)
				continue
			}
			fr.Ports = append(fr.Ports, pr)
		}
		fr.NotPorts = neg
	case l.Payload != nil && l.Payload.Field == "saddr" && (l.Payload.Protocol == "ip" || l.Payload.Protocol == "ip6"):
		fr.Family = FamilyV4
		if l.Payload.Protocol == "ip6" {
			fr.Family = FamilyV6
		}
		for _, v := range vals {
			ps, ok := parseAddrText(v)
			if !ok {
				fr.Uncertain = append(fr.Uncertain, "address "+v)
				continue
			}
			fr.Sources = append(fr.Sources, ps...)
		}
		fr.NotSources = neg
	default:
		fr.Uncertain = append(fr.Uncertain, "match "+string(m.Left))
	}
}

// setProto restricts a rule to the protocols named.
func setProto(fr *FirewallRule, vals []string, neg bool) {
	var tcp, udp bool
	for _, v := range vals {
		switch strings.ToLower(v) {
		case "tcp", "6":
			tcp = true
		case "udp", "17":
			udp = true
		}
	}
	if neg {
		tcp, udp = !tcp, !udp
	}
	switch {
	case tcp && udp:
		fr.Protocol = ""
	case tcp:
		fr.Protocol = ProtoTCP
	case udp:
		fr.Protocol = ProtoUDP
	default:
		fr.Protocol = ProtoOther
	}
}

func protoOf(s string) Protocol {
	switch strings.ToLower(s) {
	case "tcp":
		return ProtoTCP
	case "udp":
		return ProtoUDP
	}
	return ""
}

// nftValues flattens a match's right-hand side to text values: numbers,
// names, "lo-hi" ranges and "addr/len" prefixes; "@set" references are
// resolved through sets of the same table.
func nftValues(raw json.RawMessage, r *nftRule, sets map[string]nftSet) []string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if name, ok := strings.CutPrefix(s, "@"); ok {
			set, found := sets[nftName(r.Family, r.Table, name)]
			if !found {
				return []string{s}
			}
			var out []string
			for _, e := range set.Elem {
				out = append(out, nftValues(e, r, nil)...)
			}
			return out
		}
		return []string{s}
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return []string{n.String()}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		var out []string
		for _, e := range list {
			out = append(out, nftValues(e, r, sets)...)
		}
		return out
	}
	var obj struct {
		Set    []json.RawMessage `json:"set"`
		Range  []json.RawMessage `json:"range"`
		Prefix *struct {
			Addr string `json:"addr"`
			Len  int    `json:"len"`
		} `json:"prefix"`
		Elem *struct {
			Val json.RawMessage `json:"val"`
		} `json:"elem"`
	}
	if json.Unmarshal(raw, &obj) != nil {
		return []string{string(raw)}
	}
	switch {
	case obj.Set != nil:
		var out []string
		for _, e := range obj.Set {
			out = append(out, nftValues(e, r, sets)...)
		}
		return out
	case len(obj.Range) == 2:
		lo, hi := nftValues(obj.Range[0], r, sets), nftValues(obj.Range[1], r, sets)
		if len(lo) == 1 && len(hi) == 1 {
			return []string{lo[0] + "-" + hi[0]}
		}
	case obj.Prefix != nil:
		return []string{obj.Prefix.Addr + "/" + strconv.Itoa(obj.Prefix.Len)}
	case obj.Elem != nil:
		return nftValues(obj.Elem.Val, r, sets)
	}
	return []string{string(raw)}
}

// parsePortText reads "22", "8000-8080" or "8000:8080".
func parsePortText(s string) (PortRange, bool) {
	lo, hi, found := strings.Cut(s, "-")
	if !found {
		lo, hi, found = strings.Cut(s, ":")
	}
	if !found {
		hi = lo
	}
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if lo == "" && found {
		a, err1 = 0, nil
	}
	if hi == "" && found {
		b, err2 = MaxPort, nil
	}
	if err1 != nil || err2 != nil || a < 0 || b > MaxPort || a > b {
		return PortRange{}, false
	}
	return PortRange{Lo: a, Hi: b}, true
}

// parseAddrText reads an address, a prefix or an "a-b" address range (as
// the prefixes covering it).
func parseAddrText(s string) ([]netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return []netip.Prefix{p.Masked()}, true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return []netip.Prefix{netip.PrefixFrom(a, a.BitLen())}, true
	}
	lo, hi, ok := strings.Cut(s, "-")
	if !ok {
		return nil, false
	}
	a, err1 := netip.ParseAddr(lo)
	b, err2 := netip.ParseAddr(hi)
	if err1 != nil || err2 != nil || a.Is4() != b.Is4() || b.Less(a) {
		return nil, false
	}
	return rangePrefixes(a, b), true
}

// rangePrefixes returns the smallest list of prefixes covering [a, b].
func rangePrefixes(a, b netip.Addr) []netip.Prefix {
	var out []netip.Prefix
	for n := 0; n < 256; n++ {
		bits := a.BitLen()
		for bits > 0 {
			p := netip.PrefixFrom(a, bits-1).Masked()
			if p.Addr() != a || b.Less(lastAddr(p)) {
				break
			}
			bits--
		}
		p := netip.PrefixFrom(a, bits)
		out = append(out, p)
		last := lastAddr(p)
		if last == b || !last.Next().IsValid() {
			break
		}
		a = last.Next()
	}
	return out
}
