package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/vigilsec/vigil/internal/model"
)

// FileInfo describes a file offered to extractors.
type FileInfo struct {
	// Path is slash-separated and absolute within the scanned root
	// ("/var/lib/dpkg/status"). Inside archives it is "/outer.jar!/inner".
	Path string
	// Mode is the file's mode (executable bits matter for binaries).
	Mode fs.FileMode
	// Size is the file's size in bytes.
	Size int64
}

// Input is what an extractor reads: the file's description and its whole
// content. Reader and ReaderAt read the same bytes; use either.
type Input struct {
	FileInfo
	Reader   io.Reader
	ReaderAt io.ReaderAt
	// Limits bound what the extractor may do with nested content (archives
	// within archives). Never nil.
	Limits *Limits
	// TempDir is a scratch directory removed after the scan, for
	// extractors whose parser needs a real file (SQLite databases).
	TempDir string
	// Content is the whole file when the walker holds it in memory (nil
	// when it was spilled to disk or the input is a plain reader). It is
	// shared, not copied: an extractor must not modify it. Use ReadAll.
	Content []byte
}

// ReadAll returns the input's whole content: Content when the walker holds
// it in memory (no copy), else everything Reader yields. It fails with a
// *LimitError past limit bytes.
func ReadAll(in *Input, limit int64) ([]byte, error) {
	if in == nil || (in.Reader == nil && in.Content == nil) {
		return nil, errors.New("no input")
	}
	if in.Size > limit || int64(len(in.Content)) > limit {
		return nil, &LimitError{Limit: "max-file-size", Path: in.Path, Value: limit}
	}
	if in.Content != nil {
		return in.Content, nil
	}
	// Size the buffer from the file's size, so a large file is not copied
	// over and over while the buffer doubles.
	buf := bytes.NewBuffer(make([]byte, 0, max(in.Size, 0)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(in.Reader, limit+1)); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	if int64(len(b)) > limit {
		return nil, &LimitError{Limit: "max-file-size", Path: in.Path, Value: limit}
	}
	return b, nil
}

// Extractor turns one kind of file into packages.
type Extractor interface {
	// Name is unique and stable ("os/dpkg", "javascript/packagelock").
	Name() string
	// Version changes whenever the extractor's output for the same input
	// may change; (layer digest, Name, Version) keys the layer cache.
	Version() int
	// Required reports whether the extractor wants this file. It must be
	// cheap: no I/O.
	Required(f FileInfo) bool
	// Extract parses the file. Packages carry Ecosystem, Name, Version,
	// PURL, Manager and, for OS packages, source name and version; the
	// caller fills Path, Layer and Extractor when they are empty.
	Extract(ctx context.Context, in *Input) ([]model.Package, error)
}

// Limits bound the index stage. Zero fields take the defaults from
// DefaultLimits.
type Limits struct {
	// MaxTotalBytes bounds the bytes read from all files together.
	MaxTotalBytes int64
	// MaxFiles bounds the number of files (and archive entries) visited.
	MaxFiles int
	// MaxFileSize bounds one file read for extraction; larger files are
	// skipped with an issue.
	MaxFileSize int64
	// MaxDepth bounds archive nesting (a jar in a jar in a war …).
	MaxDepth int
	// MaxDecompressionRatio bounds uncompressed/compressed size of an
	// archive entry (decompression bombs).
	MaxDecompressionRatio int64
	// ReadRate bounds the bytes per second a walk reads from file
	// contents (the agent's I/O bound); zero or negative is unlimited,
	// the default.
	ReadRate int64
}

// DefaultLimits are safe for untrusted images and archives.
func DefaultLimits() Limits {
	return Limits{
		MaxTotalBytes:         8 << 30,
		MaxFiles:              2_000_000,
		MaxFileSize:           512 << 20,
		MaxDepth:              8,
		MaxDecompressionRatio: 200,
	}
}

// LimitError reports that a limit was hit. The index stage records it as an
// issue and marks the inventory partial; it is never silent.
type LimitError struct {
	Limit string // "max-total-bytes", "max-files", "max-file-size", "max-depth", "max-ratio", "time"
	Path  string
	Value int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("limit %s (%d) reached at %s", e.Limit, e.Value, e.Path)
}

// ParseError reports a file an extractor could not parse.
type ParseError struct {
	Extractor string
	Path      string
	Err       error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s: cannot parse %s: %v", e.Extractor, e.Path, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }
