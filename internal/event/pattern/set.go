package pattern

import (
	"strings"
	"sync"
)

// Set holds named patterns (rules) and finds the ones an event matches.
// Each pattern that requires an exact string value at a top-level field
// (detail-type, source, or another) is indexed under that field and value,
// so an event is tested only against the rules that name its values, plus
// the rules that could not be indexed. A Set is safe for concurrent use.
type Set struct {
	mu    sync.RWMutex
	rules map[string]*entry
	// index[field][value] lists the rules requiring that value.
	index map[string]map[string][]*entry
	// fields lists the indexed fields (paths joined by NUL), in the order
	// they are looked up; paths holds each one split.
	fields []string
	paths  [][]string
	// rest are rules with no indexable field.
	rest []*entry
}

type entry struct {
	name string
	p    *Pattern
}

// preferredKeys are tried first when choosing the field to index a rule
// by: the ones vigil's rules almost always name.
var preferredKeys = []string{"detail-type", "source", "account", "region"}

// NewSet returns an empty set.
func NewSet() *Set {
	return &Set{rules: map[string]*entry{}, index: map[string]map[string][]*entry{}}
}

// Len is the number of rules in the set.
func (s *Set) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.rules)
}

// Add adds or replaces the rule called name.
func (s *Set) Add(name string, p *Pattern) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.rules[name]; ok {
		s.removeLocked(name)
	}
	e := &entry{name: name, p: p}
	s.rules[name] = e
	key, values := indexKey(p.root)
	if key == "" {
		s.rest = append(s.rest, e)
		return
	}
	m := s.index[key]
	if m == nil {
		m = map[string][]*entry{}
		s.index[key] = m
		s.fields = append(s.fields, key)
		s.paths = append(s.paths, strings.Split(key, "\x00"))
	}
	done := map[string]bool{}
	for _, v := range values {
		if !done[v] {
			done[v] = true
			m[v] = append(m[v], e)
		}
	}
}

// Remove deletes the rule called name, if present.
func (s *Set) Remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeLocked(name)
}

func (s *Set) removeLocked(name string) {
	e, ok := s.rules[name]
	if !ok {
		return
	}
	delete(s.rules, name)
	s.rest = without(s.rest, e)
	for _, m := range s.index {
		for v, list := range m {
			list = without(list, e)
			if len(list) == 0 {
				delete(m, v)
			} else {
				m[v] = list
			}
		}
	}
}

func without(list []*entry, e *entry) []*entry {
	out := list[:0]
	for _, x := range list {
		if x != e {
			out = append(out, x)
		}
	}
	for i := len(out); i < len(list); i++ {
		list[i] = nil
	}
	return out
}

// maxIndexDepth bounds how deep indexKey looks for an indexable field.
const maxIndexDepth = 6

// indexKey picks a field, reached from the top through plain nested
// objects (no $or on the way), whose match list holds only exact strings:
// every event the rule matches has one of those strings among the leaf
// values at that path. The deepest such field is usually the most
// selective ("detail.severity" rather than "source"); ties go to the
// shorter list, then to the preferred keys, then to the path's name.
func indexKey(root *node) (string, []string) {
	type cand struct {
		path  []string
		vals  []string
		depth int
	}
	var best *cand
	better := func(c *cand) bool {
		if best == nil {
			return true
		}
		if c.depth != best.depth {
			return c.depth > best.depth
		}
		if len(c.vals) != len(best.vals) {
			return len(c.vals) < len(best.vals)
		}
		pc, pb := prefRank(c.path), prefRank(best.path)
		if pc != pb {
			return pc < pb
		}
		return strings.Join(c.path, "\x00") < strings.Join(best.path, "\x00")
	}
	var walk func(n *node, path []string)
	walk = func(n *node, path []string) {
		for _, f := range n.fields {
			p := append(append([]string(nil), path...), f.key)
			if f.child != nil {
				if len(p) < maxIndexDepth {
					walk(f.child, p)
				}
				continue
			}
			if f.leaf.absent {
				continue
			}
			vals := make([]string, 0, len(f.leaf.ms))
			ok := true
			for _, m := range f.leaf.ms {
				if m.k != kString {
					ok = false
					break
				}
				vals = append(vals, m.s)
			}
			if !ok {
				continue
			}
			c := &cand{path: p, vals: vals, depth: len(p)}
			if p[0] == "source" && len(p) == 1 {
				c.depth = 0 // one source ("vigil") for every event: the least selective
			}
			if better(c) {
				best = c
			}
		}
	}
	walk(root, nil)
	if best == nil {
		return "", nil
	}
	return strings.Join(best.path, "\x00"), best.vals
}

func prefRank(path []string) int {
	if len(path) == 1 {
		for i, k := range preferredKeys {
			if path[0] == k {
				return i
			}
		}
	}
	return len(preferredKeys)
}

// leafStrings calls fn with every string leaf value of obj at path
// (arrays flattened at any level), until fn returns false.
func leafStrings(v any, path []string, fn func(string)) {
	if len(path) == 0 {
		switch x := v.(type) {
		case string:
			fn(x)
		case []any:
			eachScalar(x, func(e any) bool {
				if s, ok := e.(string); ok {
					fn(s)
				}
				return true
			})
		}
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if c, ok := x[path[0]]; ok {
			leafStrings(c, path[1:], fn)
		}
	case []any:
		eachObject(x, func(o map[string]any) bool {
			if c, ok := o[path[0]]; ok {
				leafStrings(c, path[1:], fn)
			}
			return true
		})
	}
}

// Matches appends to dst the names of the rules ev matches, in no
// particular order, and returns it. Calls may run concurrently.
func (s *Set) Matches(ev *Event, dst []string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var root any = ev.root
	for i, key := range s.fields {
		m := s.index[key]
		path := s.paths[i]
		var buf [4][]*entry
		lists := buf[:0]
		leafStrings(root, path, func(v string) {
			if l := m[v]; len(l) > 0 {
				lists = append(lists, l)
			}
		})
		switch len(lists) {
		case 0:
			continue
		case 1:
			for _, e := range lists[0] {
				if e.p.MatchEvent(ev) {
					dst = append(dst, e.name)
				}
			}
			continue
		}
		// Several values: a rule listing two of them is found twice.
		seen := map[*entry]bool{}
		for _, l := range lists {
			for _, e := range l {
				if seen[e] {
					continue
				}
				seen[e] = true
				if e.p.MatchEvent(ev) {
					dst = append(dst, e.name)
				}
			}
		}
	}
	for _, e := range s.rest {
		if e.p.MatchEvent(ev) {
			dst = append(dst, e.name)
		}
	}
	return dst
}
