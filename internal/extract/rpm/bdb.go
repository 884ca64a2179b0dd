package rpm

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Berkeley DB hash database layout (libdb src/dbinc/db_page.h).
const (
	bdbHashMagic      = 0x061561
	bdbPageHeaderSize = 26
	bdbMetaSize       = 72
	bdbPageHash       = 13 // P_HASH
	bdbPageHashOld    = 2  // P_HASH_UNSORTED, RHEL 5
	bdbPageOverflow   = 7  // P_OVERFLOW
	bdbPageHashMeta   = 8  // P_HASHMETA
	bdbOffPage        = 3  // H_OFFPAGE: the value lives on overflow pages
	bdbOffPageSize    = 12 // type, 3 unused, page number, total length
)

// ErrNotBDB reports a file that is not a Berkeley DB hash database.
var ErrNotBDB = errors.New("not a Berkeley DB hash database")

// readBDB calls fn with every value of a Berkeley DB hash database (the
// rpm Packages file): each value is one package header. Values are the
// off-page items of hash pages, assembled from their overflow page chains.
// A valid database uses each overflow page once, so the bytes assembled
// and the overflow pages visited in all are bounded by the file's size and
// page count: crafted files cannot amplify the work.
func readBDB(ctx context.Context, r io.ReaderAt, size int64, fn func([]byte) error) error {
	meta := make([]byte, bdbMetaSize)
	if _, err := r.ReadAt(meta, 0); err != nil {
		return fmt.Errorf("%w: %v", ErrNotBDB, err)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if order.Uint32(meta[12:16]) != bdbHashMagic {
		order = binary.BigEndian
		if order.Uint32(meta[12:16]) != bdbHashMagic {
			return ErrNotBDB
		}
	}
	pageSize := int64(order.Uint32(meta[20:24]))
	switch pageSize {
	case 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536:
	default:
		return fmt.Errorf("%w: page size %d", ErrNotBDB, pageSize)
	}
	if meta[24] != 0 {
		return fmt.Errorf("encrypted Berkeley DB (algorithm %d)", meta[24])
	}
	if meta[25] != bdbPageHashMeta {
		return fmt.Errorf("%w: metadata page type %d", ErrNotBDB, meta[25])
	}
	pages := int64(order.Uint32(meta[32:36])) + 1
	if avail := size / pageSize; pages > avail {
		pages = avail
	}

	b := &bdb{r: r, order: order, pageSize: pageSize, pages: pages, budget: size, steps: pages}
	page := make([]byte, pageSize)
	for pg := int64(1); pg < pages; pg++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := b.readPage(pg, page); err != nil {
			return err
		}
		if t := page[25]; t != bdbPageHash && t != bdbPageHashOld {
			continue
		}
		n := int64(order.Uint16(page[20:22]))
		if bdbPageHeaderSize+2*n > pageSize {
			return fmt.Errorf("page %d: %d entries overflow the page", pg, n)
		}
		// Entries come in key/value pairs; values have odd indexes.
		for i := int64(1); i < n; i += 2 {
			off := int64(order.Uint16(page[bdbPageHeaderSize+2*i:]))
			if off >= pageSize {
				return fmt.Errorf("page %d: entry offset %d out of page", pg, off)
			}
			if page[off] != bdbOffPage {
				continue
			}
			if off+bdbOffPageSize > pageSize {
				return fmt.Errorf("page %d: off-page entry at %d out of page", pg, off)
			}
			first := int64(order.Uint32(page[off+4 : off+8]))
			total := int64(order.Uint32(page[off+8 : off+12]))
			value, err := b.overflow(ctx, first, total)
			if err != nil {
				return fmt.Errorf("page %d: %w", pg, err)
			}
			if err := fn(value); err != nil {
				return err
			}
		}
	}
	return nil
}

// bdb is an open Berkeley DB file.
type bdb struct {
	r        io.ReaderAt
	order    binary.ByteOrder
	pageSize int64
	pages    int64
	budget   int64 // bytes left to assemble from overflow pages
	steps    int64 // overflow pages left to visit, over all chains
}

func (b *bdb) readPage(pg int64, buf []byte) error {
	if pg <= 0 || pg >= b.pages {
		return fmt.Errorf("page %d out of %d pages", pg, b.pages)
	}
	if _, err := b.r.ReadAt(buf, pg*b.pageSize); err != nil {
		return fmt.Errorf("page %d: %w", pg, err)
	}
	return nil
}

// overflow assembles a value from its chain of overflow pages.
func (b *bdb) overflow(ctx context.Context, first, total int64) ([]byte, error) {
	if total <= 0 || total > MaxBlobSize || total > b.budget {
		return nil, fmt.Errorf("value of %d bytes out of bounds", total)
	}
	b.budget -= total
	value := make([]byte, 0, total)
	page := make([]byte, b.pageSize)
	for pg := first; pg != 0; {
		// A valid database visits each overflow page once in all, so
		// loops and shared chains run out of steps.
		if b.steps--; b.steps < 0 {
			return nil, errors.New("overflow page chains loop or overlap")
		}
		if b.steps%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err := b.readPage(pg, page); err != nil {
			return nil, err
		}
		if page[25] != bdbPageOverflow {
			return nil, fmt.Errorf("page %d: type %d in an overflow chain", pg, page[25])
		}
		n := int64(b.order.Uint16(page[22:24])) // bytes used on an overflow page
		if n > b.pageSize-bdbPageHeaderSize {
			return nil, fmt.Errorf("page %d: %d bytes overflow the page", pg, n)
		}
		if int64(len(value))+n > total {
			n = total - int64(len(value))
		}
		value = append(value, page[bdbPageHeaderSize:bdbPageHeaderSize+n]...)
		pg = int64(b.order.Uint32(page[16:20]))
	}
	if int64(len(value)) != total {
		return nil, fmt.Errorf("value has %d of %d bytes", len(value), total)
	}
	return value, nil
}
