package alpine

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/osv"
)

// MergeSecDB merges the records of several secdb files (for instance main
// and community of every branch) so that each id appears once, holding the
// affected entries, upstream ids and references of all its inputs. The
// result is sorted by id; affected entries are sorted by branch (v3.9
// before v3.10), package and fixed version, and entries equal in all of
// these (and purl) are kept once.
// The inputs are not modified.
func MergeSecDB(recs ...[]*osv.Record) []*osv.Record {
	byID := map[string]*osv.Record{}
	for _, list := range recs {
		for _, r := range list {
			if r == nil {
				continue
			}
			m := byID[r.ID]
			if m == nil {
				m = &osv.Record{ID: r.ID, Modified: r.Modified, Published: r.Published}
				byID[r.ID] = m
			}
			if r.Modified.After(m.Modified) {
				m.Modified = r.Modified
			}
			for _, u := range r.Upstream {
				if !slices.Contains(m.Upstream, u) {
					m.Upstream = append(m.Upstream, u)
				}
			}
			for _, ref := range r.References {
				if !slices.Contains(m.References, ref) {
					m.References = append(m.References, ref)
				}
			}
			m.Affected = append(m.Affected, r.Affected...)
		}
	}
	out := make([]*osv.Record, 0, len(byID))
	for _, m := range byID {
		m.Affected = sortAffected(m.Affected)
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *osv.Record) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// sortKey is what affected entries are ordered and deduplicated by.
type sortKey struct {
	branch   []int // Alpine branch numbers, nil when not numbered
	eco      string
	name     string
	fixed    string
	purl     string
	affected osv.Affected
}

// sortAffected orders affected entries by branch, package name and first
// fixed version, and keeps one of each run of equal keys.
func sortAffected(as []osv.Affected) []osv.Affected {
	keys := make([]sortKey, len(as))
	for i, a := range as {
		nums, _ := branchNumbers(a.Package.Ecosystem)
		keys[i] = sortKey{nums, a.Package.Ecosystem, a.Package.Name, fixedOf(a), a.Package.PURL, a}
	}
	slices.SortStableFunc(keys, compareKeys)
	keys = slices.CompactFunc(keys, func(a, b sortKey) bool { return compareKeys(a, b) == 0 })
	out := make([]osv.Affected, len(keys))
	for i, k := range keys {
		out[i] = k.affected
	}
	return out
}

// compareKeys orders "Alpine:v3.9" before "Alpine:v3.10", numbered branches
// before others ("edge"), then by name, fixed version and purl.
func compareKeys(a, b sortKey) int {
	branch := strings.Compare(a.eco, b.eco)
	switch {
	case a.branch != nil && b.branch != nil:
		branch = cmp.Or(slices.Compare(a.branch, b.branch), branch)
	case a.branch != nil:
		branch = -1
	case b.branch != nil:
		branch = 1
	}
	return cmp.Or(branch, strings.Compare(a.name, b.name), strings.Compare(a.fixed, b.fixed), strings.Compare(a.purl, b.purl))
}

func fixedOf(a osv.Affected) string {
	for _, rg := range a.Ranges {
		for _, ev := range rg.Events {
			if ev.Fixed != "" {
				return ev.Fixed
			}
		}
	}
	return ""
}

func branchNumbers(eco string) ([]int, bool) {
	v, ok := strings.CutPrefix(eco, "Alpine:v")
	if !ok {
		return nil, false
	}
	var nums []int
	for p := range strings.SplitSeq(v, ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, false
		}
		nums = append(nums, n)
	}
	return nums, true
}
