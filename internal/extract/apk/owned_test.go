package apk

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOwned reads the file lists of real apk databases: every F: line (a
// directory) and R: line (a file in the last directory) is owned by the
// record's package. The counts are the databases' F: plus R: lines
// (`grep -c '^[FR]:'`), none repeated within a package.
func TestOwned(t *testing.T) {
	for _, tt := range []struct {
		file  string
		count int
		want  []string
	}{
		{"installed.scalibr", 255, []string{
			"musl\t/lib/ld-musl-x86_64.so.1", "musl\t/lib/libc.musl-x86_64.so.1", "musl\t/lib",
			"alpine-baselayout\t/etc/motd", "alpine-baselayout\t/etc/crontabs/root",
		}},
		{"installed.syft-multiple-2", 247, nil},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(testdata, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			err = Owner{}.Owned(context.Background(), input(data), func(pkg, p string) { got = append(got, pkg+"\t"+p) })
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.count {
				t.Errorf("%d owned paths, want %d", len(got), tt.count)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, g := range got {
				if n, p, _ := strings.Cut(g, "\t"); n == "" || !strings.HasPrefix(p, "/") || strings.Contains(p, "//") {
					t.Errorf("bad entry %q", g)
				}
			}
		})
	}
	if !(Owner{}).Required(InstalledPath) || !(Owner{}).Required(UsrInstalledPath) || (Owner{}).Required("/lib/apk/db/triggers") {
		t.Error("Required")
	}
}

// TestOwnedDamaged: a truncated database gives an error or fewer paths.
func TestOwnedDamaged(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdata, "installed.scalibr"))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(data); n += 97 {
		_ = Owner{}.Owned(context.Background(), input(data[:n]), func(string, string) {})
	}
	err = Owner{}.Owned(context.Background(), input(bytes.Repeat([]byte("x"), 100)), func(string, string) {})
	if err == nil {
		t.Error("garbage accepted")
	}
}
