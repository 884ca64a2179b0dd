package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigilsec/vigil/internal/fsx"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/source"
)

// UnsupportedSourceError is returned for a source kind Index does not know.
type UnsupportedSourceError struct {
	Source source.Source
}

// Error implements error.
func (e *UnsupportedSourceError) Error() string {
	return fmt.Sprintf("index: unsupported source %T", e.Source)
}

// Index inventories a resolved source: a *source.Dir, *source.Image or
// *source.Function. It returns an error only when ctx is cancelled or the
// scan cannot start; everything else becomes an issue of a partial
// inventory.
func Index(ctx context.Context, src source.Source, opts Options) (*model.Inventory, error) {
	switch s := src.(type) {
	case *source.Dir:
		return IndexDir(ctx, s, opts)
	case *source.Image:
		return IndexImage(ctx, s, opts)
	case *source.Function:
		return IndexFunction(ctx, s, opts)
	}
	return nil, &UnsupportedSourceError{Source: src}
}

// indexer holds one scan's state.
type indexer struct {
	opts    Options
	budget  *fsx.Budget
	tempDir string
	cache   *cache
}

// start prepares a scan; the returned function ends it.
func start(ctx context.Context, opts Options) (context.Context, *indexer, func(), error) {
	opts = opts.withDefaults()
	dir, err := os.MkdirTemp(opts.TempDir, "vigil-index-*")
	if err != nil {
		return nil, nil, nil, err
	}
	ix := &indexer{opts: opts, budget: fsx.NewBudget(opts.Limits), tempDir: dir}
	if opts.CacheDir != "" {
		c, err := newCache(opts.CacheDir)
		if err != nil {
			slog.Warn("index: cache disabled", "dir", opts.CacheDir, "err", err)
		} else {
			ix.cache = c
		}
	}
	cancel := func() {}
	if opts.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
	}
	return ctx, ix, func() {
		cancel()
		if err := os.RemoveAll(dir); err != nil {
			slog.Warn("index: removing scratch dir", "dir", dir, "err", err)
		}
	}, nil
}

// IndexDir inventories a directory or root file system in one walk.
func IndexDir(ctx context.Context, d *source.Dir, opts Options) (*model.Inventory, error) {
	ctx, ix, done, err := start(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer done()
	l := ix.scanLayer(ctx, "", false, func(context.Context) (fsx.Source, io.Closer, error) {
		s, err := fsx.NewDir(d.Path)
		return s, nil, err
	})
	return ix.finish(ctx, d.Target(), nil, []*layerResult{l})
}

// IndexImage inventories an image from its layer blobs, in parallel and
// streaming.
func IndexImage(ctx context.Context, img *source.Image, opts Options) (*model.Inventory, error) {
	ctx, ix, done, err := start(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer done()
	layers := make([]*layerResult, len(img.Layers))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(ix.opts.Parallelism)
	for i, lay := range img.Layers {
		g.Go(func() error {
			layers[i] = ix.scanLayer(gctx, lay.DiffID, true, func(context.Context) (fsx.Source, io.Closer, error) {
				blob, err := lay.Open()
				if err != nil {
					return nil, nil, err
				}
				rc := verify(blob, lay.Digest)
				zr, _, err := fsx.Decompress(rc, *ix.budget.Limits(), lay.DiffID)
				if err != nil {
					rc.Close()
					return nil, nil, err
				}
				return fsx.NewTar(zr, lay.DiffID), closers{zr, rc}, nil
			})
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); errors.Is(err, context.Canceled) {
		return nil, err
	}
	meta := make([]model.Layer, len(img.Layers))
	for i, l := range img.Layers {
		meta[i] = l.Layer
	}
	return ix.finish(ctx, img.Target(), meta, layers)
}

// IndexFunction inventories a function package: its layer zips under
// /opt, in order, then its code under /var/task.
func IndexFunction(ctx context.Context, f *source.Function, opts Options) (*model.Inventory, error) {
	ctx, ix, done, err := start(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer done()
	zips := append(append([]*source.ZipFile(nil), f.Layers...), f.Code)
	layers := make([]*layerResult, len(zips))
	for i, z := range zips {
		id := z.Digest
		if z == f.Code {
			id = ""
		}
		layers[i] = ix.scanLayer(ctx, id, true, func(context.Context) (fsx.Source, io.Closer, error) {
			s, err := fsx.NewZip(z.File, z.Size, z.Prefix, z.Path, *ix.budget.Limits())
			return s, nil, err
		})
	}
	if err := ctx.Err(); errors.Is(err, context.Canceled) {
		return nil, err
	}
	return ix.finish(ctx, f.Target(), nil, layers)
}

type closers []io.Closer

func (cs closers) Close() error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// finish squashes the layers and builds the inventory.
func (ix *indexer) finish(ctx context.Context, t model.Target, meta []model.Layer, layers []*layerResult) (*model.Inventory, error) {
	if err := ctx.Err(); errors.Is(err, context.Canceled) {
		return nil, err
	}
	pkgs, osFiles := squash(layers, ix.opts.Extractors)
	inv := &model.Inventory{Target: t, Layers: meta}
	inv.OS = detectOS(osFiles)
	qualify(pkgs, inv.OS)
	markOwned(pkgs, layers)
	pkgs = dedupe(pkgs) // and sorts
	if pkgs == nil {
		pkgs = []model.Package{}
	}
	inv.Packages = pkgs
	for _, l := range layers {
		inv.Issues = append(inv.Issues, l.meta.Issues...)
		for _, ex := range ix.opts.Extractors {
			if e := l.ext[ex.Name()]; e != nil {
				inv.Issues = append(inv.Issues, e.Issues...)
			}
		}
	}
	inv.Partial = len(inv.Issues) > 0
	var st fsx.Stats
	cached := 0
	for _, l := range layers {
		st.Entries += l.stats.Entries
		st.FilesRead += l.stats.FilesRead
		st.BytesRead += l.stats.BytesRead
		st.Spilled += l.stats.Spilled
		if l.cached {
			cached++
		}
	}
	slog.Debug("index: done", "target", t.Name, "layers", len(layers), "cached", cached,
		"entries", st.Entries, "filesRead", st.FilesRead, "bytesRead", st.BytesRead, "spilled", st.Spilled,
		"packages", len(pkgs), "issues", len(inv.Issues))
	inv.IndexedAt = ix.opts.Now().UTC().Truncate(time.Millisecond)
	return inv, nil
}
