package rpm

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// NDB layout (rpm lib/backend/ndb/rpmpkg.c): a 32-byte header, slot pages
// of 4096 bytes holding 16-byte slots, and blobs in 16-byte blocks, each
// starting with a 16-byte blob header.
const (
	ndbHeaderMagic = 'R' | 'p'<<8 | 'm'<<16 | 'P'<<24
	ndbSlotMagic   = 'S' | 'l'<<8 | 'o'<<16 | 't'<<24
	ndbBlobMagic   = 'B' | 'l'<<8 | 'b'<<16 | 'S'<<24
	ndbSlotPage    = 4096
	ndbSlotSize    = 16
	ndbBlockSize   = 16
	ndbMaxSlotPage = 2048
)

// ErrNotNDB reports a file that is not an rpm NDB database.
var ErrNotNDB = errors.New("not an rpm NDB database")

// readNDB calls fn with the header blob of every package in an NDB
// database. As for Berkeley DB, the blob bytes read in all are bounded by
// the file size.
func readNDB(ctx context.Context, r io.ReaderAt, size int64, fn func([]byte) error) error {
	le := binary.LittleEndian
	hdr := make([]byte, 32)
	if _, err := r.ReadAt(hdr, 0); err != nil {
		return fmt.Errorf("%w: %v", ErrNotNDB, err)
	}
	if le.Uint32(hdr[0:4]) != ndbHeaderMagic || le.Uint32(hdr[4:8]) != 0 {
		return ErrNotNDB
	}
	slotPages := int64(le.Uint32(hdr[12:16]))
	if slotPages < 1 || slotPages > ndbMaxSlotPage || slotPages*ndbSlotPage > size {
		return fmt.Errorf("%w: %d slot pages in a %d-byte file", ErrNotNDB, slotPages, size)
	}
	slots := make([]byte, slotPages*ndbSlotPage)
	if _, err := r.ReadAt(slots, 0); err != nil {
		return err
	}
	budget := size
	bh := make([]byte, ndbBlockSize)
	// The first two slots hold the database header.
	for s := int64(2); s < slotPages*ndbSlotPage/ndbSlotSize; s++ {
		if s%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		slot := slots[s*ndbSlotSize : (s+1)*ndbSlotSize]
		if le.Uint32(slot[0:4]) != ndbSlotMagic {
			return fmt.Errorf("slot %d: bad magic", s)
		}
		pkg := le.Uint32(slot[4:8])
		if pkg == 0 {
			continue
		}
		off := int64(le.Uint32(slot[8:12])) * ndbBlockSize
		if off+ndbBlockSize > size {
			return fmt.Errorf("slot %d: blob offset %d beyond the file", s, off)
		}
		if _, err := r.ReadAt(bh, off); err != nil {
			return fmt.Errorf("slot %d: %w", s, err)
		}
		if le.Uint32(bh[0:4]) != ndbBlobMagic || le.Uint32(bh[4:8]) != pkg {
			return fmt.Errorf("slot %d: no blob for package %d", s, pkg)
		}
		n := int64(le.Uint32(bh[12:16]))
		if n > MaxBlobSize || n > budget || off+ndbBlockSize+n > size {
			return fmt.Errorf("slot %d: blob of %d bytes out of bounds", s, n)
		}
		budget -= n
		blob := make([]byte, n)
		if _, err := r.ReadAt(blob, off+ndbBlockSize); err != nil {
			return fmt.Errorf("slot %d: %w", s, err)
		}
		if err := fn(blob); err != nil {
			return err
		}
	}
	return nil
}
