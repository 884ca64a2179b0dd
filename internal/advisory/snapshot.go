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

// Snapshot is one immutable version of the advisory database. Opening one
// reads only its manifest and opens its files; everything else is loaded
// on first use and kept: a feed's record index when a lookup needs it, a
// feed's zip directory when a record of it is first read, the table of
// winning copies by id when a whole-snapshot question is asked (Records,
// Record, FeedOf, RecordCount), the enrichment maps on first lookup. A
// scan that reads records of one ecosystem through RecordFrom thus never
// touches the other feeds. A Snapshot is safe for concurrent use.
type Snapshot struct {
	db       *DB
	m        *Manifest
	advisory []*advFeed

	checked func() map[string]time.Time

	// byID says where the winning copy of every id lives; built by all.
	allOnce sync.Once
	byID    map[string]recordLoc
	allErr  error

	mu     sync.Mutex
	closed bool
	// enrichFiles are the enrichment blobs, opened with the snapshot so
	// that a later garbage collection cannot take them away.
	enrichFiles map[string]*os.File

	enrichOnce sync.Once
	enrich     *enrichment
}

// advFeed is an advisory feed of the snapshot. Its blob and cached index
// are opened with the snapshot (so that a long-lived reader survives later
// updates that garbage-collect them) and read when first needed.
type advFeed struct {
	entry FeedEntry
	blob  *os.File
	idx   *os.File // nil when the cached index was missing at open

	ixOnce sync.Once
	index  *blobIndex
	ixErr  error

	zOnce sync.Once
	zip   *zipHandle
	zErr  error

	idsOnce sync.Once
	ids     map[string]int32 // this feed's copy of each id, by entry
}

// recordLoc says where the winning copy of a record lives.
type recordLoc struct {
	feed  int32
	entry int32
}

// zipHandle is the parsed directory of an advisory blob.
type zipHandle struct {
	zr     *zip.Reader
	byName map[string]*zip.File
}

func (db *DB) openSnapshot(id string) (*Snapshot, error) {
	m, err := db.readManifest(id)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{db: db, m: m, enrichFiles: map[string]*os.File{}}
	s.checked = sync.OnceValue(func() map[string]time.Time { return db.readChecked(id) })
	// Open every file now: a snapshot held open stays readable even after
	// later updates garbage-collect them. Nothing is read yet.
	for _, f := range m.Feeds {
		p := db.blobPath(f.Blob)
		switch {
		case f.Kind.IsAdvisory():
			fh, err := os.Open(p)
			if err != nil {
				s.Close()
				return nil, &CorruptError{Path: p, Err: err}
			}
			af := &advFeed{entry: f, blob: fh}
			s.advisory = append(s.advisory, af)
			if ix, err := os.Open(p + indexSuffix); err == nil {
				af.idx = ix
			} else if !errors.Is(err, fs.ErrNotExist) {
				s.Close()
				return nil, &CorruptError{Path: p + indexSuffix, Err: err}
			}
		case kindSpecs[f.Kind].load != nil:
			fh, err := os.Open(p)
			if err != nil {
				s.Close()
				return nil, &CorruptError{Path: p, Err: err}
			}
			s.enrichFiles[f.Name] = fh
		}
	}
	return s, nil
}

// feedIndex returns the record index of advisory feed fi, reading it on
// first use: from the process-wide cache, from the cached index file
// opened with the snapshot, or, when that is missing or unreadable, by
// verifying the blob again (and rewriting the cache).
func (s *Snapshot) feedIndex(fi int) (*blobIndex, error) {
	af := s.advisory[fi]
	af.ixOnce.Do(func() { af.index, af.ixErr = s.loadFeedIndex(af) })
	return af.index, af.ixErr
}

func (s *Snapshot) loadFeedIndex(af *advFeed) (*blobIndex, error) {
	db := s.db
	blob := af.entry.Blob
	db.ixMu.Lock()
	ix, ok := db.ixCache[blob]
	db.ixMu.Unlock()
	if ok {
		return ix, nil
	}
	p := db.blobPath(blob) + indexSuffix
	if af.idx != nil {
		data, err := readOpenFileCapped(af.idx, p, maxIndexSize)
		if err != nil {
			return nil, &CorruptError{Path: p, Err: err}
		}
		if ix, err := parseIndex(data, blob); err == nil {
			db.cacheIndex(ix)
			return ix, nil
		}
	}
	h, err := s.feedZip(af)
	if err != nil {
		return nil, err
	}
	ix, err = verifyZipReader(context.Background(), h.zr, db.blobPath(blob), blob)
	if err != nil {
		return nil, &CorruptError{Path: db.blobPath(blob), Err: err}
	}
	db.cacheIndex(ix)
	if fileExists(db.blobPath(blob)) { // not for a blob an update has since removed
		_ = db.writeIndex(ix) // a cache: failing to write it costs only time
	}
	return ix, nil
}

// all loads every feed's index and picks, for every id, the newest copy
// across feeds (earlier feed on a tie): the same GHSA record is published
// in several ecosystem zips. A feed whose index cannot be read is left out
// of byID and its error kept in allErr.
func (s *Snapshot) all() error {
	s.allOnce.Do(func() {
		var wg sync.WaitGroup
		for fi := range s.advisory {
			wg.Go(func() { _, _ = s.feedIndex(fi) })
		}
		wg.Wait()
		var errs []error
		ixs := make([]*blobIndex, len(s.advisory))
		for fi := range s.advisory {
			ix, err := s.feedIndex(fi)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ixs[fi] = ix
		}
		s.byID = buildByID(ixs)
		s.allErr = errors.Join(errs...)
	})
	return s.allErr
}

// buildByID picks, for every id, the newest copy across the indexes
// (earlier index on a tie; nil indexes are skipped).
func buildByID(ixs []*blobIndex) map[string]recordLoc {
	n := 0
	for _, ix := range ixs {
		if ix != nil {
			n += len(ix.Entries)
		}
	}
	byID := make(map[string]recordLoc, n)
	for fi, ix := range ixs {
		if ix == nil {
			continue
		}
		for ei := range ix.Entries {
			e := &ix.Entries[ei]
			if old, ok := byID[e.ID]; ok {
				if !e.Modified.After(ixs[old.feed].Entries[old.entry].Modified) {
					continue
				}
			}
			byID[e.ID] = recordLoc{feed: int32(fi), entry: int32(ei)}
		}
	}
	return byID
}

// entry returns the index entry at l; the feed's index is loaded.
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
// It loads every feed's index; a feed whose index cannot be read is not
// counted (Records and Record report the error).
func (s *Snapshot) RecordCount() int {
	_ = s.all()
	return len(s.byID)
}

// FeedOf returns the name of the feed the record with this id is read from
// ("osv/PyPI", "debian/DSA"), or "" when the id is unknown. It loads every
// feed's index.
func (s *Snapshot) FeedOf(id string) string {
	_ = s.all()
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
	checkedAt := s.checked()
	for _, f := range s.m.Feeds {
		checked := f.FetchedAt
		if t, ok := checkedAt[f.Name]; ok && t.After(checked) {
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

// Close releases the open feed files. Reading records afterwards fails
// unless they were already read.
func (s *Snapshot) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	for _, af := range s.advisory {
		errs = append(errs, af.blob.Close())
		if af.idx != nil {
			errs = append(errs, af.idx.Close())
		}
	}
	for k, f := range s.enrichFiles {
		errs = append(errs, f.Close())
		delete(s.enrichFiles, k)
	}
	return errors.Join(errs...)
}

// zip returns the parsed blob of advisory feed i.
func (s *Snapshot) zip(i int) (*zipHandle, error) {
	return s.feedZip(s.advisory[i])
}

// feedZip parses the zip directory of af's blob on first use.
func (s *Snapshot) feedZip(af *advFeed) (*zipHandle, error) {
	af.zOnce.Do(func() {
		p := s.db.blobPath(af.entry.Blob)
		st, err := af.blob.Stat()
		if err != nil {
			af.zErr = &CorruptError{Path: p, Err: err}
			return
		}
		zr, err := zip.NewReader(af.blob, st.Size())
		if err != nil {
			af.zErr = &CorruptError{Path: p, Err: fmt.Errorf("not a zip: %w", err)}
			return
		}
		h := &zipHandle{zr: zr, byName: make(map[string]*zip.File, len(zr.File))}
		for _, zf := range zr.File {
			h.byName[zf.Name] = zf
		}
		af.zip = h
	})
	return af.zip, af.zErr
}
