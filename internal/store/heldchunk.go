package store

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/klauspost/compress/s2"

	"github.com/vigilsec/vigil/internal/arena"
	"github.com/vigilsec/vigil/internal/model"
)

// HeldIndex is an inventory's package index as stored since migration
// 014: one row per PackageRef (Refs, sorted), which names the chunk
// holding its packages (Parts), and the chunks (Chunks), each the encoded
// packages of up to chunkRefs consecutive rows. The rows are written at
// as many places of the index as the inventory has package names, so they
// carry no package data: the chunks, a few per inventory, are appended in
// one place (BENCHMARKS.md, "package data in chunks"). A rematch after an
// advisory update reads, for each inventory holding a package it looks
// for, that package's row and its one small chunk.
type HeldIndex struct {
	Refs   []PackageRef
	Parts  []int
	Chunks [][]byte
}

// MaxHeldChunks bounds the chunks of one inventory (chunk ids are
// seq×MaxHeldChunks + part).
const MaxHeldChunks = 1024

// chunkRefs is the number of rows whose packages share a chunk, for
// inventories of up to chunkRefs×MaxHeldChunks package names (larger
// ones have larger chunks).
const chunkRefs = 16

// Chunk forms: the entries as they are, or S2-compressed.
const (
	chunkRaw = 'c'
	chunkS2  = 'x'
)

// HeldIndexOf returns inv's package index rows and chunks. What
// HeldBuilder decodes of them is what it decodes of HeldRefs's rows.
func HeldIndexOf(inv *model.Inventory) *HeldIndex {
	refs := heldRefs(inv, false)
	per := max(chunkRefs, (len(refs)+MaxHeldChunks-1)/MaxHeldChunks)
	x := &HeldIndex{Refs: make([]PackageRef, len(refs)), Parts: make([]int, len(refs)),
		Chunks: make([][]byte, 0, (len(refs)+per-1)/per)}
	// A chunk is assembled in raw and compressed into scratch, both reused;
	// the chunks kept share the arena's buffers.
	var raw, scratch []byte
	chunks := arena.Arena{Chunk: 16 << 10}
	for start := 0; start < len(refs); start += per {
		end := min(start+per, len(refs))
		need := 0
		for i := start; i < end; i++ {
			need += 3*binary.MaxVarintLen32 + len(refs[i].Ecosystem) + len(refs[i].Name) + len(refs[i].Packages)
		}
		raw = slices.Grow(raw[:0], need)
		for i := start; i < end; i++ {
			r := &refs[i]
			x.Refs[i], x.Parts[i] = r.PackageRef, len(x.Chunks)
			raw = appendEntry(raw, r.Ecosystem)
			raw = appendEntry(raw, r.Name)
			raw = appendEntry(raw, r.Packages)
		}
		if len(raw) < compressAbove {
			x.Chunks = append(x.Chunks, chunks.Keep(append(append(chunks.Room(1+len(raw)), chunkRaw), raw...)))
			continue
		}
		scratch = slices.Grow(scratch[:0], s2.MaxEncodedLen(len(raw)))
		enc := s2.Encode(scratch[:cap(scratch)], raw)
		x.Chunks = append(x.Chunks, chunks.Keep(append(append(chunks.Room(1+len(enc)), chunkS2), enc...)))
	}
	return x
}

func appendEntry[T ~string | ~[]byte](b []byte, v T) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

// ChunkIDs returns the range [lo, hi) of the chunk ids of the inventory
// indexed as seq.
func ChunkIDs(seq int64) (lo, hi int64) {
	return seq * MaxHeldChunks, (seq + 1) * MaxHeldChunks
}

// ChunkError is a package index chunk that cannot be read.
type ChunkError struct{ Reason string }

func (e *ChunkError) Error() string { return "package index chunk: " + e.Reason }

// ChunkPackages returns the encoded packages (HeldBuilder.Add's) that
// chunk holds for the row of ecosystem eco and name name (nil when it has
// none).
func ChunkPackages(chunk []byte, eco, name string) ([]byte, error) {
	var out []byte
	err := chunkEntries(chunk, func(e, n, p []byte) bool {
		if string(e) == eco && string(n) == name {
			out = slices.Clip(p)
			return false
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ChunkRefs returns the rows whose packages chunk holds: what deleting an
// inventory's package index deletes.
func ChunkRefs(chunk []byte) ([]PackageRef, error) {
	var out []PackageRef
	err := chunkEntries(chunk, func(e, n, _ []byte) bool {
		out = append(out, PackageRef{Ecosystem: string(e), Name: string(n)})
		return true
	})
	return out, err
}

// chunkEntries calls fn with each entry of chunk (ecosystem, name,
// encoded packages) until it returns false.
func chunkEntries(chunk []byte, fn func(eco, name, pkgs []byte) bool) error {
	if len(chunk) == 0 {
		return &ChunkError{Reason: "empty"}
	}
	raw := chunk[1:]
	switch chunk[0] {
	case chunkRaw:
	case chunkS2:
		n, err := s2.DecodedLen(raw)
		if err != nil || n > MaxInventoryBytes {
			return &ChunkError{Reason: "bad length"}
		}
		if raw, err = s2.Decode(nil, raw); err != nil {
			return &ChunkError{Reason: err.Error()}
		}
	default:
		return &ChunkError{Reason: fmt.Sprintf("unknown form %q", chunk[0])}
	}
	for len(raw) > 0 {
		var e, n, p []byte
		var err error
		if e, raw, err = readEntry(raw); err != nil {
			return err
		}
		if n, raw, err = readEntry(raw); err != nil {
			return err
		}
		if p, raw, err = readEntry(raw); err != nil {
			return err
		}
		if !fn(e, n, p) {
			return nil
		}
	}
	return nil
}

func readEntry(b []byte) (v, rest []byte, err error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, &ChunkError{Reason: "truncated entry"}
	}
	return b[k : k+int(n)], b[k+int(n):], nil
}
