package rpm

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
)

// ownedListing returns "name\tpath" for every file the database's
// packages own, sorted.
func ownedListing(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(pkgdb, file))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	err = Owner{}.Owned(context.Background(), input(t, "/var/lib/rpm/"+filepath.Base(file), data), func(pkg, p string) {
		out = append(out, pkg+"\t"+p)
	})
	if err != nil {
		t.Fatalf("Owned(%s): %v", file, err)
	}
	slices.Sort(out)
	return out
}

// TestOwnedAgainstRPM compares the owned files of each database with rpm's
// own file lists (FILENAMES), where rpm reads the format.
func TestOwnedAgainstRPM(t *testing.T) {
	bin, err := exec.LookPath("rpm")
	if err != nil {
		t.Skip("rpm not installed: owned file lists not cross-checked")
	}
	checked := 0
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			got := ownedListing(t, db.file)
			for _, l := range got {
				if _, p, _ := strings.Cut(l, "\t"); !strings.HasPrefix(p, "/") || filepath.ToSlash(filepath.Clean(p)) != p {
					t.Errorf("path not absolute and clean: %q", l)
				}
			}
			dir := t.TempDir()
			data, err := os.ReadFile(filepath.Join(pkgdb, db.file))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(db.file)), data, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, "--define", "_db_backend "+db.backend, "--dbpath", dir, "-qa",
				"--qf", `[%{=NAME}\t%{FILENAMES}\n]`).Output()
			if err != nil || len(out) == 0 {
				t.Skipf("rpm cannot read %s databases here (%v); %d owned paths read", db.backend, err, len(got))
			}
			var want []string
			for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
				if n, p, ok := strings.Cut(l, "\t"); ok && p != "" && n != "gpg-pubkey" {
					want = append(want, l)
				}
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("owned files differ from rpm's FILENAMES (-rpm +vigil):\n%s", diff)
			}
			checked++
			t.Logf("%d owned paths, as rpm lists them", len(got))
		})
	}
	if checked == 0 {
		t.Log("rpm read none of the databases")
	}
}

// TestOwnedNDB: rpm here cannot read NDB; every package of the SLE BCI
// database lists files, all absolute.
func TestOwnedNDB(t *testing.T) {
	got := ownedListing(t, "ndb/sle15-bci/Packages.db")
	pkgs := map[string]bool{}
	for _, l := range got {
		n, p, _ := strings.Cut(l, "\t")
		pkgs[n] = true
		if !strings.HasPrefix(p, "/") {
			t.Errorf("relative path %q", l)
		}
	}
	if !slices.Contains(got, "bash\t/usr/bin/bash") {
		t.Errorf("bash does not own /usr/bin/bash; %d paths", len(got))
	}
	t.Logf("%d owned paths of %d packages", len(got), len(pkgs))
}

// TestOwnedDamaged: truncated databases give a ParseError or fewer paths,
// never a panic.
func TestOwnedDamaged(t *testing.T) {
	for _, db := range databases {
		data, err := os.ReadFile(filepath.Join(pkgdb, db.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 10, 100, 4096, len(data) / 2, len(data) - 1} {
			err := Owner{}.Owned(context.Background(), input(t, "/var/lib/rpm/Packages", data[:n]), func(string, string) {})
			var pe *extract.ParseError
			if err != nil && !errors.As(err, &pe) {
				t.Errorf("%s truncated to %d: %T %v", db.name, n, err, err)
			}
		}
	}
}
