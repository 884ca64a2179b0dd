package dpkg

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ownedOf(t *testing.T, name string, data []byte) []string {
	t.Helper()
	var got []string
	err := Owner{}.Owned(context.Background(), input(InfoDir+"/"+name, data), func(pkg, p string) {
		got = append(got, pkg+"\t"+p)
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestOwnedList(t *testing.T) {
	long := "/usr/" + strings.Repeat("x", maxListLine+10)
	data := "/.\n/usr\n/usr/lib/python3/dist-packages/idna-3.3.egg-info\r\n" + long + "\n" +
		"/usr/lib/python3/dist-packages/idna-3.3.egg-info/PKG-INFO\nrelative\n\n/usr//share/doc/python3-idna/"
	got := ownedOf(t, "python3-idna:amd64.list", []byte(data))
	want := []string{
		"python3-idna\t/usr",
		"python3-idna\t/usr/lib/python3/dist-packages/idna-3.3.egg-info",
		"python3-idna\t/usr/lib/python3/dist-packages/idna-3.3.egg-info/PKG-INFO",
		"python3-idna\t/usr/share/doc/python3-idna",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for p, want := range map[string]bool{
		InfoDir + "/libc6:amd64.list": true, InfoDir + "/bash.list": true, InfoDir + "/bash.md5sums": false,
		InfoDir + "/.list": false, "/var/lib/dpkg/status.d/bash.list": false, InfoDir + "/x/bash.list": false,
	} {
		if got := (Owner{}).Required(p); got != want {
			t.Errorf("Required(%q) = %v", p, got)
		}
	}
	if got := ListPackage("libc6:amd64.list"); got != "libc6" {
		t.Errorf("ListPackage = %q", got)
	}
}

// TestOwnedAgainstDpkgQuery reads every .list file of the corpus roots and
// compares with `dpkg-query -L` (without "/." and diversion notes).
func TestOwnedAgainstDpkgQuery(t *testing.T) {
	dir := os.Getenv("VIGIL_CORPUS")
	if dir == "" {
		t.Skip("VIGIL_CORPUS is not set: build a corpus with shared/tools/make-corpus.sh; the .list parser is tested on its own by TestOwnedList")
	}
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		t.Skip("dpkg-query not installed")
	}
	admin := filepath.Join(dir, "rootfs-app", "var", "lib", "dpkg")
	lists, err := filepath.Glob(filepath.Join(admin, "info", "*.list"))
	if err != nil || len(lists) == 0 {
		t.Fatalf("no .list files under %s: %v", admin, err)
	}
	total := 0
	for _, l := range lists {
		data, err := os.ReadFile(l)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(l), ".list")
		got := ownedOf(t, filepath.Base(l), data)
		out, err := exec.Command("dpkg-query", "--admindir="+admin, "-L", name).Output()
		if err != nil {
			t.Fatalf("dpkg-query -L %s: %v", name, err)
		}
		var want []string
		for _, p := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if strings.HasPrefix(p, "/") && p != "/." {
				want = append(want, ListPackage(filepath.Base(l))+"\t"+p)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-dpkg-query +vigil):\n%s", name, d)
		}
		total += len(got)
	}
	t.Logf("%d .list files, %d owned paths", len(lists), total)
}
