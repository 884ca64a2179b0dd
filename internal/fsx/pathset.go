package fsx

import "slices"

// PathSet is a compact set of the paths a layer holds, kept as 64-bit
// FNV-1a hashes (a collision needs ~2^32 paths to become likely). Squashing
// asks it whether a higher layer replaced or hid a lower layer's file.
type PathSet struct {
	m map[uint64]uint8
}

const (
	bitNonDir uint8 = 1 << iota
	bitDir
)

// NewPathSet returns an empty set.
func NewPathSet() *PathSet { return &PathSet{m: map[uint64]uint8{}} }

// HashPath returns the FNV-1a hash of p.
func HashPath(p string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(p); i++ {
		h ^= uint64(p[i])
		h *= 1099511628211
	}
	return h
}

// Add records p as a directory or as anything else.
func (s *PathSet) Add(p string, dir bool) {
	b := bitNonDir
	if dir {
		b = bitDir
	}
	s.m[HashPath(p)] |= b
}

// Has reports whether the layer holds p in any form.
func (s *PathSet) Has(p string) bool {
	return s != nil && s.m[HashPath(p)] != 0
}

// HasNonDir reports whether the layer holds p as something other than a
// directory (a file or link there hides whatever lower layers hold below p).
func (s *PathSet) HasNonDir(p string) bool {
	return s != nil && s.m[HashPath(p)]&bitNonDir != 0
}

// Len returns the number of distinct paths.
func (s *PathSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.m)
}

// Export returns the hashes of non-directory and directory paths, sorted,
// for storage.
func (s *PathSet) Export() (nonDirs, dirs []uint64) {
	if s == nil {
		return nil, nil
	}
	for h, b := range s.m {
		if b&bitNonDir != 0 {
			nonDirs = append(nonDirs, h)
		}
		if b&bitDir != 0 {
			dirs = append(dirs, h)
		}
	}
	slices.Sort(nonDirs)
	slices.Sort(dirs)
	return nonDirs, dirs
}

// ImportPathSet rebuilds a set from Export's output.
func ImportPathSet(nonDirs, dirs []uint64) *PathSet {
	s := &PathSet{m: make(map[uint64]uint8, len(nonDirs)+len(dirs))}
	for _, h := range nonDirs {
		s.m[h] |= bitNonDir
	}
	for _, h := range dirs {
		s.m[h] |= bitDir
	}
	return s
}
