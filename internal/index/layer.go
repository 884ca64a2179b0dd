package index

import (
	"context"
	"errors"
	"io"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/fsx"
	"github.com/vigilsec/vigil/internal/model"
)

// metaVersion versions the extractor-independent part of a cached layer
// result; bump it when what fsx records changes.
const metaVersion = 2

// layerMeta is what a walk records about a layer whatever the extractors.
type layerMeta struct {
	Version   int
	Whiteouts []string
	Opaques   []string
	NonDirs   []uint64
	Dirs      []uint64
	OSFiles   map[string][]byte
	Symlinks  map[string]string
	// Owned holds the paths the layer's OS package databases list as
	// installed by their packages (v2).
	Owned  *fsx.OwnedSet
	Issues []model.Issue
}

// extractorEntry is one extractor's result on one layer, as cached.
type extractorEntry struct {
	Packages map[string][]model.Package
	Issues   []model.Issue
}

// layerResult is one layer (or tree) ready to squash.
type layerResult struct {
	id        string // diff id, or zip digest; "" for a function's code
	meta      layerMeta
	paths     *fsx.PathSet
	ext       map[string]*extractorEntry
	whiteouts map[string]bool
	opaques   map[string]bool
	limited   bool
	stats     fsx.Stats
	cached    bool
}

func (l *layerResult) index() {
	l.whiteouts = make(map[string]bool, len(l.meta.Whiteouts))
	for _, p := range l.meta.Whiteouts {
		l.whiteouts[p] = true
	}
	l.opaques = make(map[string]bool, len(l.meta.Opaques))
	for _, p := range l.meta.Opaques {
		l.opaques[p] = true
	}
	if l.paths == nil && (l.meta.NonDirs != nil || l.meta.Dirs != nil) {
		l.paths = fsx.ImportPathSet(l.meta.NonDirs, l.meta.Dirs)
	}
}

// fromWalk converts a walk's result.
func fromWalk(id string, r *fsx.Result) *layerResult {
	l := &layerResult{id: id, paths: r.Paths, ext: map[string]*extractorEntry{}, limited: r.Limited, stats: r.Stats}
	l.meta = layerMeta{Version: metaVersion, Whiteouts: r.Whiteouts, Opaques: r.Opaques,
		OSFiles: r.OSFiles, Symlinks: r.Symlinks, Owned: r.Owned, Issues: r.Issues}
	for name, er := range r.Extractors {
		l.ext[name] = &extractorEntry{Packages: er.Packages, Issues: er.Issues}
	}
	return l
}

// opener opens a tree to walk: a layer blob, a zip.
type opener func(ctx context.Context) (fsx.Source, io.Closer, error)

// scanLayer produces the result of one layer, from the cache where it can
// and by walking it otherwise (only with the extractors the cache lacks).
// track records the layer's paths, which squashing layers needs; a single
// tree (a directory) does without.
func (ix *indexer) scanLayer(ctx context.Context, id string, track bool, open opener) *layerResult {
	var cached *layerResult
	missing := ix.opts.Extractors
	if ix.cache != nil && id != "" {
		cached, missing = ix.cache.load(id, ix.opts.Extractors)
		if cached != nil && len(missing) == 0 {
			cached.cached = true
			cached.index()
			return cached
		}
	}
	src, closer, err := open(ctx)
	if err != nil {
		return ix.brokenLayer(id, err)
	}
	res, err := fsx.Walk(ctx, src, fsx.Options{
		Extractors:     missing,
		OSFile:         osFile,
		Budget:         ix.budget,
		TempDir:        ix.tempDir,
		SpillThreshold: ix.opts.SpillThreshold,
		TrackPaths:     track,
		Label:          id,
		Owners:         owners,
	})
	if err != nil {
		if closer != nil {
			closer.Close()
		}
		return ix.brokenLayer(id, err)
	}
	if closer != nil {
		// Closing checks the blob's digest: a mismatch discards the walk.
		if cerr := closer.Close(); cerr != nil {
			return ix.brokenLayer(id, cerr)
		}
	}
	l := fromWalk(id, res)
	if ix.cache != nil && id != "" && !l.limited {
		ix.cache.store(id, l, missing, cached == nil)
	}
	if cached != nil {
		for name, e := range cached.ext {
			l.ext[name] = e
		}
	}
	l.index()
	return l
}

// brokenLayer is the result of a layer that could not be read at all.
func (ix *indexer) brokenLayer(id string, err error) *layerResult {
	is := model.Issue{Plugin: "index", Path: id, Reason: "layer not read: " + err.Error()}
	var le *extract.LimitError
	if errors.As(err, &le) {
		is.Limit = le.Limit
	}
	if errors.Is(err, context.DeadlineExceeded) {
		is.Limit = "time"
	}
	l := &layerResult{id: id, ext: map[string]*extractorEntry{}, limited: true, paths: fsx.NewPathSet()}
	l.meta = layerMeta{Version: metaVersion, Issues: []model.Issue{is}}
	l.index()
	return l
}
