package exposure

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// ParseIptablesSave reads the text printed by `iptables-save` (family
// FamilyV4) or `ip6tables-save` (FamilyV6) and returns the input path of
// its filter table: the INPUT chain as the base chain and every user
// chain as a jump target. Other tables and chains are ignored.
func ParseIptablesSave(data []byte, family Family) (*HostFirewall, error) {
	prefix := "filter "
	if family == FamilyV6 {
		prefix = "ip6 filter "
	}
	fw := &HostFirewall{Backend: "iptables"}
	chains := map[string]*FirewallChain{}
	var order []string
	inFilter := false
	nrules := 0
	count := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var rules [][]string
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		switch {
		case t == "" || strings.HasPrefix(t, "#"):
		case strings.HasPrefix(t, "*"):
			inFilter = t == "*filter"
		case t == "COMMIT":
			inFilter = false
		case !inFilter:
		case strings.HasPrefix(t, ":"):
			f := strings.Fields(t[1:])
			if len(f) < 2 {
				return nil, &FirewallError{Format: "iptables", Why: fmt.Sprintf("line %d: malformed chain", line)}
			}
			c := &FirewallChain{Name: prefix + f[0], Family: family}
			switch f[0] {
			case "INPUT":
				c.Policy = VerdictAccept
				if f[1] == "DROP" {
					c.Policy = VerdictDrop
				}
			case "FORWARD", "OUTPUT":
				continue
			}
			if chains[f[0]] == nil {
				order = append(order, f[0])
			}
			chains[f[0]] = c
		case strings.HasPrefix(t, "-A "):
			args, err := splitArgs(t)
			if err != nil {
				return nil, &FirewallError{Format: "iptables", Why: fmt.Sprintf("line %d: %v", line, err)}
			}
			if nrules++; nrules > MaxFirewallRules {
				return nil, &FirewallError{Format: "iptables", Why: fmt.Sprintf("more than %d rules", MaxFirewallRules)}
			}
			rules = append(rules, args)
		default:
			return nil, &FirewallError{Format: "iptables", Why: fmt.Sprintf("line %d: unexpected %q", line, truncate(t, 40))}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &FirewallError{Format: "iptables", Why: err.Error()}
	}
	for _, args := range rules {
		if len(args) < 2 {
			continue
		}
		c := chains[args[1]]
		if c == nil {
			continue
		}
		count[args[1]]++
		r := iptRule(args[2:], family, chains, prefix)
		r.Ref = c.Name + " rule " + strconv.Itoa(count[args[1]]) + " (" + strings.Join(args, " ") + ")"
		c.Rules = append(c.Rules, r)
	}
	for _, n := range order {
		if n == "INPUT" {
			fw.Base = append(fw.Base, *chains[n])
		} else {
			fw.Chains = append(fw.Chains, *chains[n])
		}
	}
	return fw, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// splitArgs splits an iptables-save line into words, honouring double
// quotes and backslash escapes.
func splitArgs(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == '"':
			quoted = !quoted
			inWord = true
		case (c == ' ' || c == '\t') && !quoted:
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quoted {
		return nil, fmt.Errorf("unterminated quote")
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}

// iptRule converts the options of one "-A CHAIN …" line.
func iptRule(args []string, family Family, chains map[string]*FirewallChain, prefix string) FirewallRule {
	r := FirewallRule{Family: family}
	neg := false
	next := func(i *int) string {
		if *i+1 < len(args) {
			*i++
			return args[*i]
		}
		return ""
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "!" {
			neg = true
			continue
		}
		switch a {
		case "-s", "--source", "--src-range":
			for _, v := range strings.Split(next(&i), ",") {
				ps, ok := parseAddrText(v)
				if !ok {
					r.Uncertain = append(r.Uncertain, a+" "+v)
					continue
				}
				r.Sources = append(r.Sources, ps...)
			}
			r.NotSources = neg
		case "-p", "--protocol":
			setProto(&r, []string{next(&i)}, neg)
		case "-i", "--in-interface":
			r.InIface, r.NotInIface = next(&i), neg
		case "--dport", "--destination-port", "--dports", "--destination-ports":
			for _, v := range strings.Split(next(&i), ",") {
				pr, ok := parsePortText(v)
				if !ok {
					r.Uncertain = append(r.Uncertain, a+" "+v)
					continue
				}
				r.Ports = append(r.Ports, pr)
			}
			r.NotPorts = neg
		case "--ctstate", "--state":
			hasNew := false
			for _, v := range strings.Split(next(&i), ",") {
				hasNew = hasNew || v == "NEW"
			}
			if hasNew == neg {
				r.NeverNew = true
			}
		case "-m", "--match":
			next(&i) // the match module; its options follow
		case "--comment", "--set-counters", "-c":
			next(&i)
			if a == "-c" {
				next(&i)
			}
		case "-j", "--jump", "-g", "--goto":
			iptTarget(&r, next(&i), chains, prefix)
		default:
			if strings.HasPrefix(a, "-") {
				// An option this parser does not evaluate (-d, --sport,
				// limits, marks, sets…): note it with its value.
				v := ""
				if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && args[i+1] != "!" {
					v = " " + next(&i)
				}
				r.Uncertain = append(r.Uncertain, a+v)
			}
		}
		neg = false
	}
	return r
}

func iptTarget(r *FirewallRule, t string, chains map[string]*FirewallChain, prefix string) {
	switch t {
	case "ACCEPT":
		r.Verdict = VerdictAccept
	case "DROP", "REJECT":
		r.Verdict = VerdictDrop
	case "RETURN":
		r.Verdict = VerdictReturn
	case "LOG", "NFLOG", "ULOG", "":
	default:
		if chains[t] != nil {
			r.Verdict, r.Target = VerdictJump, prefix+t
			return
		}
		r.Uncertain = append(r.Uncertain, "target "+t)
	}
}

// MergeFirewalls joins the rulesets of one host read from nftables and
// from iptables-save: the iptables rules replace the nftables tables they
// are shown in (iptables-nft keeps its rules in nftables tables "ip filter"
// and "ip6 filter" with opaque xtables expressions), and every other
// nftables table is kept. Nil arguments are skipped.
func MergeFirewalls(nft *HostFirewall, ipts ...*HostFirewall) *HostFirewall {
	var out *HostFirewall
	has := false
	for _, ip := range ipts {
		if ip != nil && len(ip.Base) > 0 {
			has = true
		}
	}
	if nft != nil {
		out = &HostFirewall{Backend: nft.Backend}
		keep := func(c FirewallChain) bool {
			return !has || !(strings.HasPrefix(c.Name, "ip filter ") || strings.HasPrefix(c.Name, "ip6 filter "))
		}
		for _, c := range nft.Base {
			if keep(c) {
				out.Base = append(out.Base, c)
			}
		}
		for _, c := range nft.Chains {
			if keep(c) {
				out.Chains = append(out.Chains, c)
			}
		}
	}
	for _, ip := range ipts {
		if ip == nil || len(ip.Base) == 0 {
			continue
		}
		if out == nil {
			out = &HostFirewall{Backend: ip.Backend}
		} else if !strings.Contains(out.Backend, ip.Backend) {
			out.Backend += "+" + ip.Backend
		}
		out.Base = append(out.Base, ip.Base...)
		out.Chains = append(out.Chains, ip.Chains...)
	}
	return out
}
