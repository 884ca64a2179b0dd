package advisory

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/osv"
)

// store verifies a downloaded feed file by its kind, moves it (or the OSV
// zip converted from it) into blobs/ and returns the blob name and record
// count. Errors are *VerifyError naming the feed's source.
func (db *DB) store(ctx context.Context, f Feed, path string, fp Fingerprint) (string, int, error) {
	spec := kindSpecs[f.Kind()]
	switch {
	case spec.convert != nil:
		return db.storeConverted(ctx, f, spec, path)
	case spec.check != nil:
		in, err := os.Open(path)
		if err != nil {
			return "", 0, err
		}
		n, err := spec.check(bufio.NewReader(in))
		in.Close()
		if err != nil {
			return "", 0, &VerifyError{File: f.Source(), Reason: "does not parse as " + string(f.Kind()), Err: err}
		}
		blob := fp.SHA256 + "." + spec.ext
		return blob, n, db.install(path, blob)
	case spec.load != nil:
		n, err := loadBlob(path, spec, newEnrichment())
		if err != nil {
			return "", 0, &VerifyError{File: f.Source(), Reason: "does not parse as " + string(f.Kind()), Err: err}
		}
		ext := spec.ext
		if f.Kind() == KindEPSS && !isGzip(path) {
			ext = "csv"
		}
		blob := fp.SHA256 + "." + ext
		return blob, n, db.install(path, blob)
	default:
		blob := fp.SHA256 + "." + spec.ext
		ix, err := verifyOSVZip(ctx, path, f.Source(), blob)
		if err != nil {
			return "", 0, err
		}
		if err := db.install(path, blob); err != nil {
			return "", 0, err
		}
		return blob, len(ix.Entries), db.writeIndex(ix)
	}
}

// storeConverted converts a native distro file to OSV records and stores
// them as an OSV zip.
func (db *DB) storeConverted(ctx context.Context, f Feed, spec kindSpec, path string) (string, int, error) {
	in, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	recs, err := spec.convert(bufio.NewReader(in), f.Name())
	in.Close()
	if err != nil {
		return "", 0, &VerifyError{File: f.Source(), Reason: "does not parse as " + string(f.Kind()), Err: err}
	}
	tmp, sum, err := db.writeRecordZip(recs)
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp)
	blob := sum + ".zip"
	ix, err := verifyOSVZip(ctx, tmp, f.Source()+" (converted)", blob)
	if err != nil {
		return "", 0, err
	}
	if err := db.install(tmp, blob); err != nil {
		return "", 0, err
	}
	return blob, len(ix.Entries), db.writeIndex(ix)
}

// writeRecordZip writes records as an OSV zip (one "<id>.json" entry each,
// sorted by id, later duplicates dropped) to a temporary file and returns
// its path and sha256. The output is deterministic, so unchanged input
// gives the same blob.
func (db *DB) writeRecordZip(recs []*osv.Record) (string, string, error) {
	recs = slices.Clone(recs)
	slices.SortStableFunc(recs, func(a, b *osv.Record) int { return cmp.Compare(a.ID, b.ID) })
	tmp, err := os.CreateTemp(db.tmpPath(), "conv-*")
	if err != nil {
		return "", "", err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	zw := zip.NewWriter(io.MultiWriter(tmp, h))
	last := ""
	for _, r := range recs {
		if r == nil || r.ID == last {
			continue
		}
		last = r.ID
		data, err := json.Marshal(r)
		if err != nil {
			return "", "", err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: entryName(r.ID), Method: zip.Deflate})
		if err != nil {
			return "", "", err
		}
		if _, err := w.Write(data); err != nil {
			return "", "", err
		}
	}
	if err := zw.Close(); err != nil {
		return "", "", err
	}
	if err := tmp.Sync(); err != nil {
		return "", "", err
	}
	if err := tmp.Close(); err != nil {
		return "", "", err
	}
	ok = true
	return tmp.Name(), hex.EncodeToString(h.Sum(nil)), nil
}

// entryName makes a zip entry name from a record id.
func entryName(id string) string {
	return strings.NewReplacer("/", "_", "\\", "_").Replace(id) + ".json"
}

// install moves a verified temporary file into blobs/ under name; when the
// blob already exists (same content) the temporary file is dropped.
func (db *DB) install(tmp, name string) error {
	dst := db.blobPath(name)
	if fileExists(dst) {
		return nil
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("install blob %s: %w", name, err)
	}
	return nil
}

func isGzip(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [2]byte
	_, err = io.ReadFull(f, b[:])
	return err == nil && bytes.Equal(b[:], []byte{0x1f, 0x8b})
}
