package index

import (
	"context"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigilsec/vigil/internal/fsx"
	"github.com/vigilsec/vigil/internal/model"
)

const distPackages = "usr/lib/python3/dist-packages/"

// The owned-files tree: a real Debian 12 os-release and dpkg status, real
// Python metadata from pkgdb, and dpkg .list files naming them as Debian
// lists them (python3-click lists its dist-info METADATA; python3-setuptools
// is given only its egg-info directory, owned through the directory). Flask
// is pip-installed under /usr/local, which no package owns.
var (
	clickList = "/.\n/usr\n/usr/lib\n/usr/lib/python3\n/usr/lib/python3/dist-packages\n" +
		"/usr/lib/python3/dist-packages/click-8.0.0.dist-info\n" +
		"/usr/lib/python3/dist-packages/click-8.0.0.dist-info/METADATA\n"
	ownedTree = []tentry{
		{name: "etc/os-release", file: "os-release/debian-12.os-release"},
		{name: "var/lib/dpkg/status", file: "dpkg/status/debian-small.status"},
		{name: "var/lib/dpkg/info/python3-click.list", body: clickList},
		{name: "var/lib/dpkg/info/python3-setuptools.list", body: "/usr/lib/python3/dist-packages/setuptools-51.3.3-py3.8.egg-info\n"},
		{name: distPackages + "click-8.0.0.dist-info/METADATA", file: "python/dist-metadata/click-8.0.0.dist-info/METADATA"},
		{name: distPackages + "setuptools-51.3.3-py3.8.egg-info/PKG-INFO", file: "python/dist-metadata/setuptools-51.3.3-py3.8.egg-info/PKG-INFO"},
		{name: "usr/local/lib/python3.11/dist-packages/Flask-2.0.0.dist-info/METADATA", file: "python/dist-metadata/Flask-2.0.0.dist-info/METADATA"},
	}
)

// ownedByName returns OwnedBy of the inventory's language packages by name.
func ownedByName(t *testing.T, inv *model.Inventory) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, p := range inv.Packages {
		if p.Manager == model.ManagerOS {
			if p.OwnedBy != "" {
				t.Errorf("OS package %s has OwnedBy %q", p.Name, p.OwnedBy)
			}
			continue
		}
		m[p.Name] = p.OwnedBy
	}
	return m
}

func TestOwnedByOSDir(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, ownedTree)
	inv := indexDir(t, root)
	want := map[string]string{"click": "python3-click", "setuptools": "python3-setuptools", "Flask": ""}
	if d := cmp.Diff(want, ownedByName(t, inv)); d != "" {
		t.Errorf("OwnedBy (-want +got):\n%s", d)
	}
	if inv.Partial || len(dpkgOf(inv)) == 0 {
		t.Errorf("partial %v, issues %+v, %d dpkg packages", inv.Partial, inv.Issues, len(dpkgOf(inv)))
	}
}

// TestOwnedByOSLayers: ownership is squashed by its database files. Layer 1
// installs python3-click (its .list and METADATA) and leaves Flask's
// METADATA unowned; layer 2 adds python3-flask.list owning that lower file
// and deletes python3-click.list. The cached run gives the same result.
func TestOwnedByOSLayers(t *testing.T) {
	flaskMeta := distPackages + "Flask-2.0.0.dist-info/METADATA"
	l1 := append(append([]tentry(nil), ownedTree[:3]...),
		tentry{name: ownedTree[4].name, file: ownedTree[4].file},
		tentry{name: flaskMeta, file: "python/dist-metadata/Flask-2.0.0.dist-info/METADATA"})
	l2 := []tentry{
		{name: "var/lib/dpkg/info/.wh.python3-click.list"},
		{name: "var/lib/dpkg/info/python3-flask.list", body: "/" + path.Dir(flaskMeta) + "\n/" + flaskMeta + "\n"},
	}
	img := buildImage(t, l1, l2)
	dir := t.TempDir()
	writeLayout(t, dir, img)
	want := map[string]string{"click": "", "Flask": "python3-flask"}
	cacheDir := t.TempDir()
	for _, run := range []string{"uncached", "cached"} {
		inv := indexImage(t, "oci-layout:"+dir, Options{CacheDir: cacheDir})
		if d := cmp.Diff(want, ownedByName(t, inv)); d != "" {
			t.Errorf("%s: OwnedBy (-want +got):\n%s", run, d)
		}
	}
	// The first layer alone: click is owned, Flask is not.
	img1 := buildImage(t, l1)
	dir1 := t.TempDir()
	writeLayout(t, dir1, img1)
	inv := indexImage(t, "oci-layout:"+dir1, Options{CacheDir: cacheDir})
	if d := cmp.Diff(map[string]string{"click": "python3-click", "Flask": ""}, ownedByName(t, inv)); d != "" {
		t.Errorf("layer 1 only: OwnedBy (-want +got):\n%s", d)
	}
}

// ownedWant is what the corpus app roots must say: the Python packages
// Debian's python3-* packages install.
var ownedWant = map[string]string{
	"idna": "python3-idna", "urllib3": "python3-urllib3", "requests": "python3-requests",
}

// TestCorpusOwnedByOS: on the app root and images, idna, urllib3 and
// requests (and every other PyPI package under /usr/lib/python3) are owned
// by their python3-* package, as `dpkg-query -S` says; the node app's
// packages are not.
func TestCorpusOwnedByOS(t *testing.T) {
	dir := corpus(t)
	rootfs := filepath.Join(dir, "rootfs-app")
	cacheDir := t.TempDir()
	invs := map[string]*model.Inventory{"rootfs-app": indexDir(t, rootfs)}
	for _, target := range []string{"oci-layout:" + filepath.Join(dir, "images", "app.oci"),
		"docker-archive:" + filepath.Join(dir, "images", "app.docker.tar")} {
		invs[target] = indexImage(t, target, Options{CacheDir: cacheDir})
	}
	invs["cached app.oci"] = indexImage(t, "oci-layout:"+filepath.Join(dir, "images", "app.oci"), Options{CacheDir: cacheDir})
	_, haveDpkg := exec.LookPath("dpkg-query")
	for name, inv := range invs {
		owned, pypi := 0, 0
		got := map[string]string{}
		for _, p := range inv.Packages {
			if p.OwnedBy != "" {
				owned++
			}
			switch {
			case p.Ecosystem == model.EcosystemPyPI:
				pypi++
				got[p.Name] = p.OwnedBy
				if strings.HasPrefix(p.Path, "/usr/lib/python3/") && p.OwnedBy == "" {
					t.Errorf("%s: %s %s at %s not owned", name, p.Name, p.Version, p.Path)
				}
			case strings.HasPrefix(p.Path, "/srv/node-app/") && p.OwnedBy != "":
				t.Errorf("%s: %s at %s owned by %s", name, p.Name, p.Path, p.OwnedBy)
			}
			if p.OwnedBy != "" && haveDpkg == nil && name == "rootfs-app" {
				if by := dpkgOwner(t, rootfs, p.Path); by != p.OwnedBy {
					t.Errorf("%s: OwnedBy %q, dpkg-query -S says %q", p.Path, p.OwnedBy, by)
				}
			}
		}
		for n, by := range ownedWant {
			if got[n] != by {
				t.Errorf("%s: %s owned by %q, want %q", name, n, got[n], by)
			}
		}
		t.Logf("%s: %d packages, %d PyPI, %d owned by OS packages", name, len(inv.Packages), pypi, owned)
	}
	oci, flat := invs["oci-layout:"+filepath.Join(dir, "images", "app.oci")], invs["rootfs-app"]
	if d := cmp.Diff(oci.Packages, flat.Packages, cmpopts.IgnoreFields(model.Package{}, "Layer"), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("image vs rootfs (-image +rootfs):\n%s", d)
	}
	if d := cmp.Diff(oci.Packages, invs["cached app.oci"].Packages, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("uncached vs cached (-uncached +cached):\n%s", d)
	}
}

// dpkgOwner asks dpkg-query which package owns p (or, for a Python
// metadata file, its directory).
func dpkgOwner(t *testing.T, root, p string) string {
	t.Helper()
	admin := "--admindir=" + filepath.Join(root, "var/lib/dpkg")
	for _, q := range []string{p, path.Dir(p)} {
		out, err := exec.Command("dpkg-query", admin, "-S", q).Output()
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(out), "\n") {
			pkgs, file, ok := strings.Cut(l, ": ")
			if ok && file == q && !strings.Contains(pkgs, ",") {
				name, _, _ := strings.Cut(pkgs, ":")
				return name
			}
		}
	}
	return ""
}

// TestCorpusOwnedMemory reports the owned-path set of the Debian roots:
// paths, bytes held, and the cost of reading the .list files in a walk.
func TestCorpusOwnedMemory(t *testing.T) {
	dir := corpus(t)
	for _, r := range []string{"rootfs-debian", "rootfs-app"} {
		src, err := fsx.NewDir(filepath.Join(dir, r))
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		res, err := fsx.Walk(context.Background(), src, fsx.Options{Owners: owners, TempDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		set := res.Owned
		if set.Len() < 5000 || len(set.Sources) < 80 {
			t.Errorf("%s: %d owned paths from %d lists", r, set.Len(), len(set.Sources))
		}
		if b := set.Bytes(); b > 13*set.Len() {
			t.Errorf("%s: %d bytes for %d paths", r, b, set.Len())
		}
		t.Logf("%s: %d owned paths of %d packages, %d bytes (%.1f a path), heap +%d bytes after the walk, walk %v",
			r, set.Len(), len(set.Sources), set.Bytes(), float64(set.Bytes())/float64(set.Len()),
			int64(after.HeapAlloc)-int64(before.HeapAlloc), took)
		runtime.KeepAlive(res)
	}
}
