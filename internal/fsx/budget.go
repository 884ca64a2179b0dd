package fsx

import (
	"sync/atomic"

	"github.com/vigilsec/vigil/internal/extract"
)

// Budget holds the limits of one scan and what has been spent of them. It
// is shared by the walks of all layers of an image and is safe for
// concurrent use.
type Budget struct {
	limits extract.Limits
	rate   *RateLimiter // nil when unlimited
	files  atomic.Int64
	bytes  atomic.Int64
}

// NewBudget returns a budget for l, with zero fields taken from
// extract.DefaultLimits.
func NewBudget(l extract.Limits) *Budget {
	l = FillLimits(l)
	return &Budget{limits: l, rate: NewRateLimiter(l.ReadRate)}
}

// Rate returns the limiter pacing file reads, nil when unlimited.
func (b *Budget) Rate() *RateLimiter { return b.rate }

// FillLimits returns l with every zero or negative field set to its
// default (ReadRate stays as it is: zero is unlimited).
func FillLimits(l extract.Limits) extract.Limits {
	d := extract.DefaultLimits()
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = d.MaxFiles
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxDecompressionRatio <= 0 {
		l.MaxDecompressionRatio = d.MaxDecompressionRatio
	}
	return l
}

// Limits returns the limits in force. The returned pointer is a copy the
// caller may hand to extractors.
func (b *Budget) Limits() *extract.Limits {
	l := b.limits
	return &l
}

// AddFile counts one visited entry and fails with a max-files LimitError
// once the limit is passed.
func (b *Budget) AddFile(path string) error {
	if n := b.files.Add(1); n > int64(b.limits.MaxFiles) {
		return &extract.LimitError{Limit: "max-files", Path: path, Value: int64(b.limits.MaxFiles)}
	}
	return nil
}

// AddBytes counts n bytes read for extraction and fails with a
// max-total-bytes LimitError once the limit is passed.
func (b *Budget) AddBytes(path string, n int64) error {
	if t := b.bytes.Add(n); t > b.limits.MaxTotalBytes {
		return &extract.LimitError{Limit: "max-total-bytes", Path: path, Value: b.limits.MaxTotalBytes}
	}
	return nil
}

// Files returns the number of entries counted so far.
func (b *Budget) Files() int64 { return b.files.Load() }

// Bytes returns the bytes counted so far.
func (b *Budget) Bytes() int64 { return b.bytes.Load() }
