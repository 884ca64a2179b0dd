package match

import (
	"context"
	"os"
	"runtime"
)

// section returns the section of key k, reading it from the persisted file
// the first time it is needed; nil when the index holds nothing under k.
// A section the file cannot give back (corrupt, truncated, replaced in
// place) makes the index rebuild itself from the snapshot's records once;
// only when that fails too is the error returned.
func (ix *Index) section(k ecoKey) (*section, error) {
	sec := ix.secs[k]
	if sec == nil {
		return nil, nil
	}
	sec.once.Do(func() { ix.loadSection(sec) })
	if sec.err == nil {
		return sec, nil
	}
	fb, err := ix.fallback()
	if err != nil {
		return nil, err
	}
	return fb.section(k)
}

// loadSection reads and decodes sec from the file.
func (ix *Index) loadSection(sec *section) {
	data, err := ix.file.block(sec.loc)
	if err != nil {
		sec.err = err
		return
	}
	names, recs, ecoNames, err := decodeSection(data, ix.file.path)
	if err != nil {
		sec.err = err
		return
	}
	sec.names, sec.recs, sec.ecoNames = names, recs, ecoNames
}

// loadIssues reads a loaded index's build issues from its file.
func (ix *Index) loadIssues() {
	if ix.file == nil {
		return
	}
	data, err := ix.file.block(ix.file.issues)
	if err == nil {
		ix.issues, err = decodeIssues(data, ix.file.path)
	}
	if err != nil {
		fb, ferr := ix.fallback()
		if ferr != nil {
			ix.issues = []BuildIssue{{Reason: "reading the persisted index: " + ferr.Error()}}
			return
		}
		ix.issues = fb.Issues()
	}
}

// fallback rebuilds a loaded index whose file turned out unreadable from
// the snapshot's records, once, and persists the rebuilt index in place of
// the bad file.
func (ix *Index) fallback() (*Index, error) {
	ix.fb.once.Do(func() {
		if ix.snap == nil {
			ix.fb.err = &FormatError{Path: ix.file.path, Reason: "corrupt section and no snapshot to rebuild from"}
			return
		}
		ix.fb.ix, ix.fb.err = rebuild(context.Background(), ix.snap, ix.file.path)
	})
	return ix.fb.ix, ix.fb.err
}

// rebuild builds the index of snap from its records and persists it at
// path. Failing to persist is not an error; it is listed in the index's
// Issues.
func rebuild(ctx context.Context, snap Snapshot, path string) (*Index, error) {
	slims, err := slimAll(ctx, snap.Records(ctx))
	if err != nil {
		return nil, err
	}
	ix, err := compile(ctx, snap.ID(), slims, snap)
	if err != nil {
		return nil, err
	}
	if werr := writeIndexFile(path, ix); werr != nil {
		ix.issues = append(ix.issues, BuildIssue{Reason: "persisting the index: " + werr.Error()})
	}
	return ix, nil
}

// openIndex returns the lazily loaded index persisted at path for snap.
// The file stays open until the index is garbage.
func openIndex(path string, snap Snapshot) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	ix, err := readIndex(f, st.Size(), path, snap.ID(), snap)
	if err != nil {
		f.Close()
		return nil, err
	}
	ix.snap = snap
	runtime.AddCleanup(ix, func(f *os.File) { f.Close() }, f)
	return ix, nil
}
