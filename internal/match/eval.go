package match

import (
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/version"
)

// contains evaluates OSV's IncludedInRanges for one range: v is affected
// when it lies below one of the limits (if any) and the last event at or
// below it, walking the sorted events, is an introduced one. at is the
// index of that introduced event when v is affected.
func (r *vrange) contains(v version.Version) (at int, ok bool) {
	if len(r.limits) > 0 {
		below := false
		for _, l := range r.limits {
			if v.Compare(l) < 0 {
				below = true
				break
			}
		}
		if !below {
			return 0, false
		}
	}
	affected := false
	at = -1
	for i := range r.events {
		e := &r.events[i]
		switch e.kind {
		case evIntroduced:
			if e.v == nil || v.Compare(e.v) >= 0 {
				affected, at = true, i
			}
		case evFixed:
			if v.Compare(e.v) >= 0 {
				affected = false
			}
		case evLastAffected:
			if v.Compare(e.v) > 0 {
				affected = false
			}
		}
	}
	return at, affected
}

// upper returns the first fixed or last_affected event after index at,
// the end of the interval that contains an affected version; nil when the
// interval is open.
func (r *vrange) upper(at int) *event {
	for i := at + 1; i < len(r.events); i++ {
		if k := r.events[i].kind; k == evFixed || k == evLastAffected {
			return &r.events[i]
		}
	}
	return nil
}

// description returns the precomputed text of the interval opened by the
// introduced event at index at.
func (r *vrange) description(at int) string {
	if at >= 0 && at < len(r.descs) && r.descs[at] != "" {
		return r.descs[at]
	}
	return r.describe(at)
}

// describe renders the interval starting at event index at, in the form
// Evidence.Range uses: "[introduced 0, fixed 1.2.3)".
func (r *vrange) describe(at int) string {
	var b strings.Builder
	b.WriteString("[introduced ")
	if e := r.events[at]; e.v == nil {
		b.WriteString("0")
	} else {
		b.WriteString(e.v.String())
	}
	switch u := r.upper(at); {
	case u == nil:
		b.WriteString(", no fix)")
	case u.kind == evFixed:
		b.WriteString(", fixed " + u.v.String() + ")")
	default:
		b.WriteString(", last_affected " + u.v.String() + "]")
	}
	if len(r.limits) > 0 {
		b.WriteString(" limit")
		for _, l := range r.limits {
			b.WriteString(" " + l.String())
		}
	}
	return b.String()
}

// inVersions reports whether raw is listed in the sorted versions list
// (OSV's IncludedInVersions: an exact string match).
func inVersions(list []string, raw string) bool {
	if len(list) == 0 {
		return false
	}
	_, found := slices.BinarySearch(list, raw)
	return found
}
