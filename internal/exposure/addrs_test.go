package exposure

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func rangesText(rs []addrRange) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.lo.String()+"-"+r.hi.String())
	}
	return out
}

func TestLastAddr(t *testing.T) {
	tests := map[string]string{
		"10.0.0.0/8":        "10.255.255.255",
		"0.0.0.0/0":         "255.255.255.255",
		"192.0.2.7/32":      "192.0.2.7",
		"2600:1f18::/56":    "2600:1f18:0:ff:ffff:ffff:ffff:ffff",
		"::/0":              "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"2001:db8::1/128":   "2001:db8::1",
		"198.51.100.128/25": "198.51.100.255",
	}
	for in, want := range tests {
		if got := lastAddr(netip.MustParsePrefix(in).Masked()).String(); got != want {
			t.Errorf("lastAddr(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestAtomize(t *testing.T) {
	src := []addrRange{prefixRange(netip.MustParsePrefix("10.0.0.0/16")), prefixRange(netip.MustParsePrefix("2001:db8::/32"))}
	cuts := []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/0"),
		netip.MustParsePrefix("10.0.1.0/24"),
		netip.MustParsePrefix("10.0.1.128/25"),
		netip.MustParsePrefix("2001:db8:1::/48"),
		netip.MustParsePrefix("172.16.0.0/12"),
	}
	want := []string{
		"10.0.0.0-10.0.0.255", "10.0.1.0-10.0.1.127", "10.0.1.128-10.0.1.255", "10.0.2.0-10.0.255.255",
		"2001:db8::-2001:db8:0:ffff:ffff:ffff:ffff:ffff", "2001:db8:1::-2001:db8:1:ffff:ffff:ffff:ffff:ffff",
		"2001:db8:2::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
	}
	if diff := cmp.Diff(want, rangesText(atomize(src, cuts))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestInternetSource(t *testing.T) {
	src := internetSource()
	in := func(s string) bool {
		a := netip.MustParseAddr(s)
		for _, r := range src {
			if r.contains(a) {
				return true
			}
		}
		return false
	}
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "203.0.113.9": true, "10.1.2.3": false, "172.20.0.1": false, "192.168.1.1": false,
		"100.64.0.1": false, "127.0.0.1": false, "224.0.0.1": false, "2600::1": true, "fd00::1": false, "fe80::1": false,
	} {
		if in(addr) != want {
			t.Errorf("%s in internet source = %v, want %v", addr, !want, want)
		}
	}
}

func TestMergeRanges(t *testing.T) {
	rs := prefixesToRanges([]netip.Prefix{
		netip.MustParsePrefix("10.0.1.0/24"), netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("10.0.0.128/25"),
		netip.MustParsePrefix("10.0.3.0/24"),
	})
	want := []string{"10.0.0.0-10.0.1.255", "10.0.3.0-10.0.3.255"}
	if diff := cmp.Diff(want, rangesText(mergeRanges(rs))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
