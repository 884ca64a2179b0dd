package advisory

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DB is an advisory database directory. It is safe for concurrent use by
// several goroutines and processes: updates take an exclusive file lock,
// readers never need one.
type DB struct {
	dir string
	// now is the clock; tests replace it.
	now func() time.Time
	// ixCache holds blob indexes already read; blobs are immutable, so an
	// entry never goes stale.
	ixMu    sync.Mutex
	ixCache map[string]*blobIndex
}

// Layout of the database directory.
const (
	currentFile    = "CURRENT"
	snapshotsDir   = "snapshots"
	blobsDir       = "blobs"
	tmpDir         = "tmp"
	lockFile       = "lock"
	wantedLockFile = "wanted.lock"
	wantedFile     = "wanted.json"
	manifestFile   = "manifest.json"
	diffFile       = "diff.json"
	checkedFile    = "checked.json"
	indexSuffix    = ".idx"
)

// Open opens (creating if needed) the database directory dir. It does no
// network I/O and does not require a snapshot to exist.
func Open(dir string) (*DB, error) {
	if dir == "" {
		return nil, errors.New("advisory database directory is not set")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for _, d := range []string{abs, filepath.Join(abs, snapshotsDir), filepath.Join(abs, blobsDir), filepath.Join(abs, tmpDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create advisory database directory: %w", err)
		}
	}
	return &DB{dir: abs, now: time.Now, ixCache: map[string]*blobIndex{}}, nil
}

// Dir returns the database directory.
func (db *DB) Dir() string { return db.dir }

func (db *DB) blobPath(name string) string { return filepath.Join(db.dir, blobsDir, name) }
func (db *DB) snapPath(id string) string   { return filepath.Join(db.dir, snapshotsDir, id) }
func (db *DB) currentPath() string         { return filepath.Join(db.dir, currentFile) }
func (db *DB) tmpPath(elem ...string) string {
	return filepath.Join(append([]string{db.dir, tmpDir}, elem...)...)
}

// CurrentID returns the id of the current snapshot ("" when there is
// none) without opening it: one small file read, so that a process can
// notice cheaply that another one (the server's updater) moved it.
func (db *DB) CurrentID() (string, error) { return db.currentID() }

// currentID reads CURRENT; "" when there is none.
func (db *DB) currentID() (string, error) {
	data, err := readFileCapped(db.currentPath(), 1024)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(data))
	if !validSnapshotID(id) {
		return "", &CorruptError{Path: db.currentPath(), Err: fmt.Errorf("bad snapshot id %q", id)}
	}
	return id, nil
}

// Current opens the current snapshot. It returns a *NoDatabaseError when
// there is none. The snapshot stays readable while updates run; Close it
// when done.
func (db *DB) Current(ctx context.Context) (*Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id, err := db.currentID()
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, &NoDatabaseError{Dir: db.dir}
	}
	return db.openSnapshot(id)
}

// readManifest reads and checks the manifest of snapshot id.
func (db *DB) readManifest(id string) (*Manifest, error) {
	p := filepath.Join(db.snapPath(id), manifestFile)
	data, err := readFileCapped(p, maxManifestSize)
	if err != nil {
		return nil, &CorruptError{Path: p, Err: err}
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, &CorruptError{Path: p, Err: err}
	}
	if m.ID != id {
		return nil, &CorruptError{Path: p, Err: fmt.Errorf("manifest id %q does not match directory %q", m.ID, id)}
	}
	return m, nil
}

// newSnapshotID makes a sortable, unique snapshot id.
func newSnapshotID(t time.Time) string {
	return t.UTC().Format("20060102T150405Z") + "-" + randomHex(4)
}
