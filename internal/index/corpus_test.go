package index

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigilsec/vigil/internal/extract/dpkg"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/source"
)

// corpus returns the directory of a corpus built by
// /work/shared/tools/make-corpus.sh, named by VIGIL_CORPUS, or skips.
func corpus(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VIGIL_CORPUS")
	if dir == "" {
		t.Skip("VIGIL_CORPUS is not set: build a corpus with /work/shared/tools/make-corpus.sh DIR and set VIGIL_CORPUS=DIR")
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
		t.Skipf("VIGIL_CORPUS=%s holds no built corpus (no MANIFEST.tsv): %v", dir, err)
	}
	return dir
}

func indexDir(t *testing.T, dir string) *model.Inventory {
	t.Helper()
	d, err := source.OpenDir(dir, model.TargetFS)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Index(context.Background(), d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// dpkgQuery lists the installed packages of a root with dpkg-query.
func dpkgQuery(t *testing.T, root string) map[string]string {
	t.Helper()
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		t.Skip("dpkg-query not installed")
	}
	out, err := exec.Command("dpkg-query", "-W", "--admindir="+filepath.Join(root, "var/lib/dpkg"),
		"-f", "${Package}\t${Version}\t${db:Status-Status}\n").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) == 3 && f[2] == "installed" {
			m[f[0]] = f[1]
		}
	}
	return m
}

func dpkgOf(inv *model.Inventory) map[string]string {
	m := map[string]string{}
	for _, p := range inv.Packages {
		if p.Extractor == dpkg.Name {
			m[p.Name] = p.Version
		}
	}
	return m
}

func TestCorpusRootfsDpkg(t *testing.T) {
	dir := corpus(t)
	for _, r := range []string{"rootfs-debian", "rootfs-app"} {
		t.Run(r, func(t *testing.T) {
			root := filepath.Join(dir, r)
			inv := indexDir(t, root)
			want := dpkgQuery(t, root)
			if diff := cmp.Diff(want, dpkgOf(inv)); diff != "" {
				t.Errorf("dpkg set vs dpkg-query (-dpkg-query +vigil):\n%s", diff)
			}
			if inv.OS == nil || inv.OS.ID != "debian" {
				t.Errorf("OS = %+v", inv.OS)
			}
			t.Logf("%s: %d packages, %d dpkg, %d issues", r, len(inv.Packages), len(want), len(inv.Issues))
		})
	}
}

func TestCorpusImagesSameInventory(t *testing.T) {
	dir := corpus(t)
	for _, c := range []struct{ image, rootfs string }{{"debian-minbase", "rootfs-debian"}, {"app", "rootfs-app"}} {
		t.Run(c.image, func(t *testing.T) {
			oci := indexImage(t, "oci-layout:"+filepath.Join(dir, "images", c.image+".oci"), Options{})
			arch := indexImage(t, "docker-archive:"+filepath.Join(dir, "images", c.image+".docker.tar"), Options{})
			if diff := cmp.Diff(oci, arch, cmpInv...); diff != "" {
				t.Errorf("OCI layout vs docker archive (-oci +docker):\n%s", diff)
			}
			flat := indexDir(t, filepath.Join(dir, c.rootfs))
			if diff := cmp.Diff(oci.Packages, flat.Packages, cmpopts.IgnoreFields(model.Package{}, "Layer"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("OCI layout vs flattened root (-image +rootfs):\n%s", diff)
			}
			if diff := cmp.Diff(oci.OS, flat.OS); diff != "" {
				t.Errorf("OS image vs rootfs:\n%s", diff)
			}
			perLayer := map[string]int{}
			for _, p := range oci.Packages {
				perLayer[p.Layer]++
				if strings.Contains(p.Path, "/dist-packages/PyYAML-") || strings.Contains(p.Path, "/dist-packages/yaml/") {
					t.Errorf("package %s from whited-out %s", p.Name, p.Path)
				}
			}
			for i, l := range oci.Layers {
				t.Logf("layer %d %s: %d packages (%s)", i, l.DiffID[:19], perLayer[l.DiffID], l.CreatedBy)
			}
			if oci.Partial {
				t.Errorf("partial: %+v", oci.Issues)
			}
		})
	}
}

func TestCorpusLambda(t *testing.T) {
	dir := corpus(t)
	f, err := source.OpenFunction(filepath.Join(dir, "lambda-function.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inv, err := Index(context.Background(), f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	byManager := map[model.PackageManager]int{}
	installed := map[string]bool{}
	for _, p := range inv.Packages {
		byManager[p.Manager]++
		if p.Manager == model.ManagerNodePkg {
			installed[p.Name+"@"+p.Version] = true
		}
	}
	for _, p := range inv.Packages {
		if p.Manager == model.ManagerNPM && installed[p.Name+"@"+p.Version] {
			t.Errorf("%s@%s counted twice (lockfile and node_modules)", p.Name, p.Version)
		}
	}
	if byManager[model.ManagerNodePkg] == 0 {
		t.Errorf("no installed npm packages: %v", byManager)
	}
	t.Logf("lambda: %d packages %v, issues %+v", len(inv.Packages), byManager, inv.Issues)
}

// TestCorpusAppLayers: in the app image every dpkg package of the base
// (as dpkg-query lists rootfs-debian) was introduced by the base layer,
// though the apt layer rewrote the status file; the others by the apt
// layer.
func TestCorpusAppLayers(t *testing.T) {
	dir := corpus(t)
	base := dpkgQuery(t, filepath.Join(dir, "rootfs-debian"))
	inv := indexImage(t, "oci-layout:"+filepath.Join(dir, "images", "app.oci"), Options{})
	if len(inv.Layers) != 4 {
		t.Fatalf("%d layers", len(inv.Layers))
	}
	var fromBase, fromApt int
	for _, p := range inv.Packages {
		if p.Extractor != dpkg.Name {
			continue
		}
		want := inv.Layers[1].DiffID
		if base[p.Name] == p.Version {
			want = inv.Layers[0].DiffID
			fromBase++
		} else {
			fromApt++
		}
		if p.Layer != want {
			t.Errorf("%s %s: layer %s, want %s", p.Name, p.Version, p.Layer, want)
		}
	}
	t.Logf("dpkg packages from the base layer %d, from the apt layer %d", fromBase, fromApt)
	if fromBase == 0 || fromApt == 0 {
		t.Errorf("base %d apt %d", fromBase, fromApt)
	}
}
