package match

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/gob"
	"io"
	"os"
	"path/filepath"
)

// IndexFileName is the persisted index's file name in a snapshot directory.
const IndexFileName = "match-index.v1.bin"

// FormatVersion is the persisted format's version. It changes whenever
// slimRecord or the meaning of its fields changes, so that an index
// written by an older vigil is rebuilt instead of misread.
const FormatVersion uint32 = 1

// magic starts every persisted index.
var magic = [8]byte{'V', 'G', 'L', 'M', 'I', 'D', 'X', 0}

// maxPersisted bounds how many records a persisted index may claim.
const maxPersisted = 5_000_000

// fileHeader follows the magic and format version.
type fileHeader struct {
	Snapshot string
	Records  int
}

// Load returns the index of snap: read from the persisted copy in
// snap.Dir() when it is present, of this format and of this snapshot;
// otherwise built from snap.Records and persisted (atomically, temp file
// and rename) for the next scan. Failing to persist is not an error; it is
// listed in the index's Issues.
func Load(ctx context.Context, snap Snapshot) (*Index, error) {
	path := filepath.Join(snap.Dir(), IndexFileName)
	slims, err := readIndexFile(path, snap.ID())
	if err == nil {
		return compile(ctx, snap.ID(), slims, snap)
	}
	slims, err = slimAll(ctx, snap.Records(ctx))
	if err != nil {
		return nil, err
	}
	ix, err := compile(ctx, snap.ID(), slims, snap)
	if err != nil {
		return nil, err
	}
	if werr := writeIndexFile(path, snap.ID(), slims); werr != nil {
		ix.issues = append(ix.issues, BuildIssue{Reason: "persisting the index: " + werr.Error()})
	}
	return ix, nil
}

// writeIndexFile writes slims to path through a temporary file in the
// same directory and a rename, so a reader never sees a partial file.
func writeIndexFile(path, snapshot string, slims []slimRecord) (err error) {
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
	if err = encodeIndex(w, snapshot, slims); err != nil {
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

func encodeIndex(w io.Writer, snapshot string, slims []slimRecord) error {
	var head [12]byte
	copy(head[:8], magic[:])
	binary.LittleEndian.PutUint32(head[8:], FormatVersion)
	if _, err := w.Write(head[:]); err != nil {
		return err
	}
	enc := gob.NewEncoder(w)
	if err := enc.Encode(fileHeader{Snapshot: snapshot, Records: len(slims)}); err != nil {
		return err
	}
	return enc.Encode(slims)
}

// readIndexFile reads a persisted index written for snapshot. Any problem
// is a *FormatError (or the fs error for a missing file).
func readIndexFile(path, snapshot string) ([]slimRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeIndex(bufio.NewReaderSize(f, 1<<20), path, snapshot)
}

func decodeIndex(r io.Reader, path, snapshot string) (slims []slimRecord, err error) {
	var head [12]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, &FormatError{Path: path, Reason: "short header", Err: err}
	}
	if [8]byte(head[:8]) != magic {
		return nil, &FormatError{Path: path, Reason: "not a vigil match index"}
	}
	if v := binary.LittleEndian.Uint32(head[8:]); v != FormatVersion {
		return nil, &FormatError{Path: path, Reason: "format version mismatch"}
	}
	dec := gob.NewDecoder(r)
	var h fileHeader
	if err := dec.Decode(&h); err != nil {
		return nil, &FormatError{Path: path, Reason: "bad header", Err: err}
	}
	if h.Snapshot != snapshot {
		return nil, &FormatError{Path: path, Reason: "written for snapshot " + h.Snapshot}
	}
	if h.Records < 0 || h.Records > maxPersisted {
		return nil, &FormatError{Path: path, Reason: "implausible record count"}
	}
	// gob reports most corruption as errors, but guard against a panic
	// on hostile input all the same.
	defer func() {
		if p := recover(); p != nil {
			slims, err = nil, &FormatError{Path: path, Reason: "corrupt body"}
		}
	}()
	if err := dec.Decode(&slims); err != nil {
		return nil, &FormatError{Path: path, Reason: "corrupt body", Err: err}
	}
	if len(slims) != h.Records {
		return nil, &FormatError{Path: path, Reason: "record count mismatch"}
	}
	return slims, nil
}
