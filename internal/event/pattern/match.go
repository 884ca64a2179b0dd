package pattern

import (
	"net/netip"
	"strings"
)

// Match parses event and reports whether the pattern matches it.
func (p *Pattern) Match(event []byte) (bool, error) {
	ev, err := ParseEvent(event)
	if err != nil {
		return false, err
	}
	return p.MatchEvent(ev), nil
}

// MatchEvent reports whether the pattern matches a parsed event.
func (p *Pattern) MatchEvent(ev *Event) bool { return matchNode(p.root, ev.root) }

func matchNode(n *node, obj map[string]any) bool {
	for i := range n.fields {
		f := &n.fields[i]
		v, ok := obj[f.key]
		if !ok {
			if !absentOK(f) {
				return false
			}
			continue
		}
		if !matchField(f, v) {
			return false
		}
	}
	for _, group := range n.ors {
		hit := false
		for _, b := range group {
			if matchNode(b, obj) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// absentOK reports whether a field the event lacks satisfies f: only
// {"exists": false} (at every leaf below) does.
func absentOK(f *field) bool {
	if f.leaf != nil {
		return f.leaf.absent
	}
	return absentNode(f.child)
}

func absentNode(n *node) bool {
	for i := range n.fields {
		if !absentOK(&n.fields[i]) {
			return false
		}
	}
	for _, group := range n.ors {
		hit := false
		for _, b := range group {
			if absentNode(b) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

func matchField(f *field, v any) bool {
	if f.leaf != nil {
		return matchLeaf(f.leaf, v)
	}
	switch x := v.(type) {
	case map[string]any:
		return matchNode(f.child, x)
	case []any:
		found := false
		hit := false
		eachObject(x, func(o map[string]any) bool {
			found = true
			if matchNode(f.child, o) {
				hit = true
				return false
			}
			return true
		})
		if !found {
			return absentNode(f.child)
		}
		return hit
	}
	// A scalar where the pattern expects an object: nothing below it.
	return absentNode(f.child)
}

// eachObject calls fn for every object in arr (nested arrays flattened)
// until fn returns false.
func eachObject(arr []any, fn func(map[string]any) bool) bool {
	for _, e := range arr {
		switch x := e.(type) {
		case map[string]any:
			if !fn(x) {
				return false
			}
		case []any:
			if !eachObject(x, fn) {
				return false
			}
		}
	}
	return true
}

func matchLeaf(l *leaf, v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return l.absent // not a leaf
	case []any:
		seen := false
		hit := false
		eachScalar(x, func(s any) bool {
			seen = true
			if matchAny(l, s) {
				hit = true
				return false
			}
			return true
		})
		if !seen {
			return l.absent // an empty array (or only objects) has no leaf value
		}
		return hit
	}
	return matchAny(l, v)
}

func eachScalar(arr []any, fn func(any) bool) bool {
	for _, e := range arr {
		switch x := e.(type) {
		case map[string]any:
		case []any:
			if !eachScalar(x, fn) {
				return false
			}
		default:
			if !fn(x) {
				return false
			}
		}
	}
	return true
}

func matchAny(l *leaf, v any) bool {
	for i := range l.ms {
		if matchValue(&l.ms[i], v) {
			return true
		}
	}
	return false
}

// matchValue tests one leaf value of the event (string, num, bool, nil).
func matchValue(m *matcher, v any) bool {
	switch m.k {
	case kString:
		s, ok := v.(string)
		return ok && s == m.s
	case kNumber:
		n, ok := v.(num)
		return ok && numEqual(n, m)
	case kTrue:
		b, ok := v.(bool)
		return ok && b
	case kFalse:
		b, ok := v.(bool)
		return ok && !b
	case kNull:
		return v == nil
	case kPrefix:
		s, ok := v.(string)
		return ok && strings.HasPrefix(s, m.s)
	case kSuffix:
		s, ok := v.(string)
		return ok && strings.HasSuffix(s, m.s)
	case kPrefixFold:
		s, ok := v.(string)
		return ok && hasPrefixFold(s, m.s)
	case kSuffixFold:
		s, ok := v.(string)
		return ok && hasSuffixFold(s, m.s)
	case kEqualsFold:
		s, ok := v.(string)
		return ok && strings.EqualFold(s, m.s)
	case kWildcard:
		s, ok := v.(string)
		return ok && wildcardMatch(m.wc, s)
	case kNumeric:
		n, ok := v.(num)
		return ok && n.mok && inRange(m, n.mi)
	case kExists:
		return m.n == 1 // a leaf value is present
	case kCIDR:
		s, ok := v.(string)
		if !ok {
			return false
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return false
		}
		if m.pfx.Addr().Is4() {
			a = a.Unmap()
		}
		return m.pfx.Contains(a)
	case kAnythingBut:
		return matchBut(m.but, v)
	}
	return false
}

// numEqual compares numbers by value: at EventBridge's resolution of six
// decimals within ±NumericLimit, exactly beyond, by text when the event's
// number does not parse.
func numEqual(n num, m *matcher) bool {
	switch {
	case n.mok && m.mok:
		return n.mi == m.mi
	case n.ok:
		return n.f == m.n
	}
	return n.raw == m.s
}

func inRange(m *matcher, f int64) bool {
	if m.lo.set {
		if m.lo.equal {
			return f == m.lo.v
		}
		if f < m.lo.v || (f == m.lo.v && !m.lo.incl) {
			return false
		}
	}
	if m.hi.set {
		if f > m.hi.v || (f == m.hi.v && !m.hi.incl) {
			return false
		}
	}
	return true
}

// matchBut is anything-but: true for any leaf value that is not excluded.
// Values of another type than the excluded ones are not excluded.
func matchBut(b *butSet, v any) bool {
	s, isStr := v.(string)
	switch b.op {
	case kPrefix:
		return !isStr || !strings.HasPrefix(s, b.prefix)
	case kSuffix:
		return !isStr || !strings.HasSuffix(s, b.suffix)
	case kEqualsFold:
		if !isStr {
			return true
		}
		for _, f := range b.fold {
			if strings.EqualFold(s, f) {
				return false
			}
		}
		return true
	case kWildcard:
		if !isStr {
			return true
		}
		for _, w := range b.wild {
			if wildcardMatch(w, s) {
				return false
			}
		}
		return true
	}
	if isStr {
		for _, x := range b.strs {
			if s == x {
				return false
			}
		}
		return true
	}
	if n, ok := v.(num); ok && n.ok {
		for _, x := range b.nums {
			xm, xok := micro(x)
			if (n.mok && xok && n.mi == xm) || (!(n.mok && xok) && n.f == x) {
				return false
			}
		}
	}
	return true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// wildcardMatch matches s against pieces split at '*': the first piece is
// a prefix, the last a suffix, and the middle ones occur in order between.
func wildcardMatch(pieces []string, s string) bool {
	if len(pieces) == 1 {
		return s == pieces[0]
	}
	first, last := pieces[0], pieces[len(pieces)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	mid := s[len(first) : len(s)-len(last)]
	for _, p := range pieces[1 : len(pieces)-1] {
		i := strings.Index(mid, p)
		if i < 0 {
			return false
		}
		mid = mid[i+len(p):]
	}
	return true
}
