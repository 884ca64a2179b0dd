package fsx

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/vigilsec/vigil/internal/model"
)

// Dir is a Source over a directory: a live root file system ("/"), a
// mounted snapshot or an unpacked tree. It is read through an os.Root, so
// no path — not even one raced in by a symlink swap — resolves outside the
// directory. Symlinks are reported, never walked into. Mount points of
// pseudo file systems (proc, sysfs, devtmpfs, cgroup, …) below the root are
// skipped, and so are /proc, /sys and /dev when the root is "/". A
// directory that cannot be read becomes an issue.
type Dir struct {
	root string
	skip map[string]bool
}

// NewDir returns a Source over the directory root.
func NewDir(root string) (*Dir, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: abs, Err: errors.New("not a directory")}
	}
	return &Dir{root: abs, skip: pseudoMounts(abs)}, nil
}

// Skipped returns the paths (inside the root) the walk leaves out.
func (d *Dir) Skipped() []string {
	out := make([]string, 0, len(d.skip))
	for p := range d.skip {
		out = append(out, p)
	}
	return out
}

// Walk implements Source.
func (d *Dir) Walk(ctx context.Context, v Visitor) error {
	root, err := os.OpenRoot(d.root)
	if err != nil {
		return err
	}
	defer root.Close()
	fsys := root.FS()
	return fs.WalkDir(fsys, ".", func(rel string, de fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		p := path.Clean("/" + rel)
		if err != nil {
			v.Issue(model.Issue{Plugin: "fsx/dir", Path: p, Reason: "cannot read: " + err.Error()})
			if de != nil && de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if rel == "." {
			return nil
		}
		if d.skip[p] {
			if de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		info, err := de.Info()
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				v.Issue(model.Issue{Plugin: "fsx/dir", Path: p, Reason: "cannot stat: " + err.Error()})
			}
			return nil
		}
		e := Entry{Path: p, Mode: info.Mode()}
		var open Opener
		switch t := info.Mode().Type(); {
		case t == 0:
			e.Kind, e.Size = KindFile, info.Size()
			open = func() (io.ReadCloser, error) { return root.Open(rel) }
		case t == fs.ModeDir:
			e.Kind = KindDir
		case t == fs.ModeSymlink:
			target, err := root.Readlink(rel)
			if err != nil {
				v.Issue(model.Issue{Plugin: "fsx/dir", Path: p, Reason: "cannot read link: " + err.Error()})
				return nil
			}
			e.Kind, e.Link = KindSymlink, ResolveLink(p, target)
			// os.Root follows the link only while it stays inside the root.
			open = func() (io.ReadCloser, error) {
				f, err := root.Open(rel)
				if err != nil {
					return nil, err
				}
				if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
					f.Close()
					return nil, &fs.PathError{Op: "open", Path: p, Err: errors.New("link target is not a regular file")}
				}
				return f, nil
			}
		default:
			e.Kind = KindOther
		}
		return v.Visit(&e, open)
	})
}
