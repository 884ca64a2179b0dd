package advisory

import (
	"cmp"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
)

// Diff says what changed between two snapshots: advisory ids added,
// modified and withdrawn (withdrawn in the feed or gone from it), and
// every (ecosystem, package) pair those records touch, before or after the
// change. A server re-matches only inventories holding one of Packages.
type Diff struct {
	Added     []string     `json:"added"`
	Modified  []string     `json:"modified"`
	Withdrawn []string     `json:"withdrawn"`
	Packages  []PackageRef `json:"packages"`
}

// Empty reports whether the diff holds no change.
func (d *Diff) Empty() bool {
	return len(d.Added) == 0 && len(d.Modified) == 0 && len(d.Withdrawn) == 0
}

// maxDiffSize bounds a diff.json read back from disk.
const maxDiffSize = 1 << 30

// ParseDiff decodes a persisted diff.json.
func ParseDiff(data []byte) (*Diff, error) {
	if len(data) > maxDiffSize {
		return nil, fmt.Errorf("diff is %d bytes, more than %d", len(data), maxDiffSize)
	}
	var d Diff
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Diff returns the diff persisted with snapshot id (what changed relative
// to the snapshot before it).
func (db *DB) Diff(id string) (*Diff, error) {
	if !validSnapshotID(id) {
		return nil, fmt.Errorf("bad snapshot id %q", id)
	}
	p := filepath.Join(db.snapPath(id), diffFile)
	data, err := readFileCapped(p, maxDiffSize)
	if err != nil {
		return nil, err
	}
	d, err := ParseDiff(data)
	if err != nil {
		return nil, &CorruptError{Path: p, Err: err}
	}
	return d, nil
}

// view is the deduplicated set of records of a manifest.
type view map[string]*indexEntry

func (db *DB) viewOf(m *Manifest) (view, error) {
	v := view{}
	if m == nil {
		return v, nil
	}
	var ixs []*blobIndex
	for _, f := range m.Feeds {
		if !f.Kind.IsAdvisory() {
			continue
		}
		ix, err := db.loadIndex(f)
		if err != nil {
			return nil, err
		}
		ixs = append(ixs, ix)
	}
	for id, l := range buildByID(ixs) {
		v[id] = &ixs[l.feed].Entries[l.entry]
	}
	return v, nil
}

func (db *DB) diffManifests(prev, next *Manifest) (*Diff, error) {
	a, err := db.viewOf(prev)
	if err != nil {
		// A damaged previous snapshot must not block recovery: diff
		// against nothing, so that everything is re-matched.
		a = view{}
	}
	b, err := db.viewOf(next)
	if err != nil {
		return nil, err
	}
	return diffViews(a, b), nil
}

// diffViews compares two record sets.
func diffViews(a, b view) *Diff {
	d := &Diff{Added: []string{}, Modified: []string{}, Withdrawn: []string{}, Packages: []PackageRef{}}
	pkgs := map[PackageRef]bool{}
	touch := func(e *indexEntry) {
		for _, p := range e.Packages {
			pkgs[p] = true
		}
	}
	for id, ne := range b {
		oe, ok := a[id]
		switch {
		case !ok || oe.Withdrawn:
			if ne.Withdrawn {
				continue
			}
			if ok {
				d.Modified = append(d.Modified, id) // reinstated
			} else {
				d.Added = append(d.Added, id)
			}
			touch(ne)
		case oe.Hash == ne.Hash:
		case ne.Withdrawn:
			d.Withdrawn = append(d.Withdrawn, id)
			touch(oe)
		default:
			d.Modified = append(d.Modified, id)
			touch(oe)
			touch(ne)
		}
	}
	for id, oe := range a {
		if _, ok := b[id]; !ok && !oe.Withdrawn {
			d.Withdrawn = append(d.Withdrawn, id)
			touch(oe)
		}
	}
	slices.Sort(d.Added)
	slices.Sort(d.Modified)
	slices.Sort(d.Withdrawn)
	for p := range pkgs {
		d.Packages = append(d.Packages, p)
	}
	slices.SortFunc(d.Packages, func(x, y PackageRef) int {
		return cmp.Or(cmp.Compare(x.Ecosystem, y.Ecosystem), cmp.Compare(x.Name, y.Name))
	})
	return d
}
