package fsx

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/vigilsec/vigil/internal/extract"
)

// Compression is the compression of a layer blob.
type Compression uint8

// Compressions recognised by their magic bytes.
const (
	CompressionNone Compression = iota
	CompressionGzip
	CompressionZstd
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// ratioFloor is the uncompressed size below which the decompression ratio
// is not checked: tiny blobs of zeros compress very well and are harmless.
const ratioFloor = 64 << 20

// Decompress returns the uncompressed stream of a layer blob, recognising
// gzip and zstd by their magic bytes (anything else is read as is). The
// stream fails with a LimitError when it grows past maxTotal bytes or past
// MaxDecompressionRatio times the compressed bytes read (a decompression
// bomb). name is used in errors.
func Decompress(r io.Reader, l extract.Limits, name string) (io.ReadCloser, Compression, error) {
	l = FillLimits(l)
	in := &countReader{r: r}
	br := bufio.NewReaderSize(in, 256<<10)
	head, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, CompressionNone, err
	}
	m := &meter{in: in, limits: l, name: name}
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, CompressionGzip, err
		}
		zr.Multistream(true)
		m.r, m.close = zr, zr.Close
		return m, CompressionGzip, nil
	case bytes.HasPrefix(head, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(64<<20))
		if err != nil {
			return nil, CompressionZstd, err
		}
		m.r, m.close = zr, func() error { zr.Close(); return nil }
		return m, CompressionZstd, nil
	}
	m.r, m.close, m.plain = br, func() error { return nil }, true
	return m, CompressionNone, nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// meter counts uncompressed bytes and enforces the total and ratio limits.
type meter struct {
	r      io.Reader
	close  func() error
	in     *countReader
	out    int64
	plain  bool
	limits extract.Limits
	name   string
	err    error
}

func (m *meter) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	n, err := m.r.Read(p)
	m.out += int64(n)
	if m.out > m.limits.MaxTotalBytes {
		m.err = &extract.LimitError{Limit: "max-total-bytes", Path: m.name, Value: m.limits.MaxTotalBytes}
		return n, m.err
	}
	if !m.plain && m.out > ratioFloor && m.out > m.in.n*m.limits.MaxDecompressionRatio {
		m.err = &extract.LimitError{Limit: "max-ratio", Path: m.name, Value: m.limits.MaxDecompressionRatio}
		return n, m.err
	}
	return n, err
}

func (m *meter) Close() error { return m.close() }
