package probe

import (
	"fmt"
	"strconv"
	"strings"
)

// PortSpecError is an unreadable --ports value.
type PortSpecError struct{ Spec, Why string }

func (e *PortSpecError) Error() string { return fmt.Sprintf("ports %q: %s", e.Spec, e.Why) }

// ParsePorts reads a port list like nmap's -p: "22,80,8000-8100", "-" or
// "1-65535" for every port, "-1024" for 1-1024, "60000-" for 60000-65535.
// The answer is sorted and without duplicates.
func ParsePorts(spec string) ([]int, error) {
	seen := make([]bool, 65536)
	n := 0
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, &PortSpecError{Spec: spec, Why: "empty item"}
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, b := 1, 65535
		var err error
		if lo != "" {
			if a, err = strconv.Atoi(lo); err != nil {
				return nil, &PortSpecError{Spec: spec, Why: "not a port: " + lo}
			}
		}
		if !isRange {
			b = a
		} else if hi != "" {
			if b, err = strconv.Atoi(hi); err != nil {
				return nil, &PortSpecError{Spec: spec, Why: "not a port: " + hi}
			}
		}
		if a < 1 || b > 65535 || a > b {
			return nil, &PortSpecError{Spec: spec, Why: fmt.Sprintf("range %d-%d outside 1-65535", a, b)}
		}
		for p := a; p <= b; p++ {
			if !seen[p] {
				seen[p] = true
				n++
			}
		}
	}
	out := make([]int, 0, n)
	for p, ok := range seen {
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}
