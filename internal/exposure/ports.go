package exposure

import (
	"strconv"
	"strings"
)

// MaxPort is the highest TCP/UDP port.
const MaxPort = 65535

// PortRange is an inclusive range of ports, Lo <= Hi.
type PortRange struct {
	Lo int `json:"from"`
	Hi int `json:"to"`
}

// String renders "22" for a single port and "8000-8080" for a range.
func (r PortRange) String() string {
	if r.Lo == r.Hi {
		return strconv.Itoa(r.Lo)
	}
	return strconv.Itoa(r.Lo) + "-" + strconv.Itoa(r.Hi)
}

// Len is the number of ports in r.
func (r PortRange) Len() int { return r.Hi - r.Lo + 1 }

// PortSet is a set of ports held as sorted, disjoint, non-adjacent ranges.
// The zero value is the empty set. Operations never modify their operands.
type PortSet struct {
	r []PortRange
}

// AllPorts is 0-65535.
func AllPorts() PortSet { return PortSet{r: []PortRange{{0, MaxPort}}} }

// Ports returns the set of lo..hi, clamped to 0..65535; empty when lo > hi.
func Ports(lo, hi int) PortSet {
	lo, hi = max(lo, 0), min(hi, MaxPort)
	if lo > hi {
		return PortSet{}
	}
	return PortSet{r: []PortRange{{lo, hi}}}
}

// Empty reports whether s holds no port.
func (s PortSet) Empty() bool { return len(s.r) == 0 }

// Ranges returns the ranges of s in ascending order. The slice must not be
// modified.
func (s PortSet) Ranges() []PortRange { return s.r }

// Len is the number of ports in s.
func (s PortSet) Len() int {
	n := 0
	for _, r := range s.r {
		n += r.Len()
	}
	return n
}

// Contains reports whether p is in s.
func (s PortSet) Contains(p int) bool {
	for _, r := range s.r {
		if p < r.Lo {
			return false
		}
		if p <= r.Hi {
			return true
		}
	}
	return false
}

// Union returns s ∪ t.
func (s PortSet) Union(t PortSet) PortSet {
	if s.Empty() {
		return t
	}
	if t.Empty() {
		return s
	}
	out := make([]PortRange, 0, len(s.r)+len(t.r))
	i, j := 0, 0
	for i < len(s.r) || j < len(t.r) {
		var next PortRange
		if j >= len(t.r) || (i < len(s.r) && s.r[i].Lo <= t.r[j].Lo) {
			next = s.r[i]
			i++
		} else {
			next = t.r[j]
			j++
		}
		if n := len(out); n > 0 && next.Lo <= out[n-1].Hi+1 {
			out[n-1].Hi = max(out[n-1].Hi, next.Hi)
			continue
		}
		out = append(out, next)
	}
	return PortSet{r: out}
}

// Intersect returns s ∩ t.
func (s PortSet) Intersect(t PortSet) PortSet {
	var out []PortRange
	i, j := 0, 0
	for i < len(s.r) && j < len(t.r) {
		lo, hi := max(s.r[i].Lo, t.r[j].Lo), min(s.r[i].Hi, t.r[j].Hi)
		if lo <= hi {
			out = append(out, PortRange{lo, hi})
		}
		if s.r[i].Hi < t.r[j].Hi {
			i++
		} else {
			j++
		}
	}
	return PortSet{r: out}
}

// Subtract returns s \ t.
func (s PortSet) Subtract(t PortSet) PortSet {
	if s.Empty() || t.Empty() {
		return s
	}
	var out []PortRange
	j := 0
	for _, r := range s.r {
		lo := r.Lo
		for j < len(t.r) && t.r[j].Hi < lo {
			j++
		}
		k := j
		for k < len(t.r) && t.r[k].Lo <= r.Hi {
			if t.r[k].Lo > lo {
				out = append(out, PortRange{lo, t.r[k].Lo - 1})
			}
			lo = t.r[k].Hi + 1
			k++
		}
		if lo <= r.Hi {
			out = append(out, PortRange{lo, r.Hi})
		}
	}
	return PortSet{r: out}
}

// Overlaps reports whether s ∩ t is not empty.
func (s PortSet) Overlaps(t PortSet) bool { return !s.Intersect(t).Empty() }

// String renders the set as "22,80,8000-8080"; "none" when empty.
func (s PortSet) String() string {
	if s.Empty() {
		return "none"
	}
	parts := make([]string, len(s.r))
	for i, r := range s.r {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}
