package acceptance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusRootFileSystems runs the independent Debian check on the real
// root file systems built by shared/tools/make-corpus.sh (debootstrap
// minbase and an application image, Debian bookworm) when VIGIL_CORPUS
// names the corpus directory. The whole root is scanned, not only its
// status file.
func TestCorpusRootFileSystems(t *testing.T) {
	dir := os.Getenv("VIGIL_CORPUS")
	if dir == "" {
		t.Skip("VIGIL_CORPUS is not set: build a corpus with shared/tools/make-corpus.sh and point VIGIL_CORPUS at it")
	}
	needDpkg(t)
	engine(t)
	roots, err := filepath.Glob(filepath.Join(dir, "rootfs-*"))
	if err != nil {
		t.Fatal(err)
	}
	fixes := trackerFixes(t)
	n := 0
	for _, root := range roots {
		if _, err := os.Stat(filepath.Join(root, dpkgStatusPath)); err != nil {
			continue
		}
		n++
		t.Run(filepath.Base(root), func(t *testing.T) {
			osr := osRelease(t, inRoot(t, root, "etc/os-release"))
			codename := debianCodename(t, osr)
			lines := 0
			for _, f := range fixes {
				if f.Release == codename {
					lines++
				}
			}
			exp, hits := checkDebianRoot(t, engine(t), root, fixes, dpkgLess)
			t.Logf("%s (%s, %d list lines for %s): %d packages in the status file, %d affected pairs expected, %d reported",
				filepath.Base(root), strings.TrimSpace(osr["PRETTY_NAME"]), lines, codename,
				len(readDpkgStatus(t, readFile(t, inRoot(t, root, dpkgStatusPath)))), len(exp), len(hits))
		})
	}
	if n == 0 {
		t.Fatalf("no rootfs-*/%s under VIGIL_CORPUS=%s", dpkgStatusPath, dir)
	}
}
