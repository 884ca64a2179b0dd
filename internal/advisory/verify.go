package advisory

import (
	"archive/zip"
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
			var buf []byte
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
func verifyEntry(zf *zip.File, buf *[]byte) (indexEntry, error) {
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

// readEntry reads a zip entry into *buf (grown as needed, reused between
// calls) and returns the bytes, valid until the next call. It reads exactly
// the size the central directory declares and then demands EOF, which is
// where archive/zip checks the CRC.
func readEntry(zf *zip.File, buf *[]byte) ([]byte, error) {
	size := zf.UncompressedSize64
	if size > osv.MaxRecordSize {
		return nil, &TooLargeError{File: zf.Name, Limit: osv.MaxRecordSize}
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if uint64(cap(*buf)) < size+1 {
		*buf = make([]byte, size+1, max(size+1, 64<<10))
	}
	b := (*buf)[:size+1]
	n, err := io.ReadFull(rc, b)
	switch {
	case err == nil:
		return nil, fmt.Errorf("entry is longer than the %d bytes its header declares", size)
	case errors.Is(err, io.ErrUnexpectedEOF) && uint64(n) == size:
		return b[:n], nil // clean EOF right after the declared size, CRC checked
	case errors.Is(err, io.EOF) && size == 0:
		return b[:0], nil
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return nil, fmt.Errorf("truncated: %d of %d bytes", n, size)
	}
	return nil, err
}
