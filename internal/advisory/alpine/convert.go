package alpine

import (
	"cmp"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/osv"
)

// fix is one (package, fixed version) of an issue.
type fix struct{ pkg, version string }

// issue gathers what one file says about one issue id.
type issue struct {
	upstream []string
	fixes    []fix
}

// convert turns a decoded secdb file into records sorted by id.
func convert(db *secDB) ([]*osv.Record, error) {
	if !validBranch(db.DistroVersion) {
		return nil, &ParseError{Reason: "distroversion " + quote(db.DistroVersion) + " is not a branch like v3.10 or edge"}
	}
	if len(db.Packages) > MaxPackages {
		return nil, &ParseError{Reason: "more than the allowed number of packages"}
	}
	eco := "Alpine:" + db.DistroVersion
	issues := map[string]*issue{}
	n := 0
	for i := range db.Packages {
		p := &db.Packages[i].Pkg
		if !validName(p.Name) {
			return nil, &ParseError{Reason: "invalid package name " + quote(p.Name)}
		}
		for version, entries := range p.Secfixes {
			n += len(entries)
			if n > MaxFixes {
				return nil, &ParseError{Reason: "more than the allowed number of secfixes"}
			}
			if version == "0" || !validVersion(version) {
				continue
			}
			for _, e := range entries {
				ids := issueIDs(e)
				if ids == nil {
					continue
				}
				is := issues[ids[0]]
				if is == nil {
					is = &issue{}
					issues[ids[0]] = is
				}
				for _, id := range ids {
					if !slices.Contains(is.upstream, id) {
						is.upstream = append(is.upstream, id)
					}
				}
				is.fixes = append(is.fixes, fix{p.Name, version})
			}
		}
	}
	recs := make([]*osv.Record, 0, len(issues))
	for id, is := range issues {
		recs = append(recs, is.record(id, eco))
	}
	slices.SortFunc(recs, func(a, b *osv.Record) int { return strings.Compare(a.ID, b.ID) })
	return recs, nil
}

func (is *issue) record(id, eco string) *osv.Record {
	slices.SortFunc(is.fixes, func(a, b fix) int {
		return cmp.Or(strings.Compare(a.pkg, b.pkg), strings.Compare(a.version, b.version))
	})
	is.fixes = slices.Compact(is.fixes)
	// upstream[0] is id itself; the other ids were gathered in map order.
	slices.Sort(is.upstream[1:])
	r := &osv.Record{ID: "ALPINE-" + id, Upstream: is.upstream}
	for _, f := range is.fixes {
		r.Affected = append(r.Affected, osv.Affected{
			Package: osv.Package{Ecosystem: eco, Name: f.pkg, PURL: "pkg:apk/alpine/" + f.pkg + "?arch=source"},
			Ranges:  []osv.Range{{Type: osv.RangeEcosystem, Events: []osv.Event{{Introduced: "0"}, {Fixed: f.version}}}},
		})
	}
	if strings.HasPrefix(id, "CVE-") {
		r.References = []osv.Reference{{Type: "ADVISORY", URL: "https://security.alpinelinux.org/vuln/" + id}}
	}
	return r
}

// quote renders untrusted text for an error message, shortened.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "\"" + strings.ToValidUTF8(s, "?") + "\""
}
