package advisory

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vigilsec/vigil/internal/osv"
)

// verifyOSVZip opens an OSV zip (one record per entry), parses every entry
// with osv.Parse, in parallel across cores, and returns the blob's index.
// display names the file in errors (the source path or URL). Any failure
// is a *VerifyError naming display.
func verifyOSVZip(ctx context.Context, path, display, blob string) (*blobIndex, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &VerifyError{File: display, Reason: "cannot open", Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &VerifyError{File: display, Reason: "cannot stat", Err: err}
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return nil, &VerifyError{File: display, Reason: "not a readable zip archive (truncated or corrupt)", Err: err}
	}
	return verifyZipReader(ctx, zr, display, blob)
}

func verifyZipReader(ctx context.Context, zr *zip.Reader, display, blob string) (*blobIndex, error) {
	files := make([]*zip.File, 0, len(zr.File))
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, "/") {
			continue // directory entry
		}
		files = append(files, zf)
	}
	if len(files) > maxZipEntries {
		return nil, &VerifyError{File: display, Reason: fmt.Sprintf("%d entries, more than the %d allowed", len(files), maxZipEntries)}
	}
	entries := make([]indexEntry, len(files))
	var (
		next    atomic.Int64
		errOnce sync.Once
		first   error
		failed  atomic.Bool
		wg      sync.WaitGroup
	)
	fail := func(err error) {
		errOnce.Do(func() { first = err })
		failed.Store(true)
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, len(files)/64+1))
	for range workers {
		wg.Go(func() {
			var buf bytes.Buffer
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				if i%256 == 0 && ctx.Err() != nil {
					fail(ctx.Err())
					return
				}
				e, err := verifyEntry(files[i], &buf)
				if err != nil {
					fail(&VerifyError{File: display, Reason: "entry " + files[i].Name, Err: err})
					return
				}
				entries[i] = e
			}
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return &blobIndex{Version: indexVersion, Blob: blob, Entries: entries}, nil
}

// verifyEntry reads and parses one zip entry. buf is reused between calls.
func verifyEntry(zf *zip.File, buf *bytes.Buffer) (indexEntry, error) {
	if zf.UncompressedSize64 > osv.MaxRecordSize {
		return indexEntry{}, &TooLargeError{File: zf.Name, Limit: osv.MaxRecordSize}
	}
	data, err := readEntry(zf, buf)
	if err != nil {
		return indexEntry{}, err
	}
	r, err := osv.Parse(zf.Name, data)
	if err != nil {
		return indexEntry{}, err
	}
	sum := sha256.Sum256(data)
	return summarize(zf.Name, r, hex.EncodeToString(sum[:8])), nil
}

// readEntry reads a zip entry into buf (checking its CRC, as archive/zip
// does at EOF) and returns the bytes, which stay valid until buf is reused.
func readEntry(zf *zip.File, buf *bytes.Buffer) ([]byte, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf.Reset()
	buf.Grow(int(min(zf.UncompressedSize64, osv.MaxRecordSize)) + bytes.MinRead)
	n, err := buf.ReadFrom(io.LimitReader(rc, osv.MaxRecordSize+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("truncated: %w", err)
		}
		return nil, err
	}
	if n > osv.MaxRecordSize {
		return nil, &TooLargeError{File: zf.Name, Limit: osv.MaxRecordSize}
	}
	return buf.Bytes(), nil
}
