package match

import (
	"context"
	"sync"

	"github.com/vigilsec/vigil/internal/osv"
)

// recordDetails is what matching takes from a full record: its prose,
// references and CWEs. Cached values are shared and never modified.
type recordDetails struct {
	summary string
	details string
	refs    []string
	cwes    []string
	size    int // approximate bytes held
}

// detailsCacheBytes bounds the record details an index keeps parsed. The
// details of the records a fleet's packages match are a small part of a
// snapshot (tens of megabytes of JSON in all); 32 MiB keeps the hot ones.
const detailsCacheBytes = 32 << 20

// detailsCache keeps the details of the records read for matches, so that
// each record's JSON is read and parsed once per snapshot rather than once
// per match. It holds at most max bytes (approximately), evicting the
// oldest entries first, and is safe for concurrent use. Failed reads are
// not cached.
type detailsCache struct {
	mu    sync.Mutex
	max   int
	bytes int
	m     map[detailsKey]*recordDetails
	fifo  []detailsKey // insertion order; head is the oldest
	head  int
	hits  int64
	miss  int64
}

type detailsKey struct{ feed, id string }

func newDetailsCache(maxBytes int) *detailsCache {
	return &detailsCache{max: maxBytes, m: make(map[detailsKey]*recordDetails)}
}

func (c *detailsCache) get(k detailsKey) *recordDetails {
	c.mu.Lock()
	d := c.m[k]
	if d != nil {
		c.hits++
	} else {
		c.miss++
	}
	c.mu.Unlock()
	return d
}

func (c *detailsCache) put(k detailsKey, d *recordDetails) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok || d.size > c.max {
		return
	}
	for c.bytes+d.size > c.max && c.head < len(c.fifo) {
		old := c.fifo[c.head]
		c.fifo[c.head] = detailsKey{}
		c.head++
		if o := c.m[old]; o != nil {
			c.bytes -= o.size
			delete(c.m, old)
		}
	}
	if c.head > len(c.fifo)/2 && c.head > 1024 {
		c.fifo = append(c.fifo[:0], c.fifo[c.head:]...)
		c.head = 0
	}
	c.m[k] = d
	c.fifo = append(c.fifo, k)
	c.bytes += d.size
}

// DetailsCacheStats reports the record-details cache of an index: entries
// and approximate bytes held, and lookups that hit and missed.
type DetailsCacheStats struct {
	Entries      int
	Bytes        int
	Hits, Misses int64
}

// DetailsCacheStats returns the state of the index's record-details cache.
func (ix *Index) DetailsCacheStats() DetailsCacheStats {
	c := ix.detailsCache()
	c.mu.Lock()
	defer c.mu.Unlock()
	return DetailsCacheStats{Entries: len(c.m), Bytes: c.bytes, Hits: c.hits, Misses: c.miss}
}

func (ix *Index) detailsCache() *detailsCache {
	ix.dcOnce.Do(func() { ix.dc = newDetailsCache(detailsCacheBytes) })
	return ix.dc
}

// recordDetails returns the details of record id from feed (through the
// cache), or nil when the record cannot be read.
func (ix *Index) recordDetails(ctx context.Context, feed, id string) *recordDetails {
	c := ix.detailsCache()
	k := detailsKey{feed, id}
	if d := c.get(k); d != nil {
		return d
	}
	fl, _ := ix.records.(FeedRecordLoader)
	var r *osv.Record
	var err error
	if fl != nil && feed != "" {
		r, err = fl.RecordFrom(ctx, feed, id)
	} else {
		r, err = ix.records.Record(ctx, id)
	}
	if err != nil || r == nil {
		return nil
	}
	d := &recordDetails{summary: r.Summary, details: r.Details, cwes: cwes(r)}
	if len(r.References) > 0 {
		d.refs = make([]string, 0, len(r.References))
		for _, ref := range r.References {
			d.refs = append(d.refs, ref.URL)
		}
	}
	d.size = 128 + len(k.feed) + len(k.id) + len(d.summary) + len(d.details)
	for _, s := range d.refs {
		d.size += 16 + len(s)
	}
	for _, s := range d.cwes {
		d.size += 16 + len(s)
	}
	c.put(k, d)
	return d
}
