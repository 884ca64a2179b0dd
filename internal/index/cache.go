package index

import (
	"encoding/gob"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/vigilsec/vigil/internal/extract"
)

// maxCacheFile bounds a cached file read back.
const maxCacheFile = 512 << 20

// layerIDPattern is what a cache key's layer part must look like: a digest
// ("sha256:<hex>"), so it can never name a path outside the cache.
var layerIDPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9]+:[a-f0-9]{32,128}$`)
})

// cache stores per-layer results under dir/<algo>-<hex>/: meta.v<N>.gob for
// the extractor-independent part, <extractor>@<version>.gob per extractor.
// Writes are atomic (temporary file, then rename); a file that cannot be
// read is a miss.
type cache struct {
	dir string
}

func newCache(dir string) (*cache, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return &cache{dir: dir}, nil
}

func (c *cache) layerDir(id string) (string, bool) {
	if !layerIDPattern().MatchString(id) {
		return "", false
	}
	return filepath.Join(c.dir, strings.Replace(id, ":", "-", 1)), true
}

func metaFile() string { return fmt.Sprintf("meta.v%d.gob", metaVersion) }

func entryFile(ex extract.Extractor) string {
	return url.PathEscape(ex.Name()) + fmt.Sprintf("@%d.gob", ex.Version())
}

// load returns the cached result of a layer (nil when its meta is not
// cached) and the extractors it has no entry for.
func (c *cache) load(id string, exs []extract.Extractor) (*layerResult, []extract.Extractor) {
	dir, ok := c.layerDir(id)
	if !ok {
		return nil, exs
	}
	var meta layerMeta
	if err := readGob(filepath.Join(dir, metaFile()), &meta); err != nil || meta.Version != metaVersion {
		return nil, exs
	}
	l := &layerResult{id: id, meta: meta, ext: map[string]*extractorEntry{}}
	var missing []extract.Extractor
	for _, ex := range exs {
		var e extractorEntry
		if err := readGob(filepath.Join(dir, entryFile(ex)), &e); err != nil {
			missing = append(missing, ex)
			continue
		}
		l.ext[ex.Name()] = &e
	}
	return l, missing
}

// store writes a layer's result: its meta when withMeta, and the entries
// of exs.
func (c *cache) store(id string, l *layerResult, exs []extract.Extractor, withMeta bool) {
	dir, ok := c.layerDir(id)
	if !ok {
		return
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		slog.Warn("index: cache dir", "dir", dir, "err", err)
		return
	}
	if withMeta {
		m := l.meta
		m.NonDirs, m.Dirs = l.paths.Export()
		if err := writeGob(dir, metaFile(), &m); err != nil {
			slog.Warn("index: cache write", "layer", id, "err", err)
			return
		}
	}
	for _, ex := range exs {
		e := l.ext[ex.Name()]
		if e == nil {
			continue
		}
		if err := writeGob(dir, entryFile(ex), e); err != nil {
			slog.Warn("index: cache write", "layer", id, "extractor", ex.Name(), "err", err)
		}
	}
}

func readGob(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return gob.NewDecoder(io.LimitReader(f, maxCacheFile)).Decode(v)
}

func writeGob(dir, name string, v any) error {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := gob.NewEncoder(f).Encode(v); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
