package fsx

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// zipRatioFloor is the declared entry size below which the compression
// ratio of a zip entry is not checked.
const zipRatioFloor = 1 << 20

// maxLinkTarget bounds the content of a zip symlink entry (its target).
const maxLinkTarget = 4096

// ZipError reports a zip archive that cannot be opened.
type ZipError struct {
	Name string
	Err  error
}

// Error implements error.
func (e *ZipError) Error() string { return fmt.Sprintf("zip %s: %v", e.Name, e.Err) }

// Unwrap returns the underlying error.
func (e *ZipError) Unwrap() error { return e.Err }

// Zip is a Source over a zip archive, its entries placed under Prefix (a
// Lambda function's code under "/var/task", its layers under "/opt").
// Entries whose names climb out of the root (zip-slip) are refused with an
// issue; entries whose declared compression ratio exceeds the limit are
// skipped with a limit issue.
type Zip struct {
	zr     *zip.Reader
	name   string
	prefix string
	limits extract.Limits
}

// NewZip opens the zip archive in ra (size bytes). prefix is an absolute
// directory ("/" for none). name labels issues.
func NewZip(ra io.ReaderAt, size int64, prefix, name string, l extract.Limits) (*Zip, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, &ZipError{Name: name, Err: err}
	}
	if prefix == "" {
		prefix = "/"
	}
	return &Zip{zr: zr, name: name, prefix: path.Clean("/" + prefix), limits: FillLimits(l)}, nil
}

// Walk implements Source.
func (z *Zip) Walk(ctx context.Context, v Visitor) error {
	for _, f := range z.zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, ok := CleanName(f.Name)
		if !ok || strings.ContainsRune(f.Name, 0) {
			v.Issue(model.Issue{Plugin: "fsx/zip", Path: z.name + "!" + f.Name, Reason: "entry name escapes the archive root (zip-slip); refused"})
			continue
		}
		p := path.Join(z.prefix, rel)
		if rel == "/" {
			continue
		}
		mode := f.Mode()
		e := Entry{Path: p, Mode: mode}
		var open Opener
		switch {
		case mode&fs.ModeSymlink != 0:
			target, err := readLinkTarget(f)
			if err != nil {
				v.Issue(model.Issue{Plugin: "fsx/zip", Path: p, Reason: "unreadable symlink entry: " + err.Error()})
				continue
			}
			// A link is resolved inside the archive's own root, then placed
			// under the prefix.
			e.Kind, e.Link = KindSymlink, path.Join(z.prefix, ResolveLink(rel, target))
		case mode.IsDir() || strings.HasSuffix(f.Name, "/"):
			e.Kind = KindDir
		case mode.IsRegular():
			e.Kind = KindFile
			e.Size = int64(min(f.UncompressedSize64, 1<<62))
			if e.Size > zipRatioFloor && (f.CompressedSize64 == 0 || f.UncompressedSize64/max(f.CompressedSize64, 1) > uint64(z.limits.MaxDecompressionRatio)) {
				v.Issue(model.Issue{Plugin: "fsx/zip", Path: p, Limit: "max-ratio",
					Reason: fmt.Sprintf("entry declares %d bytes from %d compressed (ratio above %d); skipped", f.UncompressedSize64, f.CompressedSize64, z.limits.MaxDecompressionRatio)})
				continue
			}
			open = f.Open
		default:
			e.Kind = KindOther
		}
		if err := v.Visit(&e, open); err != nil {
			return err
		}
	}
	return nil
}

func readLinkTarget(f *zip.File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxLinkTarget+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxLinkTarget {
		return "", fmt.Errorf("link target longer than %d bytes", maxLinkTarget)
	}
	return string(b), nil
}
