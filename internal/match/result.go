package match

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/osv"
	"github.com/vigilsec/vigil/internal/version"
)

// maxReferences bounds the references copied into one vulnerability.
const maxReferences = 64

// vulns merges the hits of one package into vulnerabilities: records
// sharing an id (their own, an alias or an upstream id) are one
// vulnerability.
func (ix *Index) vulns(ctx context.Context, lk lookup, hits []hit, opts *Options) []model.Vulnerability {
	parent := make([]int, len(hits))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := make(map[string]int, len(hits)*3)
	claim := func(id string, i int) {
		if j, ok := owner[id]; ok {
			if a, b := find(i), find(j); a != b {
				parent[a] = b
			}
			return
		}
		owner[id] = i
	}
	for i, h := range hits {
		rec := &ix.recs[h.e.rec]
		claim(rec.id, i)
		for _, id := range rec.ids {
			claim(id, i)
		}
	}
	groups := make(map[int][]int, len(hits))
	var roots []int
	for i := range hits {
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], i)
	}
	out := make([]model.Vulnerability, 0, len(roots))
	for _, r := range roots {
		g := make([]hit, 0, len(groups[r]))
		for _, i := range groups[r] {
			g = append(g, hits[i])
		}
		out = append(out, ix.vuln(ctx, lk, g, opts))
	}
	slices.SortFunc(out, func(a, b model.Vulnerability) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// vuln builds one vulnerability from the hits of its records.
func (ix *Index) vuln(ctx context.Context, lk lookup, g []hit, opts *Options) model.Vulnerability {
	// One hit per record: the first, in index order.
	slices.SortStableFunc(g, func(a, b hit) int {
		return strings.Compare(ix.recs[a.e.rec].id, ix.recs[b.e.rec].id)
	})
	g = slices.CompactFunc(g, func(a, b hit) bool { return a.e.rec == b.e.rec })

	ids := make(map[string]bool)
	var recIDs []string
	for _, h := range g {
		rec := &ix.recs[h.e.rec]
		recIDs = append(recIDs, rec.id)
		ids[rec.id] = true
		for _, id := range rec.ids {
			ids[id] = true
		}
	}
	var cves []string
	for id := range ids {
		if strings.HasPrefix(id, "CVE-") {
			cves = append(cves, id)
		}
	}
	slices.Sort(cves)
	v := model.Vulnerability{ID: recIDs[0]} // recIDs is sorted
	if len(cves) == 1 {
		v.ID = cves[0]
	}
	for id := range ids {
		if id != v.ID {
			v.Aliases = append(v.Aliases, id)
		}
	}
	slices.Sort(v.Aliases)
	if v.Aliases == nil {
		v.Aliases = []string{}
	}

	primary := &ix.recs[g[0].e.rec]
	for _, h := range g {
		if ix.recs[h.e.rec].id == v.ID {
			primary = &ix.recs[h.e.rec]
		}
	}
	v.Summary = primary.summary
	for _, h := range g {
		rec := &ix.recs[h.e.rec]
		if v.Summary == "" {
			v.Summary = rec.summary
		}
		if p := unixTime(rec.published); !p.IsZero() && (v.Published.IsZero() || p.Before(v.Published)) {
			v.Published = p
		}
		if m := unixTime(rec.modified); m.After(v.Modified) {
			v.Modified = m
		}
	}

	ix.fix(&v, g)
	ix.rate(&v, lk, g, primary, cves)
	ix.enrich(&v, cves)
	v.Evidence = make([]model.Evidence, 0, len(g))
	for _, h := range g {
		rng := "listed in versions"
		if h.r != nil {
			rng = h.r.describe(h.at)
		}
		id := ix.recs[h.e.rec].id
		v.Evidence = append(v.Evidence, model.Evidence{
			Advisory:  id,
			Ecosystem: h.eco,
			Package:   h.e.name,
			MatchedBy: lk.by,
			Version:   lk.version,
			Range:     rng,
			Feed:      ix.feedOf(id, h.eco),
			Snapshot:  ix.snapshot,
		})
	}
	if !opts.SkipDetails && ix.records != nil {
		ix.details(ctx, &v, primary.id, recIDs)
	}
	return v
}

func unixTime(u int64) time.Time {
	if u == 0 {
		return time.Time{}
	}
	return time.Unix(u, 0).UTC()
}

func (ix *Index) feedOf(id, eco string) string {
	if ix.feeds != nil {
		if f := ix.feeds.FeedOf(id); f != "" {
			return f
		}
	}
	base, _, _ := strings.Cut(eco, ":")
	return "osv:" + base
}

// fix sets FixedIn (the highest fixed version over the records) and
// FixState.
func (ix *Index) fix(v *model.Vulnerability, g []hit) {
	var best version.Version
	open, wont := false, false
	for _, h := range g {
		if h.e.wontFix || ix.recs[h.e.rec].wontFix {
			wont = true
		}
		if h.r == nil {
			continue
		}
		u := h.r.upper(h.at)
		switch {
		case u == nil:
			open = true
		case u.kind == evFixed:
			if best == nil || u.v.Compare(best) > 0 {
				best = u.v
			}
		}
	}
	switch {
	case best != nil:
		s := best.String()
		v.FixedIn, v.FixState = &s, model.FixStateFixed
	case wont:
		v.FixState = model.FixStateWontFix
	case open:
		v.FixState = model.FixStateNotFixed
	default:
		v.FixState = model.FixStateUnknown
	}
}

// rate sets CVSS and the severity: the distribution's rating for distro
// packages, else the band of the highest-version CVSS vector (the
// records' own, else NVD's), else UNTRIAGED.
func (ix *Index) rate(v *model.Vulnerability, lk lookup, g []hit, primary *recInfo, cves []string) {
	seen := make(map[string]bool)
	add := func(cs []model.CVSS) {
		for _, c := range cs {
			if !seen[c.Vector] {
				seen[c.Vector] = true
				v.CVSS = append(v.CVSS, c)
			}
		}
	}
	add(primary.cvss)
	for _, h := range g {
		add(h.e.cvss())
		add(ix.recs[h.e.rec].cvss)
	}
	own := len(v.CVSS)
	if ix.env != nil {
		for _, cve := range cves {
			for _, c := range ix.env.NVDCVSS(cve) {
				if c.BaseScore == 0 && c.Vector != "" {
					if sc, ok := scoreVector(cvssType(c.Version), c.Vector); ok {
						c.BaseScore = sc.BaseScore
						if c.Version == "" {
							c.Version = sc.Version
						}
					}
				}
				if c.Source == "" {
					c.Source = "nvd"
				}
				add([]model.CVSS{c})
			}
		}
	}
	if v.CVSS == nil {
		v.CVSS = []model.CVSS{}
	}
	if lk.fam != famLanguage {
		for _, h := range g {
			for _, w := range [...]string{h.e.vendor(), ix.recs[h.e.rec].vendor} {
				if s := vendorSeverity(w); s != "" {
					base, _, _ := strings.Cut(h.eco, ":")
					v.Severity, v.SeveritySource, v.VendorSeverity = s, SourceVendorPrefix+base, w
					return
				}
			}
		}
	}
	if b, ok := best(v.CVSS[:own]); ok {
		v.Severity, v.SeveritySource = model.SeverityFromScore(b.BaseScore), SourceOSVCVSS
		return
	}
	if b, ok := best(v.CVSS[own:]); ok {
		v.Severity, v.SeveritySource = model.SeverityFromScore(b.BaseScore), SourceNVDCVSS
		return
	}
	v.Severity, v.SeveritySource = model.SeverityUntriaged, SourceNone
}

func cvssType(ver string) string {
	if ver == "2.0" {
		return "CVSS_V2"
	}
	return ""
}

// enrich adds EPSS (the highest over the vulnerability's CVEs) and KEV.
func (ix *Index) enrich(v *model.Vulnerability, cves []string) {
	if ix.env == nil {
		return
	}
	for _, cve := range cves {
		if e, ok := ix.env.EPSS(cve); ok && (v.EPSS == nil || e.Score > v.EPSS.Score) {
			e := e
			v.EPSS = &e
		}
		if k, ok := ix.env.KEV(cve); ok && v.KEV == nil {
			k := k
			v.KEV = &k
		}
	}
}

// details reads the full records for details, references and CWEs. A
// record that cannot be loaded leaves those fields empty.
func (ix *Index) details(ctx context.Context, v *model.Vulnerability, primary string, recIDs []string) {
	order := append([]string{primary}, recIDs...)
	seenRef := make(map[string]bool)
	seenCWE := make(map[string]bool)
	done := make(map[string]bool)
	for _, id := range order {
		if done[id] {
			continue
		}
		done[id] = true
		r, err := ix.records.Record(ctx, id)
		if err != nil || r == nil {
			continue
		}
		if v.Details == "" {
			v.Details = r.Details
		}
		if v.Summary == "" {
			v.Summary = r.Summary
		}
		for _, ref := range r.References {
			if len(v.References) < maxReferences && !seenRef[ref.URL] {
				seenRef[ref.URL] = true
				v.References = append(v.References, ref.URL)
			}
		}
		for _, c := range cwes(r) {
			if !seenCWE[c] {
				seenCWE[c] = true
				v.CWEs = append(v.CWEs, c)
			}
		}
	}
	slices.Sort(v.CWEs)
}

// cwes reads database_specific.cwe_ids (GitHub's field).
func cwes(r *osv.Record) []string {
	if len(r.DatabaseSpecific) == 0 {
		return nil
	}
	var m struct {
		CWEIDs []string `json:"cwe_ids"`
	}
	if json.Unmarshal(r.DatabaseSpecific, &m) != nil {
		return nil
	}
	return m.CWEIDs
}
