package match

import (
	"context"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/version"
)

// compiler turns slim records into an Index, sharing identical strings,
// parsed versions, range sets and version lists between entries.
type compiler struct {
	ix       *Index
	recs     []recInfo
	ecoNames []string
	names    map[ecoKey]map[string][]entry
	strs     map[string]string
	vers     map[verKey]version.Version
	ranges   map[string][]vrange
	lists    map[string][]string
	sets     map[affectKey]*affectSet
	ecoIDs   map[string]uint16
	cvss     map[slimSeverity]*model.CVSS
	rangeKey strings.Builder
}

// affectKey identifies an affect set by its shared parts.
type affectKey struct {
	ranges   *vrange
	nranges  int
	versions *string
}

// affectSet returns the shared set of an entry's ranges and versions, nil
// when nothing in it can be evaluated.
func (c *compiler) affectSet(id string, a *slimAffected) *affectSet {
	rs := c.rangeSet(id, a)
	vs := c.list(a.Versions)
	if len(rs) == 0 && len(vs) == 0 {
		return nil
	}
	k := affectKey{nranges: len(rs)}
	if len(rs) > 0 {
		k.ranges = &rs[0]
	}
	if len(vs) > 0 {
		k.versions = &vs[0]
	}
	if s, ok := c.sets[k]; ok {
		return s
	}
	s := &affectSet{ranges: rs, versions: vs}
	c.sets[k] = s
	return s
}

type verKey struct {
	scheme version.Scheme
	v      string
}

func compile(ctx context.Context, snapshotID string, slims []slimRecord, env Enricher) (*Index, error) {
	ix := newIndex(snapshotID, env)
	c := &compiler{
		ix:     ix,
		recs:   make([]recInfo, 0, len(slims)),
		names:  make(map[ecoKey]map[string][]entry),
		strs:   make(map[string]string),
		vers:   make(map[verKey]version.Version),
		ranges: make(map[string][]vrange),
		lists:  make(map[string][]string),
		sets:   make(map[affectKey]*affectSet),
		ecoIDs: make(map[string]uint16),
		cvss:   make(map[slimSeverity]*model.CVSS),
	}
	for i := range slims {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		c.record(&slims[i])
	}
	ix.nRecords = len(c.recs)
	ix.secs = make(map[ecoKey]*section, len(c.names))
	for k, names := range c.names {
		sec := &section{names: names, recs: c.recs, ecoNames: c.ecoNames}
		sec.once.Do(func() {})
		ix.secs[k] = sec
	}
	ix.issuesOnce.Do(func() {})
	return ix, nil
}

// newIndex returns an empty index of snapshotID enriched by env.
func newIndex(snapshotID string, env Enricher) *Index {
	ix := &Index{snapshot: snapshotID, env: env}
	if l, ok := env.(RecordLoader); ok {
		ix.records = l
	}
	if f, ok := env.(FeedNamer); ok {
		ix.feeds = f
	}
	return ix
}

// feedOf returns the interned name of the feed the record came from, ""
// when the enricher does not say.
func (c *compiler) feedOf(id string) string {
	if c.ix.feeds == nil {
		return ""
	}
	return c.str(c.ix.feeds.FeedOf(id))
}

func (c *compiler) str(s string) string {
	if t, ok := c.strs[s]; ok {
		return t
	}
	c.strs[s] = s
	return s
}

func (c *compiler) issue(rec, eco, pkg, reason string) {
	if len(c.ix.issues) < maxIssues {
		c.ix.issues = append(c.ix.issues, BuildIssue{Record: rec, Ecosystem: eco, Package: pkg, Reason: reason})
	}
}

func (c *compiler) record(s *slimRecord) {
	ri := recInfo{
		id:        c.str(s.ID),
		summary:   s.Summary,
		vendor:    c.str(s.Vendor),
		feed:      c.feedOf(s.ID),
		published: s.Published,
		modified:  s.Modified,
		wontFix:   s.WontFix,
		cvss:      c.scores(s.ID, s.Severity),
	}
	if len(s.IDs) > 0 {
		ri.ids = make([]string, len(s.IDs))
		for i, id := range s.IDs {
			ri.ids[i] = c.str(id)
		}
	}
	recIdx := int32(len(c.recs))
	c.recs = append(c.recs, ri)
	for i := range s.Affected {
		a := &s.Affected[i]
		if a.Name == "" || a.Ecosystem == "" {
			continue
		}
		e := entry{
			rec:     recIdx,
			eco:     c.eco(a.Ecosystem),
			wontFix: a.WontFix,
			name:    c.str(a.Name),
		}
		if cv := c.scores(s.ID, a.Severity); a.Vendor != "" || len(cv) > 0 {
			e.extra = &entryExtra{vendor: c.str(a.Vendor), cvss: cv}
		}
		e.set = c.affectSet(s.ID, a)
		if e.set == nil {
			continue // nothing evaluable (GIT only, or every range skipped)
		}
		k := keyOf(a.Ecosystem)
		k.base, k.release = c.str(k.base), c.str(k.release)
		names := c.names[k]
		if names == nil {
			names = make(map[string][]entry)
			c.names[k] = names
		}
		n := c.str(normName(k.base, a.Name))
		names[n] = append(names[n], e)
		c.ix.nEntries++
	}
}

func (c *compiler) eco(full string) uint16 {
	if id, ok := c.ecoIDs[full]; ok {
		return id
	}
	if len(c.ecoNames) >= 1<<16-1 {
		return 0
	}
	id := uint16(len(c.ecoNames))
	c.ecoNames = append(c.ecoNames, full)
	c.ecoIDs[full] = id
	return id
}

// list returns the sorted, shared copy of an explicit versions list.
func (c *compiler) list(vs []string) []string {
	if len(vs) == 0 {
		return nil
	}
	key := strings.Join(vs, "\x00")
	if l, ok := c.lists[key]; ok {
		return l
	}
	l := make([]string, len(vs))
	for i, v := range vs {
		l[i] = c.str(v)
	}
	slices.Sort(l)
	l = slices.Compact(l)
	c.lists[key] = l
	return l
}

// rangeSet parses an affected entry's ranges into a shared set. A range
// with a version its scheme rejects is skipped and recorded as an issue.
func (c *compiler) rangeSet(id string, a *slimAffected) []vrange {
	if len(a.Ranges) == 0 {
		return nil
	}
	b := &c.rangeKey
	b.Reset()
	b.WriteString(a.Ecosystem)
	for _, r := range a.Ranges {
		b.WriteByte('|')
		b.WriteByte('0' + r.Type)
		for _, ev := range r.Events {
			b.WriteByte(';')
			b.WriteByte('0' + ev.Kind)
			b.WriteString(ev.V)
		}
	}
	key := b.String()
	if rs, ok := c.ranges[key]; ok {
		return rs
	}
	var out []vrange
	for _, r := range a.Ranges {
		scheme, err := rangeScheme(a.Ecosystem, r.Type)
		if err != nil {
			c.issue(id, a.Ecosystem, a.Name, err.Error())
			continue
		}
		vr, err := c.parseRange(scheme, r.Events)
		if err != nil {
			c.issue(id, a.Ecosystem, a.Name, "range skipped: "+err.Error())
			continue
		}
		out = append(out, vr)
	}
	c.ranges[key] = out
	return out
}

// rangeScheme picks the comparison for a range: SEMVER ranges use Semantic
// Versioning (Go's variant in the Go ecosystem) whatever the ecosystem;
// ECOSYSTEM ranges use the ecosystem's own scheme.
func rangeScheme(eco string, t uint8) (version.Scheme, error) {
	s, err := version.SchemeFor(eco)
	if t == rtSemver {
		if err == nil && s == version.Go {
			return version.Go, nil
		}
		return version.SemVer, nil
	}
	return s, err
}

func (c *compiler) parseRange(scheme version.Scheme, evs []slimEvent) (vrange, error) {
	vr := vrange{scheme: scheme, events: make([]event, 0, len(evs))}
	for _, ev := range evs {
		if ev.Kind == evIntroduced && ev.V == "0" {
			vr.events = append(vr.events, event{kind: evIntroduced})
			continue
		}
		v, err := c.version(scheme, ev.V)
		if err != nil {
			return vrange{}, err
		}
		if ev.Kind == evLimit {
			vr.limits = append(vr.limits, v)
			continue
		}
		vr.events = append(vr.events, event{v: v, kind: ev.Kind})
	}
	// Sort a copy (never the record's own order): "0" first, then by
	// version; at equal versions introduced, last_affected, fixed.
	slices.SortStableFunc(vr.events, func(a, b event) int {
		switch {
		case a.v == nil && b.v == nil:
			return int(a.kind) - int(b.kind)
		case a.v == nil:
			return -1
		case b.v == nil:
			return 1
		}
		if d := a.v.Compare(b.v); d != 0 {
			return d
		}
		return int(a.kind) - int(b.kind)
	})
	vr.descs = make([]string, len(vr.events))
	for i, e := range vr.events {
		if e.kind == evIntroduced {
			vr.descs[i] = c.str(vr.describe(i))
		}
	}
	return vr, nil
}

func (c *compiler) version(s version.Scheme, v string) (version.Version, error) {
	k := verKey{s, v}
	if pv, ok := c.vers[k]; ok {
		return pv, nil
	}
	pv, err := version.Parse(s, v)
	if err != nil {
		return nil, err
	}
	c.vers[k] = pv
	return pv, nil
}
