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
// vulnerability. It avoids maps: ids are sorted and equal neighbours
// joined.
func (ix *Index) vulns(ctx context.Context, lk lookup, hits []hit, opts *Options) []model.Vulnerability {
	if len(hits) == 1 {
		return []model.Vulnerability{ix.vuln(ctx, lk, hits, opts, newArena(hits, 1))}
	}
	if v, ok := ix.unmerged(ctx, lk, hits, opts); ok {
		return v
	}
	ar := newArena(hits, len(hits))
	parent := make([]int, len(hits))
	type idHit struct {
		id string
		i  int
	}
	n := 0
	for _, h := range hits {
		n += 1 + len(h.rec.ids)
	}
	pairs := make([]idHit, 0, n)
	for i, h := range hits {
		parent[i] = i
		rec := h.rec
		pairs = append(pairs, idHit{rec.id, i})
		for _, id := range rec.ids {
			pairs = append(pairs, idHit{id, i})
		}
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	slices.SortFunc(pairs, func(a, b idHit) int { return strings.Compare(a.id, b.id) })
	for k := 1; k < len(pairs); k++ {
		if pairs[k].id == pairs[k-1].id {
			if a, b := find(pairs[k].i), find(pairs[k-1].i); a != b {
				parent[a] = b
			}
		}
	}
	order := make([]int, len(hits))
	for i := range order {
		order[i] = i
		parent[i] = find(i)
	}
	slices.SortStableFunc(order, func(a, b int) int { return parent[a] - parent[b] })
	out := make([]model.Vulnerability, 0, len(hits))
	g := make([]hit, 0, len(hits))
	for k := 0; k < len(order); {
		g = g[:0]
		root := parent[order[k]]
		for ; k < len(order) && parent[order[k]] == root; k++ {
			g = append(g, hits[order[k]])
		}
		out = append(out, ix.vuln(ctx, lk, g, opts, ar))
	}
	slices.SortFunc(out, func(a, b model.Vulnerability) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// arena holds the backing arrays the vulnerabilities of one package share,
// so that building hundreds of them (a name with hundreds of distribution
// records) costs a few allocations, not a few per vulnerability. Every
// slice handed out has its capacity capped, so appending to it later
// reallocates instead of overwriting a neighbour.
type arena struct {
	ev      []model.Evidence
	ids     []string
	cvss    []model.CVSS
	strs    []string
	all     []string     // scratch
	cvssTmp []model.CVSS // scratch
}

// newArena sizes an arena for the vulnerabilities of hits, whose records
// number at most nRecs: one evidence per record, one alias per record id, the distinct CVSS vectors
// of the entries and records (NVD's, unknown in advance, may overflow it:
// lists that do not fit are allocated apart).
func newArena(hits []hit, nRecs int) *arena {
	nIDs, nCVSS := 0, 0
	for _, h := range hits {
		nIDs += 1 + len(h.rec.ids)
		nCVSS += len(h.e.cvss()) + len(h.rec.cvss)
	}
	return &arena{
		ev:   make([]model.Evidence, 0, nRecs),
		ids:  make([]string, 0, nIDs),
		cvss: make([]model.CVSS, 0, nCVSS),
	}
}

func (a *arena) evidence(n int) []model.Evidence {
	if cap(a.ev)-len(a.ev) < n {
		return make([]model.Evidence, 0, n)
	}
	l := len(a.ev)
	a.ev = a.ev[:l+n]
	return a.ev[l : l : l+n]
}

func (a *arena) strings(n int) []string {
	if cap(a.ids)-len(a.ids) < n {
		return make([]string, 0, n)
	}
	l := len(a.ids)
	a.ids = a.ids[:l+n]
	return a.ids[l : l : l+n]
}

func (a *arena) cvssList(n int) []model.CVSS {
	if cap(a.cvss)-len(a.cvss) < n {
		return make([]model.CVSS, 0, n)
	}
	l := len(a.cvss)
	a.cvss = a.cvss[:l+n]
	return a.cvss[l : l : l+n]
}

// str returns a pointer to a copy of s that lives in the arena.
func (a *arena) str(s string) *string {
	if len(a.strs) == cap(a.strs) {
		a.strs = make([]string, 0, max(4, cap(a.ev)))
	}
	a.strs = append(a.strs, s)
	return &a.strs[len(a.strs)-1]
}

// unmerged handles the common case of hits whose records have no
// aliases or upstream ids: each record is its own vulnerability (hits of
// one record are merged by vuln). ok is false when ids must be merged.
func (ix *Index) unmerged(ctx context.Context, lk lookup, hits []hit, opts *Options) ([]model.Vulnerability, bool) {
	for _, h := range hits {
		if len(h.rec.ids) > 0 {
			return nil, false
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return strings.Compare(a.rec.id, b.rec.id) })
	nRecs := 1
	for i := 1; i < len(hits); i++ {
		if hits[i].rec.id != hits[i-1].rec.id {
			nRecs++
		}
	}
	ar := newArena(hits, nRecs)
	out := make([]model.Vulnerability, 0, nRecs)
	for i := 0; i < len(hits); {
		j := i + 1
		for j < len(hits) && hits[j].rec.id == hits[i].rec.id {
			j++
		}
		out = append(out, ix.vuln(ctx, lk, hits[i:j], opts, ar))
		i = j
	}
	slices.SortFunc(out, func(a, b model.Vulnerability) int { return strings.Compare(a.ID, b.ID) })
	return out, true
}

// vuln builds one vulnerability from the hits of its records.
func (ix *Index) vuln(ctx context.Context, lk lookup, g []hit, opts *Options, ar *arena) model.Vulnerability {
	// One hit per record: the first, in index order.
	slices.SortStableFunc(g, func(a, b hit) int {
		return strings.Compare(a.rec.id, b.rec.id)
	})
	var v model.Vulnerability
	ix.fix(&v, g, ar) // over every hit: the highest fix of any entry
	g = slices.CompactFunc(g, func(a, b hit) bool { return a.rec.id == b.rec.id })

	all := ar.all[:0]
	for _, h := range g {
		rec := h.rec
		all = append(all, rec.id)
		all = append(all, rec.ids...)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	// CVE ids sort together: cves is a view of all.
	lo, _ := slices.BinarySearch(all, "CVE-")
	hi := lo
	for hi < len(all) && strings.HasPrefix(all[hi], "CVE-") {
		hi++
	}
	cves := all[lo:hi:hi]
	v.ID = g[0].rec.id // g is sorted by record id
	if len(cves) == 1 {
		v.ID = cves[0]
	}
	ar.all = all[:0]
	v.Aliases = ar.strings(len(all))
	for _, id := range all {
		if id != v.ID {
			v.Aliases = append(v.Aliases, id)
		}
	}

	primary := g[0].rec
	for _, h := range g {
		if h.rec.id == v.ID {
			primary = h.rec
		}
	}
	v.Summary = primary.summary
	for _, h := range g {
		rec := h.rec
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

	ix.rate(&v, lk, g, primary, cves, ar)
	ix.enrich(&v, cves)
	v.Evidence = ar.evidence(len(g))
	for _, h := range g {
		rng := "listed in versions"
		if h.r != nil {
			rng = h.r.description(h.at)
		}
		id := h.rec.id
		v.Evidence = append(v.Evidence, model.Evidence{
			Advisory:  id,
			Ecosystem: h.eco,
			Package:   h.e.name,
			MatchedBy: lk.by,
			Version:   lk.version,
			Range:     rng,
			Feed:      ix.feedOf(h.rec, h.eco),
			Snapshot:  ix.snapshot,
		})
	}
	if !opts.SkipDetails && ix.records != nil {
		recs := make([]*recInfo, len(g))
		for i, h := range g {
			recs[i] = h.rec
		}
		ix.details(ctx, &v, primary, recs)
	}
	return v
}

func unixTime(u int64) time.Time {
	if u == 0 {
		return time.Time{}
	}
	return time.Unix(u, 0).UTC()
}

func (ix *Index) feedOf(rec *recInfo, eco string) string {
	if rec.feed != "" {
		return rec.feed
	}
	base, _, _ := strings.Cut(eco, ":")
	return "osv:" + base
}

// fix sets FixedIn (the highest fixed version over the records) and
// FixState.
func (ix *Index) fix(v *model.Vulnerability, g []hit, ar *arena) {
	var best version.Version
	open, wont := false, false
	for _, h := range g {
		if h.e.wontFix || h.rec.wontFix {
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
		v.FixedIn, v.FixState = ar.str(best.String()), model.FixStateFixed
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
func (ix *Index) rate(v *model.Vulnerability, lk lookup, g []hit, primary *recInfo, cves []string, ar *arena) {
	// Collect in the arena's scratch, then copy out at the exact size.
	v.CVSS = ar.cvssTmp[:0]
	defer func() {
		ar.cvssTmp = v.CVSS[:0]
		if len(v.CVSS) == 0 {
			v.CVSS = []model.CVSS{}
			return
		}
		v.CVSS = append(ar.cvssList(len(v.CVSS)), v.CVSS...)
	}()
	add := func(cs []model.CVSS) {
		for _, c := range cs {
			if !slices.ContainsFunc(v.CVSS, func(o model.CVSS) bool { return o.Vector == c.Vector }) {
				v.CVSS = append(v.CVSS, c)
			}
		}
	}
	add(primary.cvss)
	for _, h := range g {
		add(h.e.cvss())
		add(h.rec.cvss)
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
	if lk.fam != famLanguage {
		for _, h := range g {
			for _, w := range [...]string{h.e.vendor(), h.rec.vendor} {
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

// FeedRecordLoader loads a record from the feed the index says it came
// from. When the RecordLoader implements it (*advisory.Snapshot does),
// details are read through it, so that a scan loads only the feeds of
// the records it matched.
type FeedRecordLoader interface {
	RecordFrom(ctx context.Context, feed, id string) (*osv.Record, error)
}

// details reads the full records for details, references and CWEs
// (each record once per index, through its details cache). A record that
// cannot be loaded leaves those fields empty.
func (ix *Index) details(ctx context.Context, v *model.Vulnerability, primary *recInfo, recs []*recInfo) {
	order := append([]*recInfo{primary}, recs...)
	var seenRef, seenCWE map[string]bool
	for i, rec := range order {
		if slices.ContainsFunc(order[:i], func(o *recInfo) bool { return o.id == rec.id }) {
			continue
		}
		r := ix.recordDetails(ctx, rec.feed, rec.id)
		if r == nil {
			continue
		}
		if v.Details == "" {
			v.Details = r.details
		}
		if v.Summary == "" {
			v.Summary = r.summary
		}
		for _, ref := range r.refs {
			if seenRef == nil {
				seenRef = make(map[string]bool, len(r.refs))
			}
			if len(v.References) < maxReferences && !seenRef[ref] {
				seenRef[ref] = true
				v.References = append(v.References, ref)
			}
		}
		for _, c := range r.cwes {
			if seenCWE == nil {
				seenCWE = make(map[string]bool, len(r.cwes))
			}
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
