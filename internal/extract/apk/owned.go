package apk

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract"
)

// maxPending bounds the paths of one record held until its P: line is
// read (apk writes P: before F:, so this is for odd files only).
const maxPending = 100_000

// Owner reads the file lists of the apk database: in each record, an F:
// line names a directory (relative to the root) and the R: lines after it
// the files in it; both are owned by the record's package (P:).
type Owner struct{}

// Name names the reader in issues.
func (Owner) Name() string { return "owned/apk" }

// Required wants the apk database.
func (Owner) Required(p string) bool { return p == InstalledPath || p == UsrInstalledPath }

// Owned implements fsx.Owner.
func (Owner) Owned(ctx context.Context, in *extract.Input, add func(pkg, path string)) error {
	br := bufio.NewReaderSize(in.Reader, maxLine)
	var (
		name    string
		dir     string
		pending []string
		n       int
	)
	emit := func(p string) {
		if name != "" {
			add(name, p)
		} else if len(pending) < maxPending {
			pending = append(pending, p)
		}
	}
	flush := func() {
		if name != "" {
			for _, p := range pending {
				add(name, p)
			}
		}
		name, dir, pending = "", "", pending[:0]
	}
	for {
		b, err := readLine(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		n++
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b = bytes.TrimRight(b, "\r")
		if len(bytes.TrimSpace(b)) == 0 {
			flush()
			continue
		}
		if len(b) < 2 || b[1] != ':' {
			return fmt.Errorf("line %d: not a \"X:value\" line", n)
		}
		v := strings.TrimSpace(string(b[2:]))
		switch b[0] {
		case 'P':
			name = v
		case 'F':
			dir = ownedPath(v)
			if dir != "/" {
				emit(dir)
			}
		case 'R':
			if dir != "" && v != "" {
				emit(ownedPath(dir + "/" + v))
			}
		}
	}
	flush()
	return nil
}

// ownedPath makes an apk database path (relative to the root) absolute
// and clean.
func ownedPath(p string) string { return path.Clean("/" + p) }
