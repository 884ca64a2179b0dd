package exposure

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func set(rs ...PortRange) PortSet {
	var s PortSet
	for _, r := range rs {
		s = s.Union(Ports(r.Lo, r.Hi))
	}
	return s
}

func TestPortSetOps(t *testing.T) {
	tests := []struct {
		name     string
		a, b     PortSet
		union    string
		inter    string
		subtract string
	}{
		{"empty", PortSet{}, PortSet{}, "none", "none", "none"},
		{"adjacent merge", set(PortRange{8000, 8080}), set(PortRange{8081, 8090}), "8000-8090", "none", "8000-8080"},
		{"overlap", set(PortRange{20, 30}), set(PortRange{25, 40}), "20-40", "25-30", "20-24"},
		{"hole", AllPorts(), set(PortRange{8085, 8085}), "0-65535", "8085", "0-8084,8086-65535"},
		{"many", set(PortRange{1, 5}, PortRange{10, 15}, PortRange{20, 25}), set(PortRange{3, 12}, PortRange{24, 30}),
			"1-15,20-30", "3-5,10-12,24-25", "1-2,13-15,20-23"},
		{"disjoint", set(PortRange{22, 22}), set(PortRange{443, 443}), "22,443", "none", "22"},
		{"edges", set(PortRange{0, 0}, PortRange{65535, 65535}), AllPorts(), "0-65535", "0,65535", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []string{tt.a.Union(tt.b).String(), tt.a.Intersect(tt.b).String(), tt.a.Subtract(tt.b).String()}
			want := []string{tt.union, tt.inter, tt.subtract}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("union, intersect, subtract (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPortsClamp(t *testing.T) {
	if got := Ports(-5, 70000).String(); got != "0-65535" {
		t.Errorf("got %s", got)
	}
	if !Ports(10, 5).Empty() {
		t.Error("inverted range not empty")
	}
	s := set(PortRange{10, 20}, PortRange{30, 40})
	if s.Len() != 22 || !s.Contains(30) || s.Contains(25) || s.Contains(41) {
		t.Errorf("Len/Contains wrong for %s", s)
	}
}

// TestPortSetAgainstBitmap checks the interval operations against a
// per-port model on pseudo-random sets.
func TestPortSetAgainstBitmap(t *testing.T) {
	seed := uint32(1)
	rnd := func(n int) int { seed = seed*1664525 + 1013904223; return int(seed>>8) % n }
	gen := func() (PortSet, map[int]bool) {
		var s PortSet
		m := map[int]bool{}
		for range rnd(6) {
			lo := rnd(200)
			hi := lo + rnd(30)
			s = s.Union(Ports(lo, hi))
			for p := lo; p <= hi; p++ {
				m[p] = true
			}
		}
		return s, m
	}
	for range 500 {
		a, am := gen()
		b, bm := gen()
		u, i, d := a.Union(b), a.Intersect(b), a.Subtract(b)
		for p := 0; p < 260; p++ {
			if u.Contains(p) != (am[p] || bm[p]) || i.Contains(p) != (am[p] && bm[p]) || d.Contains(p) != (am[p] && !bm[p]) {
				t.Fatalf("port %d: a=%s b=%s u=%s i=%s d=%s", p, a, b, u, i, d)
			}
		}
		for _, s := range []PortSet{u, i, d} {
			rs := s.Ranges()
			for k := 1; k < len(rs); k++ {
				if rs[k].Lo <= rs[k-1].Hi+1 {
					t.Fatalf("not normalised: %s", s)
				}
			}
		}
	}
}
