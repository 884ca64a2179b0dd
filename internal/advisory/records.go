package advisory

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"sync"

	"github.com/vigilsec/vigil/internal/osv"
)

// recordBatch is how many records Records parses in parallel before
// yielding them in order.
const recordBatch = 512

// Records yields every advisory record of the snapshot once (when several
// feeds carry the same id, the newest copy), feed by feed in manifest
// order, including withdrawn records (check IsWithdrawn). Records are
// parsed in parallel ahead of the consumer. On error it yields (nil, err)
// once and stops.
func (s *Snapshot) Records(ctx context.Context) iter.Seq2[*osv.Record, error] {
	return func(yield func(*osv.Record, error) bool) {
		if err := s.all(); err != nil {
			yield(nil, err)
			return
		}
		for fi := range s.advisory {
			if !s.feedRecords(ctx, fi, yield) {
				return
			}
		}
	}
}

// feedRecords yields the winning records of advisory feed fi; it returns
// false when iteration must stop.
func (s *Snapshot) feedRecords(ctx context.Context, fi int, yield func(*osv.Record, error) bool) bool {
	h, err := s.zip(fi)
	if err != nil {
		yield(nil, err)
		return false
	}
	entries := s.advisory[fi].index.Entries // loaded by all
	var todo []int
	for ei := range entries {
		if s.byID[entries[ei].ID] == (recordLoc{feed: int32(fi), entry: int32(ei)}) {
			todo = append(todo, ei)
		}
	}
	out := make([]*osv.Record, recordBatch)
	errs := make([]error, recordBatch)
	workers := runtime.GOMAXPROCS(0)
	bufs := make([][]byte, workers)
	for start := 0; start < len(todo); start += recordBatch {
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return false
		}
		batch := todo[start:min(start+recordBatch, len(todo))]
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := w; i < len(batch); i += workers {
					out[i], errs[i] = s.readRecord(h, fi, entries[batch[i]].Entry, &bufs[w])
				}
			})
		}
		wg.Wait()
		for i := range batch {
			if errs[i] != nil {
				yield(nil, errs[i])
				return false
			}
			if !yield(out[i], nil) {
				return false
			}
			out[i] = nil
		}
	}
	return true
}

func (s *Snapshot) readRecord(h *zipHandle, fi int, entry string, buf *[]byte) (*osv.Record, error) {
	zf, ok := h.byName[entry]
	blob := s.db.blobPath(s.advisory[fi].entry.Blob)
	if !ok {
		return nil, &CorruptError{Path: blob, Err: fmt.Errorf("entry %s is missing", entry)}
	}
	data, err := readEntry(zf, buf)
	if err != nil {
		return nil, &CorruptError{Path: blob, Err: fmt.Errorf("entry %s: %w", entry, err)}
	}
	r, err := osv.Parse(entry, data)
	if err != nil {
		return nil, &CorruptError{Path: blob, Err: err}
	}
	return r, nil
}

// Record reads the record with the given id, or returns a *NotFoundError.
// It loads every feed's index (to find the winning copy); RecordFrom reads
// from one feed only.
func (s *Snapshot) Record(ctx context.Context, id string) (*osv.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.all(); err != nil {
		return nil, err
	}
	l, ok := s.byID[id]
	if !ok {
		return nil, &NotFoundError{ID: id}
	}
	h, err := s.zip(int(l.feed))
	if err != nil {
		return nil, err
	}
	var buf []byte
	return s.readRecord(h, int(l.feed), s.entry(l).Entry, &buf)
}

// RecordFrom reads the record with the given id from the named feed (its
// newest copy there), touching no other feed: only that feed's index and
// zip directory are loaded. For feed FeedOf(id) it returns what Record
// returns. It returns a *NotFoundError when the feed does not hold id; a
// feed the snapshot does not have (or "") falls back to Record.
func (s *Snapshot) RecordFrom(ctx context.Context, feed, id string) (*osv.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fi := -1
	for i, af := range s.advisory {
		if af.entry.Name == feed {
			fi = i
			break
		}
	}
	if fi < 0 {
		return s.Record(ctx, id)
	}
	ix, err := s.feedIndex(fi)
	if err != nil {
		return nil, err
	}
	af := s.advisory[fi]
	af.idsOnce.Do(func() {
		ids := make(map[string]int32, len(ix.Entries))
		for ei := range ix.Entries {
			e := &ix.Entries[ei]
			if old, ok := ids[e.ID]; ok && !e.Modified.After(ix.Entries[old].Modified) {
				continue
			}
			ids[e.ID] = int32(ei)
		}
		af.ids = ids
	})
	ei, ok := af.ids[id]
	if !ok {
		return nil, &NotFoundError{ID: id}
	}
	h, err := s.feedZip(af)
	if err != nil {
		return nil, err
	}
	var buf []byte
	return s.readRecord(h, fi, ix.Entries[ei].Entry, &buf)
}
