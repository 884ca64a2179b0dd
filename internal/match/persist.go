package match

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// IndexFileName is the persisted index's file name in a snapshot directory.
// (The name predates FormatVersion 2; the version lives in the file.)
const IndexFileName = "match-index.v1.bin"

// FormatVersion is the persisted format's version. It changes whenever
// the layout or the meaning of a field changes, so that an index written
// by an older vigil is rebuilt instead of misread.
//
// Version 2 was partitioned: a small header lists one section
// per ecosystem key with its offset, length and CRC-32C, and Load reads
// only the header; a section is read and decoded the first time a package
// of its ecosystem is matched. Version 3 (this one) adds each record's
// feed, so that evidence needs no snapshot lookup. See codec.go for the
// section layout.
const FormatVersion uint32 = 3

// magic starts every persisted index.
var magic = [8]byte{'V', 'G', 'L', 'M', 'I', 'D', 'X', 0}

// Bounds on what a persisted index may claim.
const (
	maxPersisted  = 5_000_000 // records or entries
	maxHeader     = 64 << 20  // header bytes
	maxBlock      = 1 << 30   // bytes of one section
	fixedHeadSize = 16        // magic, version, header length
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// blockLoc locates a checksummed block of the file.
type blockLoc struct {
	off, n int64
	crc    uint32
}

// indexFile is an open persisted index.
type indexFile struct {
	r      io.ReaderAt
	size   int64
	path   string
	issues blockLoc
}

// block reads and checks the block at loc.
func (f *indexFile) block(loc blockLoc) ([]byte, error) {
	if loc.off < 0 || loc.n < 0 || loc.n > maxBlock || loc.off > f.size || loc.n > f.size-loc.off {
		return nil, &FormatError{Path: f.path, Reason: "section out of bounds"}
	}
	data := make([]byte, loc.n)
	if _, err := f.r.ReadAt(data, loc.off); err != nil {
		return nil, &FormatError{Path: f.path, Reason: "reading a section", Err: err}
	}
	if crc32.Checksum(data, castagnoli) != loc.crc {
		return nil, &FormatError{Path: f.path, Reason: "section checksum mismatch"}
	}
	return data, nil
}

// Load returns the index of snap: read from the persisted copy in
// snap.Dir() when it is present, of this format and of this snapshot;
// otherwise built from snap.Records and persisted (atomically, temp file
// and rename) for the next scan. Failing to persist is not an error; it is
// listed in the index's Issues.
//
// Loading a persisted copy reads only its header: each ecosystem's section
// is read when first needed. A section found corrupt then makes the index
// rebuild itself from snap's records (and rewrite the file), so snap must
// stay usable while the index is.
func Load(ctx context.Context, snap Snapshot) (*Index, error) {
	path := filepath.Join(snap.Dir(), IndexFileName)
	if ix, err := openIndex(path, snap); err == nil {
		return ix, nil
	}
	return rebuild(ctx, snap, path)
}

// writeIndexFile writes ix to path through a temporary file in the
// same directory and a rename, so a reader never sees a partial file.
func writeIndexFile(path string, ix *Index) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".match-index-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if err = encodeIndex(w, ix); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// encodeIndex writes ix (a built index: every section present) in the
// persisted format: the fixed head, the header, its CRC, the sections in
// key order, the issues block.
func encodeIndex(w io.Writer, ix *Index) error {
	keys := make([]ecoKey, 0, len(ix.secs))
	for k := range ix.secs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b ecoKey) int {
		if c := strings.Compare(a.base, b.base); c != 0 {
			return c
		}
		return strings.Compare(a.release, b.release)
	})
	blocks := make([][]byte, len(keys)+1)
	for i, k := range keys {
		sec, err := ix.section(k)
		if err != nil {
			return err
		}
		if sec == nil {
			return errors.New("match: encoding an index without section " + k.base)
		}
		blocks[i] = encodeSection(sec)
	}
	blocks[len(keys)] = encodeIssues(ix.Issues())

	// The header's size depends on the offsets it holds: lay the blocks
	// out after a header encoded with a guessed size until it fits.
	var head []byte
	for guess := 0; ; {
		off := int64(fixedHeadSize + guess + 4)
		var e enc
		e.str(ix.snapshot)
		e.uvarint(uint64(ix.nRecords))
		e.uvarint(uint64(ix.nEntries))
		locs := make([]blockLoc, len(blocks))
		for i, b := range blocks {
			locs[i] = blockLoc{off: off, n: int64(len(b)), crc: crc32.Checksum(b, castagnoli)}
			off += int64(len(b))
		}
		e.uvarint(uint64(off)) // file size
		e.loc(locs[len(keys)])
		e.uvarint(uint64(len(keys)))
		for i, k := range keys {
			e.str(k.base)
			e.str(k.release)
			e.loc(locs[i])
		}
		if len(e.b) == guess {
			head = e.b
			break
		}
		guess = len(e.b)
	}
	var fixed [fixedHeadSize]byte
	copy(fixed[:8], magic[:])
	binary.LittleEndian.PutUint32(fixed[8:], FormatVersion)
	binary.LittleEndian.PutUint32(fixed[12:], uint32(len(head)))
	var sum [4]byte
	binary.LittleEndian.PutUint32(sum[:], crc32.Checksum(head, castagnoli))
	for _, b := range append([][]byte{fixed[:], head, sum[:]}, blocks...) {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// readIndexFile checks that path holds a complete persisted index for
// snapshot, every section included. Any problem is a *FormatError (or the
// fs error for a missing file).
func readIndexFile(path, snapshot string) (*Index, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeIndex(data, path, snapshot)
}

// decodeIndex decodes a whole persisted index held in data, reading every
// section and the issues.
func decodeIndex(data []byte, path, snapshot string) (*Index, error) {
	ix, err := readIndex(bytesReaderAt(data), int64(len(data)), path, snapshot, nil)
	if err != nil {
		return nil, err
	}
	for k, sec := range ix.secs {
		sec.once.Do(func() { ix.loadSection(sec) })
		if sec.err != nil {
			return nil, sec.err
		}
		_ = k
	}
	data, err = ix.file.block(ix.file.issues)
	if err != nil {
		return nil, err
	}
	if ix.issues, err = decodeIssues(data, path); err != nil {
		return nil, err
	}
	ix.issuesOnce.Do(func() {})
	return ix, nil
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// readIndex reads the head and header of a persisted index of size bytes
// from r and returns the index with its sections not yet read.
func readIndex(r io.ReaderAt, size int64, path, snapshot string, env Enricher) (*Index, error) {
	var fixed [fixedHeadSize]byte
	if _, err := r.ReadAt(fixed[:], 0); err != nil {
		return nil, &FormatError{Path: path, Reason: "short header", Err: err}
	}
	if [8]byte(fixed[:8]) != magic {
		return nil, &FormatError{Path: path, Reason: "not a vigil match index"}
	}
	if v := binary.LittleEndian.Uint32(fixed[8:]); v != FormatVersion {
		return nil, &FormatError{Path: path, Reason: "format version mismatch"}
	}
	hn := int64(binary.LittleEndian.Uint32(fixed[12:]))
	if hn > maxHeader || fixedHeadSize+hn+4 > size {
		return nil, &FormatError{Path: path, Reason: "implausible header length"}
	}
	buf := make([]byte, hn+4)
	if _, err := r.ReadAt(buf, fixedHeadSize); err != nil {
		return nil, &FormatError{Path: path, Reason: "short header", Err: err}
	}
	head := buf[:hn]
	if crc32.Checksum(head, castagnoli) != binary.LittleEndian.Uint32(buf[hn:]) {
		return nil, &FormatError{Path: path, Reason: "header checksum mismatch"}
	}
	d := dec{b: head}
	snap := strings.Clone(d.str())
	nRecords, nEntries := d.uvarint(), d.uvarint()
	fileSize := d.uvarint()
	issues := d.loc()
	n := d.count()
	if d.err != nil {
		return nil, &FormatError{Path: path, Reason: "bad header", Err: d.err}
	}
	if snap != snapshot {
		return nil, &FormatError{Path: path, Reason: "written for snapshot " + snap}
	}
	if nRecords > maxPersisted || nEntries > maxPersisted {
		return nil, &FormatError{Path: path, Reason: "implausible record count"}
	}
	if fileSize != uint64(size) {
		return nil, &FormatError{Path: path, Reason: "file size mismatch (truncated?)"}
	}
	ix := newIndex(snapshot, env)
	ix.nRecords, ix.nEntries = int(nRecords), int(nEntries)
	ix.file = &indexFile{r: r, size: size, path: path, issues: issues}
	ix.secs = make(map[ecoKey]*section, n)
	for range n {
		k := ecoKey{base: strings.Clone(d.str()), release: strings.Clone(d.str())}
		loc := d.loc()
		if d.err != nil {
			return nil, &FormatError{Path: path, Reason: "bad header", Err: d.err}
		}
		if _, dup := ix.secs[k]; dup {
			return nil, &FormatError{Path: path, Reason: "duplicate section"}
		}
		ix.secs[k] = &section{loc: loc}
	}
	if len(d.b) != 0 {
		return nil, &FormatError{Path: path, Reason: "bad header: trailing bytes"}
	}
	return ix, nil
}
