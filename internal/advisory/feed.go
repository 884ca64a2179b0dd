package advisory

import (
	"context"
	"io"
	"os"
)

// Feed is one source of advisory or enrichment data. An update fetches
// each feed with the fingerprint of the copy it already holds, verifies
// what it got according to the feed's Kind, and stores it as an immutable
// blob from which records are streamed.
type Feed interface {
	// Name is unique within a snapshot: "osv/PyPI", "debian/DSA", "kev".
	Name() string
	// Kind says how the content is verified and read.
	Kind() Kind
	// Source is the URL or path, for status output and errors.
	Source() string
	// Fetch opens the feed's current content. Given the fingerprint of the
	// copy already held (zero when none), it may return ErrNotModified.
	// One call is one attempt; the caller retries temporary errors.
	Fetch(ctx context.Context, prev Fingerprint) (*Fetched, error)
}

// Fetched is an opened feed body with the validators it was served with.
type Fetched struct {
	Body io.ReadCloser
	// Size is the announced length, -1 when unknown.
	Size         int64
	ETag         string
	LastModified string
}

// fileFeed reads a local file (air-gapped import).
type fileFeed struct {
	name, path string
	kind       Kind
}

// NewFileFeed returns a feed that reads a local file.
func NewFileFeed(name string, kind Kind, path string) Feed {
	return &fileFeed{name: name, kind: kind, path: path}
}

func (f *fileFeed) Name() string   { return f.name }
func (f *fileFeed) Kind() Kind     { return f.kind }
func (f *fileFeed) Source() string { return f.path }

func (f *fileFeed) Fetch(ctx context.Context, _ Fingerprint) (*Fetched, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fh, err := os.Open(f.path)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	return &Fetched{Body: fh, Size: st.Size()}, nil
}
