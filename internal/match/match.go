package match

import (
	"context"
	"strings"
	"sync"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/version"
)

// Options tune matching.
type Options struct {
	// Target is the kind of the indexed target. Match sets it from the
	// inventory when empty. Kernel packages are never matched in images.
	Target model.TargetKind
	// AllKernels matches every installed kernel package on a host, not only
	// the running one (OS.Kernel).
	AllKernels bool
	// UbuntuPro also matches Ubuntu Pro (ESM) records of the release.
	UbuntuPro bool
	// SkipDetails leaves out details, references and CWEs, which are read
	// from the full record when a match happens.
	SkipDetails bool
}

// Match matches every package of inv. It returns one Match per affected
// package, in inventory order. When some packages could only be partly
// evaluated, the results are complete for everything else and the error
// is a *PartialError listing them; any other error (a cancelled ctx) means
// no results.
func (ix *Index) Match(ctx context.Context, inv *model.Inventory, opts Options) ([]model.Match, error) {
	if inv == nil {
		return nil, nil
	}
	if opts.Target == "" {
		opts.Target = inv.Target.Kind
	}
	var out []model.Match
	var partial []model.Issue
	for i := range inv.Packages {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		p := &inv.Packages[i]
		vulns, err := ix.MatchPackage(ctx, p, inv.OS, opts)
		if err != nil {
			partial = append(partial, model.Issue{Plugin: "match", Path: p.Path, Reason: err.Error()})
		}
		if len(vulns) > 0 {
			out = append(out, model.Match{Package: *p, Vulnerabilities: vulns})
		}
	}
	if len(partial) > 0 {
		return out, &PartialError{Issues: partial}
	}
	return out, nil
}

// VersionError says a package's installed version could not be parsed by
// the scheme a range needs; its ranges were not evaluated (explicit
// versions lists were).
type VersionError struct {
	Ecosystem string
	Package   string
	Version   string
	Err       error
}

// Error describes the problem.
func (e *VersionError) Error() string {
	return e.Ecosystem + "/" + e.Package + " " + e.Version + ": ranges not evaluated: " + e.Err.Error()
}

// Unwrap returns the version parser's error.
func (e *VersionError) Unwrap() error { return e.Err }

// lookup is the package identity one package is looked up with.
type lookup struct {
	name    string // as looked up (source name for distro packages)
	version string
	by      string // "name" or "source"
	fam     family
}

// hit is one affected entry that contains the package's version.
type hit struct {
	e   *entry
	rec *recInfo
	r   *vrange // nil when listed in versions
	at  int
	eco string
}

// MatchPackage matches one package of an inventory whose operating system
// is os (nil for none). It returns the vulnerabilities, sorted by id. A
// *VersionError says the installed version could not be parsed; the
// vulnerabilities found through explicit versions lists are still returned.
// A package an OS package owns (OwnedBy) is not matched.
func (ix *Index) MatchPackage(ctx context.Context, p *model.Package, os *model.OS, opts Options) ([]model.Vulnerability, error) {
	if ownedByOS(p) {
		return nil, nil
	}
	var buf [32]hit
	var spill []hit // the heap buffer hits moved to, if buf was too small
	lk, hits, err := ix.hits(buf[:0], &spill, p, os, &opts)
	if len(hits) == 0 {
		return nil, err
	}
	vulns := ix.vulns(ctx, lk, hits, &opts)
	if spill != nil {
		clear(spill[:cap(spill)])
		s := spill[:0]
		hitPool.Put(&s)
	}
	return vulns, err
}

// hitPool recycles the hit buffers of names with many matching entries
// (hundreds for some distribution packages), which outgrow MatchPackage's
// stack buffer.
var hitPool sync.Pool

// addHit appends h to dst. When dst is full it moves to a larger buffer
// from hitPool (or a new one), recorded in *spill for MatchPackage to
// recycle.
func addHit(dst []hit, spill *[]hit, h hit) []hit {
	if len(dst) == cap(dst) {
		var nb []hit
		if p, _ := hitPool.Get().(*[]hit); p != nil && cap(*p) > 2*len(dst) {
			nb = (*p)[:0]
		} else {
			nb = make([]hit, 0, max(64, 4*len(dst)))
		}
		nb = append(nb, dst...)
		*spill = nb
		dst = nb
	}
	return append(dst, h)
}

// hits finds the entries whose ranges or versions contain p.
func (ix *Index) hits(dst []hit, spill *[]hit, p *model.Package, os *model.OS, opts *Options) (lookup, []hit, error) {
	base := string(p.Ecosystem)
	lk := lookup{name: p.Name, version: p.Version, by: "name", fam: familyOf(base)}
	if base == "" || p.Name == "" || p.Version == "" {
		return lk, dst, nil
	}
	if bySource(lk.fam, p) {
		lk.name, lk.by = p.SourceName, "source"
		if p.SourceVersion != "" {
			lk.version = p.SourceVersion
		}
	}
	if skipKernel(lk.fam, p, os, opts) {
		return lk, dst, nil
	}
	if base == "Go" && (lk.name == "stdlib" || lk.name == "toolchain") && strings.HasPrefix(lk.version, "go") {
		if v, err := version.ParseGoToolchain(lk.version); err == nil {
			lk.version = v
		}
	}
	var kb [3]ecoKey
	keys := kb[:0]
	if lk.fam == famLanguage {
		keys = append(keys, ecoKey{base: base})
	} else {
		keys = osKeys(keys, base, os, opts)
	}
	name := normName(base, lk.name)
	var pv parsedVersions
	var verr error
	for _, k := range keys {
		sec, err := ix.section(k)
		if err != nil && verr == nil {
			verr = err
		}
		if sec == nil {
			continue
		}
		entries := sec.names[name]
		for i := range entries {
			e := &entries[i]
			found := false
			for j := range e.set.ranges {
				r := &e.set.ranges[j]
				v, err := pv.get(r.scheme, lk.version)
				if err != nil {
					if verr == nil {
						verr = &VersionError{Ecosystem: base, Package: lk.name, Version: lk.version, Err: err}
					}
					continue
				}
				if at, ok := r.contains(v); ok {
					dst = addHit(dst, spill, hit{e: e, rec: &sec.recs[e.rec], r: r, at: at, eco: sec.ecoNames[e.eco]})
					found = true
					break
				}
			}
			if !found && inVersions(e.set.versions, lk.version) {
				dst = addHit(dst, spill, hit{e: e, rec: &sec.recs[e.rec], eco: sec.ecoNames[e.eco]})
			}
		}
	}
	return lk, dst, verr
}

// parsedVersions caches the installed version parsed per scheme (a package
// rarely needs more than one).
type parsedVersions struct {
	n int
	s [2]version.Scheme
	v [2]version.Version
	e [2]error
}

func (pv *parsedVersions) get(s version.Scheme, raw string) (version.Version, error) {
	for i := 0; i < pv.n; i++ {
		if pv.s[i] == s {
			return pv.v[i], pv.e[i]
		}
	}
	v, err := version.Parse(s, raw)
	if pv.n < len(pv.s) {
		pv.s[pv.n], pv.v[pv.n], pv.e[pv.n] = s, v, err
		pv.n++
	}
	return v, err
}
