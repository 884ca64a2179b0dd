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
		slices.SortStableFunc(m.Affected, compareAffected)
		m.Affected = slices.CompactFunc(m.Affected, func(a, b osv.Affected) bool { return compareAffected(a, b) == 0 })
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *osv.Record) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// compareAffected orders affected entries by branch, package name and
// first fixed version, the parts this package's records differ by.
func compareAffected(a, b osv.Affected) int {
	return cmp.Or(
		compareBranch(a.Package.Ecosystem, b.Package.Ecosystem),
		strings.Compare(a.Package.Name, b.Package.Name),
		strings.Compare(fixedOf(a), fixedOf(b)),
		strings.Compare(a.Package.PURL, b.Package.PURL),
	)
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

// compareBranch orders "Alpine:v3.9" before "Alpine:v3.10", numbered
// branches before "edge", and anything else by string.
func compareBranch(a, b string) int {
	na, okA := branchNumbers(a)
	nb, okB := branchNumbers(b)
	switch {
	case okA && okB:
		return cmp.Or(slices.Compare(na, nb), strings.Compare(a, b))
	case okA:
		return -1
	case okB:
		return 1
	}
	return strings.Compare(a, b)
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
