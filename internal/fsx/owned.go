package fsx

import (
	"context"
	"fmt"
	"sort"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// MaxOwnedPaths bounds the owned paths one walk records (12 bytes each: 24
// MB at the bound). A Debian root has about 100 000.
const MaxOwnedPaths = 2_000_000

// An Owner reads what an OS package database records about the files its
// packages installed (dpkg's info/*.list, apk's F:/R: lines, rpm's file
// lists). The walk offers it the files it wants, read once with the
// extractors' files.
type Owner interface {
	// Name names the reader in issues ("owned/dpkg").
	Name() string
	// Required reports whether the reader wants the file at path; no I/O.
	Required(path string) bool
	// Owned reads the file and calls add for each path a package owns:
	// the package's name and the absolute, slash-separated path.
	Owned(ctx context.Context, in *extract.Input, add func(pkg, path string)) error
}

// OwnedSource is one database record of owned files: the database file
// that lists them (which squashing checks is still visible) and the OS
// package that owns them.
type OwnedSource struct {
	File    string
	Package string
}

// OwnedSet records which OS package owns which path, compactly: a 64-bit
// FNV-1a hash of each path (as PathSet) and a 32-bit index into Sources,
// 12 bytes a path. Fields are exported for the layer cache; build it with
// Add and Seal, query it with Lookup.
type OwnedSet struct {
	Sources []OwnedSource
	// Hashes is sorted after Seal; Refs[i] is the source of Hashes[i].
	Hashes []uint64
	Refs   []uint32
	// Dropped counts paths not recorded because of MaxOwnedPaths.
	Dropped int

	index map[OwnedSource]uint32
}

// NewOwnedSet returns an empty set.
func NewOwnedSet() *OwnedSet { return &OwnedSet{} }

// Add records that pkg, as listed in database file file, owns p. It
// reports false once MaxOwnedPaths paths are recorded.
func (s *OwnedSet) Add(file, pkg, p string) bool {
	if len(s.Hashes) >= MaxOwnedPaths {
		s.Dropped++
		return false
	}
	src := OwnedSource{File: file, Package: pkg}
	var ref uint32
	if n := len(s.Sources); n > 0 && s.Sources[n-1] == src {
		ref = uint32(n - 1)
	} else {
		if s.index == nil {
			s.index = map[OwnedSource]uint32{}
		}
		r, ok := s.index[src]
		if !ok {
			r = uint32(len(s.Sources))
			s.Sources = append(s.Sources, src)
			s.index[src] = r
		}
		ref = r
	}
	s.Hashes = append(s.Hashes, HashPath(p))
	s.Refs = append(s.Refs, ref)
	return true
}

// Seal sorts the set by hash and drops duplicate paths (keeping the first
// source recorded), making it ready for Lookup. It trims the slices to
// their length.
func (s *OwnedSet) Seal() {
	if s == nil {
		return
	}
	s.index = nil
	sort.Stable(byHash{s})
	n := 0
	for i := range s.Hashes {
		if n > 0 && s.Hashes[n-1] == s.Hashes[i] {
			continue
		}
		s.Hashes[n], s.Refs[n] = s.Hashes[i], s.Refs[i]
		n++
	}
	s.Hashes = append([]uint64(nil), s.Hashes[:n]...)
	s.Refs = append([]uint32(nil), s.Refs[:n]...)
	s.Sources = append([]OwnedSource(nil), s.Sources...)
}

// Lookup returns the index in Sources of the record that owns p.
func (s *OwnedSet) Lookup(p string) (int, bool) {
	if s == nil || len(s.Hashes) == 0 {
		return 0, false
	}
	h := HashPath(p)
	i := sort.Search(len(s.Hashes), func(i int) bool { return s.Hashes[i] >= h })
	if i < len(s.Hashes) && s.Hashes[i] == h {
		r := int(s.Refs[i])
		return r, r < len(s.Sources)
	}
	return 0, false
}

// Len returns the number of paths recorded.
func (s *OwnedSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.Hashes)
}

// Bytes returns the memory held by the sealed set's path entries.
func (s *OwnedSet) Bytes() int {
	if s == nil {
		return 0
	}
	return cap(s.Hashes)*8 + cap(s.Refs)*4
}

// byHash sorts an OwnedSet's two parallel slices by hash.
type byHash struct{ s *OwnedSet }

func (b byHash) Len() int           { return len(b.s.Hashes) }
func (b byHash) Less(i, j int) bool { return b.s.Hashes[i] < b.s.Hashes[j] }
func (b byHash) Swap(i, j int) {
	b.s.Hashes[i], b.s.Hashes[j] = b.s.Hashes[j], b.s.Hashes[i]
	b.s.Refs[i], b.s.Refs[j] = b.s.Refs[j], b.s.Refs[i]
}

// own runs one owner on one file. It returns an error only when the walk
// must stop.
func (w *walker) own(o Owner, fi extract.FileInfo, c *content) (err error) {
	r, ra := c.readers()
	in := &extract.Input{FileInfo: fi, Reader: r, ReaderAt: ra, Limits: w.opts.Budget.Limits(), TempDir: w.opts.TempDir}
	set := w.res.Owned
	dropped := set.Dropped
	func() {
		defer func() {
			if v := recover(); v != nil {
				err = &PanicError{Extractor: o.Name(), Value: v}
			}
		}()
		err = o.Owned(w.ctx, in, func(pkg, p string) { set.Add(fi.Path, pkg, p) })
	}()
	if dropped == 0 && set.Dropped > 0 {
		w.limit(o.Name(), fi.Path, "max-owned-paths",
			fmt.Sprintf("more than %d paths owned by OS packages; the rest are not recorded", MaxOwnedPaths))
	}
	if err == nil {
		return nil
	}
	if cerr := w.ctx.Err(); cerr != nil {
		return cerr
	}
	w.res.Issues = append(w.res.Issues, model.Issue{Plugin: o.Name(), Path: fi.Path, Reason: err.Error()})
	return nil
}
