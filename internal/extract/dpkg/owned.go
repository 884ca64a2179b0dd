package dpkg

import (
	"bufio"
	"context"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
)

// InfoDir holds dpkg's per-package control files, among them
// <package>[:<arch>].list: the paths the package installed, one a line.
const InfoDir = "/var/lib/dpkg/info"

// maxListLine bounds one line of a .list file; longer lines are dropped.
const maxListLine = 16 << 10

// Owner reads dpkg's file lists (InfoDir/*.list). Distroless images keep
// no file lists (status.d only), so nothing is owned there.
type Owner struct{}

// Name names the reader in issues.
func (Owner) Name() string { return "owned/dpkg" }

// Required wants InfoDir/<package>.list.
func (Owner) Required(p string) bool {
	dir, base := path.Split(p)
	return dir == InfoDir+"/" && ListPackage(base) != ""
}

// ListPackage returns the package a .list file name is for ("libc6" for
// "libc6:amd64.list"), or "" when base is no .list file name.
func ListPackage(base string) string {
	name, ok := strings.CutSuffix(base, ".list")
	if !ok || name == "" || strings.HasPrefix(name, ".") {
		return ""
	}
	name, _, _ = strings.Cut(name, ":")
	return name
}

// Owned reads a .list file: every absolute path in it is owned by the
// package its name says ("/." is dpkg's entry for the root and skipped).
func (Owner) Owned(ctx context.Context, in *extract.Input, add func(pkg, path string)) error {
	pkg := ListPackage(path.Base(in.Path))
	if pkg == "" {
		return nil
	}
	br := bufio.NewReaderSize(in.Reader, 4096)
	for n := 1; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, long, err := readListLine(br)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if long {
			continue
		}
		p := strings.TrimRight(line, "\r")
		if !strings.HasPrefix(p, "/") || p == "/." {
			continue
		}
		if strings.Contains(p, "//") || strings.Contains(p, "/.") || strings.HasSuffix(p, "/") {
			p = path.Clean(p)
		}
		add(pkg, p)
	}
}

// readListLine returns the next line without its newline; long reports a
// line longer than maxListLine (whose content is not returned).
func readListLine(br *bufio.Reader) (line string, long bool, err error) {
	var sb []byte
	for {
		b, err := br.ReadSlice('\n')
		if len(sb)+len(b) > maxListLine {
			long = true
		} else if errors.Is(err, bufio.ErrBufferFull) || sb != nil {
			sb = append(sb, b...)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == nil:
			if sb != nil {
				b = sb
			}
			return strings.TrimSuffix(string(b), "\n"), long, nil
		case err == io.EOF && (len(b) > 0 || sb != nil):
			if sb != nil {
				b = sb
			}
			return string(b), long, nil
		default:
			return "", false, err
		}
	}
}
