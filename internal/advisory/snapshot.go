package advisory

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// Snapshot is one immutable version of the advisory database. Its record
// index is loaded when it is opened; records themselves are read lazily
// from the verified feed files, and enrichment maps are loaded on first
// use. A Snapshot is safe for concurrent use.
type Snapshot struct {
	db       *DB
	m        *Manifest
	checked  map[string]time.Time
	advisory []advFeed
	byID     map[string]recordLoc

	mu   sync.Mutex
	zips map[int]*zipHandle
	// enrichFiles are the enrichment blobs, opened with the snapshot so
	// that a later garbage collection cannot take them away.
	enrichFiles map[string]*os.File

	enrichOnce sync.Once
	enrich     *enrichment
}

// advFeed is an advisory feed of the snapshot with its index.
type advFeed struct {
	entry FeedEntry
	index *blobIndex
}

// recordLoc says where the winning copy of a record lives.
type recordLoc struct {
	feed  int32
	entry int32
}

// zipHandle is an open advisory blob.
type zipHandle struct {
	f      *os.File
	zr     *zip.Reader
	byName map[string]*zip.File
}

func (db *DB) openSnapshot(id string) (*Snapshot, error) {
	m, err := db.readManifest(id)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{db: db, m: m, zips: map[int]*zipHandle{}, byID: map[string]recordLoc{}}
	s.checked = db.readChecked(id)
	for _, f := range m.Feeds {
		if !f.Kind.IsAdvisory() {
			continue
		}
		ix, err := db.loadIndex(f)
		if err != nil {
			return nil, err
		}
		s.advisory = append(s.advisory, advFeed{entry: f, index: ix})
	}
	s.buildByID()
	// Open every blob now: a snapshot held open stays readable even after
	// later updates garbage-collect its files.
	for i := range s.advisory {
		if _, err := s.zip(i); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.enrichFiles = map[string]*os.File{}
	for _, f := range m.Feeds {
		if kindSpecs[f.Kind].load == nil {
			continue
		}
		fh, err := os.Open(db.blobPath(f.Blob))
		if err != nil {
			s.Close()
			return nil, &CorruptError{Path: db.blobPath(f.Blob), Err: err}
		}
		s.enrichFiles[f.Name] = fh
	}
	return s, nil
}

// buildByID picks, for every id, the newest copy across feeds (earlier
// feed on a tie): the same GHSA record is published in several ecosystem
// zips.
func (s *Snapshot) buildByID() {
	for fi, af := range s.advisory {
		for ei := range af.index.Entries {
			e := &af.index.Entries[ei]
			if old, ok := s.byID[e.ID]; ok {
				if !e.Modified.After(s.entry(old).Modified) {
					continue
				}
			}
			s.byID[e.ID] = recordLoc{feed: int32(fi), entry: int32(ei)}
		}
	}
}

func (s *Snapshot) entry(l recordLoc) *indexEntry {
	return &s.advisory[l.feed].index.Entries[l.entry]
}

// loadIndex reads the cached index of an advisory blob, rebuilding it from
// the blob when the cache is missing or unreadable.
func (db *DB) loadIndex(f FeedEntry) (*blobIndex, error) {
	db.ixMu.Lock()
	ix, ok := db.ixCache[f.Blob]
	db.ixMu.Unlock()
	if ok {
		return ix, nil
	}
	ix, err := db.readIndex(f)
	if err != nil {
		return nil, err
	}
	db.cacheIndex(ix)
	return ix, nil
}

func (db *DB) cacheIndex(ix *blobIndex) {
	db.ixMu.Lock()
	defer db.ixMu.Unlock()
	if len(db.ixCache) > 4096 {
		clear(db.ixCache)
	}
	db.ixCache[ix.Blob] = ix
}

func (db *DB) readIndex(f FeedEntry) (*blobIndex, error) {
	p := db.blobPath(f.Blob) + indexSuffix
	data, err := readFileCapped(p, maxIndexSize)
	if err == nil {
		if ix, perr := parseIndex(data, f.Blob); perr == nil {
			return ix, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, &CorruptError{Path: p, Err: err}
	}
	ix, err := verifyOSVZip(context.Background(), db.blobPath(f.Blob), db.blobPath(f.Blob), f.Blob)
	if err != nil {
		return nil, &CorruptError{Path: db.blobPath(f.Blob), Err: err}
	}
	_ = db.writeIndex(ix) // a cache: failing to write it costs only time
	return ix, nil
}

func (db *DB) writeIndex(ix *blobIndex) error {
	db.cacheIndex(ix)
	data, err := encodeIndex(ix)
	if err != nil {
		return err
	}
	return writeFileAtomic(db.blobPath(ix.Blob)+indexSuffix, data)
}

// checkedState records when feeds were last confirmed current without a
// new snapshot being made.
type checkedState struct {
	Feeds map[string]time.Time `json:"feeds"`
}

func (db *DB) readChecked(id string) map[string]time.Time {
	data, err := readFileCapped(filepath.Join(db.snapPath(id), checkedFile), 1<<20)
	if err != nil {
		return nil
	}
	var c checkedState
	if json.Unmarshal(data, &c) != nil {
		return nil
	}
	return c.Feeds
}

// ID returns the snapshot id.
func (s *Snapshot) ID() string { return s.m.ID }

// Dir returns the snapshot directory, where derived caches (the match
// index) may be written. Files written there are removed with the snapshot.
func (s *Snapshot) Dir() string { return s.db.snapPath(s.m.ID) }

// CreatedAt returns when the snapshot was made.
func (s *Snapshot) CreatedAt() time.Time { return s.m.CreatedAt }

// Manifest returns a copy of the snapshot's manifest.
func (s *Snapshot) Manifest() Manifest {
	m := *s.m
	m.Feeds = append([]FeedEntry(nil), s.m.Feeds...)
	return m
}

// RecordCount returns the number of distinct advisory ids in the snapshot.
func (s *Snapshot) RecordCount() int { return len(s.byID) }

// FeedOf returns the name of the feed the record with this id is read from
// ("osv/PyPI", "debian/DSA"), or "" when the id is unknown.
func (s *Snapshot) FeedOf(id string) string {
	l, ok := s.byID[id]
	if !ok {
		return ""
	}
	return s.advisory[l.feed].entry.Name
}

// FeedStatus describes one feed of a snapshot.
type FeedStatus struct {
	Name      string    `json:"name"`
	Kind      Kind      `json:"kind"`
	Source    string    `json:"source"`
	FetchedAt time.Time `json:"fetchedAt"`
	// FetchedAt is when the feed's current content was downloaded;
	// CheckedAt is the last time the source was fetched or confirmed
	// unchanged (at least FetchedAt). Staleness is judged on CheckedAt.
	CheckedAt time.Time `json:"checkedAt"`
	Records   int       `json:"records"`
	Snapshot  string    `json:"snapshot"`
	SHA256    string    `json:"sha256"`
	Size      int64     `json:"size"`
}

// Feeds describes every feed of the snapshot, advisory feeds first.
func (s *Snapshot) Feeds() []FeedStatus {
	out := make([]FeedStatus, 0, len(s.m.Feeds))
	for _, f := range s.m.Feeds {
		checked := f.FetchedAt
		if t, ok := s.checked[f.Name]; ok && t.After(checked) {
			checked = t
		}
		out = append(out, FeedStatus{Name: f.Name, Kind: f.Kind, Source: f.Source, FetchedAt: f.FetchedAt,
			CheckedAt: checked, Records: f.Records, Snapshot: s.m.ID, SHA256: f.Fingerprint.SHA256, Size: f.Fingerprint.Size})
	}
	return out
}

// KEV returns the CISA KEV entry of a CVE.
func (s *Snapshot) KEV(cve string) (model.KEV, bool) {
	k, ok := s.enrichment().kev[cve]
	return k, ok
}

// EPSS returns the EPSS score of a CVE.
func (s *Snapshot) EPSS(cve string) (model.EPSS, bool) {
	e, ok := s.enrichment().epss[cve]
	return e, ok
}

// NVDCVSS returns the CVSS vectors NVD publishes for a CVE (nil when the
// NVD feed is not enabled or does not hold it).
func (s *Snapshot) NVDCVSS(cve string) []model.CVSS {
	return s.enrichment().nvd[cve]
}

// EnrichmentErrors returns the errors met while loading enrichment feeds;
// a feed that fails to load gives no data instead of failing lookups.
func (s *Snapshot) EnrichmentErrors() []error {
	return s.enrichment().errs
}

// Close releases the open feed files.
func (s *Snapshot) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for k, h := range s.zips {
		errs = append(errs, h.f.Close())
		delete(s.zips, k)
	}
	for k, f := range s.enrichFiles {
		errs = append(errs, f.Close())
		delete(s.enrichFiles, k)
	}
	return errors.Join(errs...)
}

// zip returns the open blob of advisory feed i.
func (s *Snapshot) zip(i int) (*zipHandle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.zips[i]; ok {
		return h, nil
	}
	p := s.db.blobPath(s.advisory[i].entry.Blob)
	f, err := os.Open(p)
	if err != nil {
		return nil, &CorruptError{Path: p, Err: err}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &CorruptError{Path: p, Err: err}
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, &CorruptError{Path: p, Err: fmt.Errorf("not a zip: %w", err)}
	}
	h := &zipHandle{f: f, zr: zr, byName: make(map[string]*zip.File, len(zr.File))}
	for _, zf := range zr.File {
		h.byName[zf.Name] = zf
	}
	s.zips[i] = h
	return h, nil
}
