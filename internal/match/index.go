package match

import (
	"context"
	"iter"
	"sort"
	"sync"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/osv"
	"github.com/vigilsec/vigil/internal/version"
)

// Index is the matching index of one advisory snapshot. It is immutable
// after Build or Load and safe for concurrent use.
//
// It is divided into sections, one per ecosystem key. A built index holds
// every section; a loaded one reads a section from the persisted file the
// first time a package needs it.
type Index struct {
	snapshot string
	secs     map[ecoKey]*section
	env      Enricher
	records  RecordLoader
	feeds    FeedNamer
	nRecords int
	nEntries int

	issues     []BuildIssue
	issuesOnce sync.Once

	// dc caches the details of matched records (created on first use).
	dc     *detailsCache
	dcOnce sync.Once

	// Set on a loaded index only.
	file *indexFile
	snap Snapshot
	fb   struct { // the rebuilt index, when the file turned out corrupt
		once sync.Once
		ix   *Index
		err  error
	}
}

// section holds the affected entries of one ecosystem key, by normalised
// package name, with the records and ecosystem strings they refer to.
// Sections of a built index share recs and ecoNames.
type section struct {
	once     sync.Once
	names    map[string][]entry
	recs     []recInfo
	ecoNames []string // full OSV ecosystem strings, by entry.eco
	err      error    // why the section could not be read
	loc      blockLoc // where a loaded index's section lies in the file
}

// recInfo is what the index keeps of one record.
type recInfo struct {
	id        string
	ids       []string // aliases and upstream
	summary   string
	vendor    string
	feed      string // the snapshot's FeedOf(id), kept so matching needs no lookup
	published int64
	modified  int64
	cvss      []model.CVSS
	wontFix   bool
}

// entry is one affected[] entry of one record, for one package. It is
// kept small: the range set is shared between entries with identical
// ranges and versions, and the rarely present extras live apart.
type entry struct {
	name    string     // package name as the record writes it
	set     *affectSet // shared between identical entries
	extra   *entryExtra
	rec     int32  // in the section's recs
	eco     uint16 // in the section's ecoNames
	wontFix bool
}

// affectSet is what an affected entry says is affected.
type affectSet struct {
	ranges   []vrange
	versions []string // sorted
}

// entryExtra holds an entry's own rating and CVSS vectors, when it has any.
type entryExtra struct {
	vendor string
	cvss   []model.CVSS
}

func (e *entry) vendor() string {
	if e.extra == nil {
		return ""
	}
	return e.extra.vendor
}

func (e *entry) cvss() []model.CVSS {
	if e.extra == nil {
		return nil
	}
	return e.extra.cvss
}

// vrange is one ECOSYSTEM or SEMVER range with its events parsed and
// sorted. Limit events are kept apart: they bound the whole range.
type vrange struct {
	scheme version.Scheme
	events []event
	limits []version.Version
	// descs holds, per introduced event, the Evidence.Range text of the
	// interval it opens (computed once at build time).
	descs []string
}

// event is one introduced, fixed or last_affected event. v is nil for
// introduced "0", which sorts before every version.
type event struct {
	v    version.Version
	kind uint8
}

// BuildIssue records a part of a record the index could not use: an event
// version its scheme rejects (the range is skipped), an ecosystem vigil
// cannot compare, a CVSS vector that does not parse.
type BuildIssue struct {
	Record    string
	Ecosystem string
	Package   string
	Reason    string
}

// maxIssues bounds the issues an index keeps.
const maxIssues = 10000

// Build builds an index from records (typically a snapshot's Records).
// env, which may be nil, supplies KEV, EPSS and NVD CVSS data at match
// time; when it also implements RecordLoader or FeedNamer, matched
// vulnerabilities get their details and evidence their feed through it.
// A record that fails to read ends the build with its error.
func Build(ctx context.Context, snapshotID string, records iter.Seq2[*osv.Record, error], env Enricher) (*Index, error) {
	slims, err := slimAll(ctx, records)
	if err != nil {
		return nil, err
	}
	return compile(ctx, snapshotID, slims, env)
}

// slimAll reads every record into its slim form, skipping withdrawn ones.
func slimAll(ctx context.Context, records iter.Seq2[*osv.Record, error]) ([]slimRecord, error) {
	var out []slimRecord
	n := 0
	for r, err := range records {
		if err != nil {
			return nil, &RecordsError{Err: err}
		}
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if s, ok := slim(r); ok {
			out = append(out, s)
		}
	}
	return out, ctx.Err()
}

// SnapshotID names the snapshot the index was built from.
func (ix *Index) SnapshotID() string { return ix.snapshot }

// RecordCount is the number of (non-withdrawn) records indexed.
func (ix *Index) RecordCount() int { return ix.nRecords }

// EntryCount is the number of affected entries indexed.
func (ix *Index) EntryCount() int { return ix.nEntries }

// Issues returns the problems met while building, in record order. A
// loaded index reads them from its file on the first call.
func (ix *Index) Issues() []BuildIssue {
	ix.issuesOnce.Do(ix.loadIssues)
	return ix.issues
}

// Packages lists the (ecosystem, normalised name) pairs the index holds,
// sorted, for callers that decide which inventories an update touches. On
// a loaded index it reads every section.
func (ix *Index) Packages() []PackageKey {
	var out []PackageKey
	for k := range ix.secs {
		sec, _ := ix.section(k)
		if sec == nil {
			continue
		}
		eco := k.base
		if k.release != "" {
			eco += ":" + k.release
		}
		for n := range sec.names {
			out = append(out, PackageKey{Ecosystem: eco, Name: n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Ecosystem != out[j].Ecosystem {
			return out[i].Ecosystem < out[j].Ecosystem
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// PackageKey is an indexed (ecosystem, normalised name) pair. Ecosystem is
// the normalised key ("Ubuntu:22.04", "Alpine:v3.18", "PyPI").
type PackageKey struct {
	Ecosystem string
	Name      string
}
