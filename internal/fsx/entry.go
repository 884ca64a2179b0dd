package fsx

import (
	"context"
	"io"
	"io/fs"

	"github.com/vigilsec/vigil/internal/model"
)

// Kind says what an Entry is.
type Kind uint8

// Entry kinds.
const (
	// KindFile is a regular file; its content can be opened.
	KindFile Kind = iota + 1
	// KindDir is a directory.
	KindDir
	// KindSymlink is a symbolic link; Link holds its target resolved
	// inside the root.
	KindSymlink
	// KindHardlink is a hard link (tar only); Link is the path of the
	// earlier entry it names.
	KindHardlink
	// KindWhiteout deletes Path from the layers below (".wh.<name>").
	KindWhiteout
	// KindOpaque hides everything below the directory Path in the layers
	// below (".wh..wh..opq").
	KindOpaque
	// KindOther is a device, fifo or socket.
	KindOther
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindFile:
		return "file"
	case KindDir:
		return "dir"
	case KindSymlink:
		return "symlink"
	case KindHardlink:
		return "hardlink"
	case KindWhiteout:
		return "whiteout"
	case KindOpaque:
		return "opaque"
	case KindOther:
		return "other"
	}
	return "unknown"
}

// Entry is one object of a file tree.
type Entry struct {
	// Path is absolute, slash-separated and clean ("/etc/os-release").
	Path string
	Kind Kind
	Mode fs.FileMode
	// Size is the content size of a regular file.
	Size int64
	// Link is the target of a symlink or hardlink as a clean absolute
	// path inside the root (a symlink's ".." never climbs above "/").
	Link string
}

// Opener opens an entry's content. The reader is valid only until the
// visitor returns; the walker closes it.
type Opener func() (io.ReadCloser, error)

// Visitor receives a Source's entries and the problems it meets.
type Visitor interface {
	// Visit is called for every entry in order. open is non-nil for
	// regular files, and for symlinks when the source can resolve them
	// safely inside its root (directories). A non-nil error stops the walk
	// and is returned by Source.Walk.
	Visit(e *Entry, open Opener) error
	// Issue records a problem that skipped part of the tree (a permission
	// error, an entry escaping the root).
	Issue(is model.Issue)
}

// Source is a file tree that can be walked once.
type Source interface {
	// Walk visits every entry of the tree in order.
	Walk(ctx context.Context, v Visitor) error
}
