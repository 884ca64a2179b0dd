package pattern

import "sync"

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
	// fields lists the indexed fields, in the order they are looked up.
	fields []string
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

// indexKey picks a top-level field whose match list holds only exact
// strings: every event the rule matches has one of those strings there.
func indexKey(n *node) (string, []string) {
	candidates := map[string][]string{}
	for _, f := range n.fields {
		if f.leaf == nil || f.leaf.absent {
			continue
		}
		var vals []string
		ok := true
		for _, m := range f.leaf.ms {
			if m.k != kString {
				ok = false
				break
			}
			vals = append(vals, m.s)
		}
		if ok {
			candidates[f.key] = vals
		}
	}
	for _, k := range preferredKeys {
		if v, ok := candidates[k]; ok {
			return k, v
		}
	}
	for _, f := range n.fields { // fields are sorted: a stable choice
		if v, ok := candidates[f.key]; ok {
			return f.key, v
		}
	}
	return "", nil
}

// Matches appends to dst the names of the rules ev matches, in no
// particular order, and returns it. Calls may run concurrently.
func (s *Set) Matches(ev *Event, dst []string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, key := range s.fields {
		m := s.index[key]
		switch v := ev.root[key].(type) {
		case string:
			for _, e := range m[v] {
				if e.p.MatchEvent(ev) {
					dst = append(dst, e.name)
				}
			}
		case []any:
			// A rule listing two values the array holds is found twice.
			var seen map[*entry]bool
			eachScalar(v, func(x any) bool {
				str, ok := x.(string)
				if !ok {
					return true
				}
				for _, e := range m[str] {
					if seen[e] {
						continue
					}
					if seen == nil {
						seen = map[*entry]bool{}
					}
					seen[e] = true
					if e.p.MatchEvent(ev) {
						dst = append(dst, e.name)
					}
				}
				return true
			})
		}
	}
	for _, e := range s.rest {
		if e.p.MatchEvent(ev) {
			dst = append(dst, e.name)
		}
	}
	return dst
}
