package advisory

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// run is one update or import in progress.
type run struct {
	db     *DB
	c      Common
	retry  RetryPolicy
	prev   *Manifest
	now    time.Time
	mu     sync.Mutex
	failed []error
}

// outcome is the result of one feed.
type outcome struct {
	feed  Feed
	entry *FeedEntry // nil when the feed failed or is missing
	res   FeedResult
}

// hooks customise apply.
type hooks struct {
	// fallback gives replacement feeds for a feed whose source is missing.
	fallback func(Feed) []Feed
	// extra gives feeds that depend on the records of the new snapshot
	// (NVD); it sees the manifest being built.
	extra func(ctx context.Context, m *Manifest) ([]Feed, error)
}

// apply fetches feeds and commits a new snapshot made of their results
// plus every feed of the current snapshot not among them.
func (db *DB) apply(ctx context.Context, feeds []Feed, c Common, retry RetryPolicy, h hooks) (*UpdateResult, error) {
	start := db.now()
	c = c.withDefaults()
	unlock, err := db.lock(ctx, lockFile)
	if err != nil {
		return nil, fmt.Errorf("lock advisory database: %w", err)
	}
	defer unlock()
	db.cleanStale(c)

	r := &run{db: db, c: c, retry: retry.withDefaults(), now: start.UTC()}
	prevID, err := db.currentID()
	if err != nil {
		return nil, err
	}
	if prevID != "" {
		if r.prev, err = db.readManifest(prevID); err != nil {
			// Rebuild from what this run fetches rather than stay stuck.
			c.Logger.Warn("current snapshot is unreadable; starting afresh", "err", err)
			r.prev = nil
		}
	}
	if err := uniqueNames(feeds); err != nil {
		return nil, err
	}
	outs := r.fetchAll(ctx, feeds)
	if h.fallback != nil {
		var more []Feed
		for _, o := range outs {
			if o.res.Status == FeedMissing {
				more = append(more, h.fallback(o.feed)...)
			}
		}
		if len(more) > 0 {
			outs = append(outs, r.fetchAll(ctx, more)...)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	res := &UpdateResult{Previous: prevID}
	next := map[string]FeedEntry{}
	if r.prev != nil {
		for _, f := range r.prev.Feeds {
			if !fileExists(db.blobPath(f.Blob)) {
				c.Logger.Warn("dropping feed whose data file is missing", "feed", f.Name, "blob", f.Blob)
				continue
			}
			next[f.Name] = f
		}
	}
	checked := map[string]time.Time{}
	m := &Manifest{Version: manifestVersion, CreatedAt: r.now}
	merge := func(outs []outcome) {
		for _, o := range outs {
			res.Feeds = append(res.Feeds, o.res)
			if o.entry != nil {
				next[o.entry.Name] = *o.entry
				checked[o.entry.Name] = r.now
			}
		}
		m.Feeds = m.Feeds[:0]
		for _, f := range next {
			m.Feeds = append(m.Feeds, f)
		}
		sortFeeds(m.Feeds)
	}
	merge(outs)
	if dr, err := r.deriveAlpine(ctx, next); err != nil {
		r.failed = append(r.failed, err)
		res.Feeds = append(res.Feeds, FeedResult{Name: alpineFeed, Kind: KindAlpine, Status: FeedFailed, Error: err.Error(), Err: err})
	} else if dr != nil {
		res.Feeds = append(res.Feeds, *dr)
		merge(nil)
	} else {
		merge(nil)
	}
	if h.extra != nil {
		more, err := h.extra(ctx, m)
		if err != nil {
			r.failed = append(r.failed, err)
		}
		merge(r.fetchAll(ctx, more))
	}
	feedErr := errors.Join(r.failed...)

	if r.prev != nil && sameBlobs(r.prev, m) {
		res.Snapshot, res.Unchanged = prevID, true
		db.markChecked(prevID, checked)
		res.Records = r.recordCount(prevID)
		res.Duration = time.Since(start)
		return res, feedErr
	}
	if len(m.Feeds) == 0 {
		return res, errors.Join(feedErr, errors.New("no feed could be fetched; the database was not created"))
	}
	if err := syncDir(filepath.Join(db.dir, blobsDir)); err != nil {
		return nil, err
	}
	diff, err := db.diffManifests(r.prev, m)
	if err != nil {
		return nil, err
	}
	m.ID = newSnapshotID(r.now)
	if err := db.commit(ctx, m, diff); err != nil {
		return nil, err
	}
	res.Snapshot, res.Diff = m.ID, *diff
	db.markChecked(m.ID, checked)
	res.Records = r.recordCount(m.ID)
	db.gc(c)
	res.Duration = time.Since(start)
	return res, feedErr
}

func uniqueNames(feeds []Feed) error {
	seen := map[string]bool{}
	for _, f := range feeds {
		if seen[f.Name()] {
			return fmt.Errorf("two feeds are named %s", f.Name())
		}
		seen[f.Name()] = true
	}
	return nil
}

func sameBlobs(a, b *Manifest) bool {
	if len(a.Feeds) != len(b.Feeds) {
		return false
	}
	for _, f := range b.Feeds {
		old, ok := a.feed(f.Name)
		if !ok || old.Blob != f.Blob || old.Kind != f.Kind {
			return false
		}
	}
	return true
}

func (r *run) recordCount(id string) int {
	s, err := r.db.openSnapshot(id)
	if err != nil {
		return 0
	}
	defer s.Close()
	return s.RecordCount()
}

// fetchAll runs every feed, c.Concurrency at a time.
func (r *run) fetchAll(ctx context.Context, feeds []Feed) []outcome {
	outs := make([]outcome, len(feeds))
	var g errgroup.Group
	g.SetLimit(r.c.Concurrency)
	for i, f := range feeds {
		g.Go(func() error {
			outs[i] = r.runFeed(ctx, f)
			if outs[i].res.Err != nil {
				r.mu.Lock()
				r.failed = append(r.failed, outs[i].res.Err)
				r.mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	return outs
}

// runFeed fetches, verifies and stores one feed.
func (r *run) runFeed(ctx context.Context, f Feed) outcome {
	o := outcome{feed: f, res: FeedResult{Name: f.Name(), Kind: f.Kind(), Source: f.Source()}}
	fail := func(err error) outcome {
		o.res.Status = FeedFailed
		o.res.Err = &FeedError{Feed: f.Name(), Err: err}
		o.res.Error = o.res.Err.Error()
		r.c.Logger.Info("feed failed", "feed", f.Name(), "err", err)
		return o
	}
	if _, ok := kindSpecs[f.Kind()]; !ok {
		return fail(fmt.Errorf("unknown kind %q", f.Kind()))
	}
	var prev *FeedEntry
	var prevFP Fingerprint
	if r.prev != nil {
		if p, ok := r.prev.feed(f.Name()); ok && p.Kind == f.Kind() {
			prev = &p
			if p.Source == f.Source() {
				prevFP = p.Fingerprint
			}
		}
	}
	dl, err := r.download(ctx, f, prevFP)
	if err != nil {
		if errors.Is(err, ErrNotModified) && prev != nil {
			e := *prev
			o.entry, o.res.Status, o.res.Records = &e, FeedUnchanged, e.Records
			return o
		}
		if isNotFound(err) {
			o.res.Status = FeedMissing
			o.res.Error = err.Error()
			return o
		}
		return fail(err)
	}
	defer os.Remove(dl.path)
	o.res.Transferred = dl.fp.Size
	if prev != nil && prev.Fingerprint.SHA256 == dl.fp.SHA256 && fileExists(r.db.blobPath(prev.Blob)) {
		e := *prev
		e.Source, e.Fingerprint = f.Source(), dl.fp
		o.entry, o.res.Status, o.res.Records = &e, FeedUnchanged, e.Records
		return o
	}
	blob, n, err := r.db.store(ctx, f, dl.path, dl.fp)
	if err != nil {
		return fail(err)
	}
	o.entry = &FeedEntry{Name: f.Name(), Kind: f.Kind(), Source: f.Source(), Fingerprint: dl.fp, FetchedAt: r.now, Records: n, Blob: blob}
	o.res.Status, o.res.Records = FeedUpdated, n
	r.c.Logger.Info("feed updated", "feed", f.Name(), "records", n, "bytes", dl.fp.Size)
	return o
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
