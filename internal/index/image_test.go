package index

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/extract/dpkg"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/source"
)

// The three layers of the test image, from real files of pkgdb:
//  1. Ubuntu 18.04 base: os-release (through the usual symlink) and the
//     base dpkg status.
//  2. The dpkg status rewritten with a larger package set (TeX Live image),
//     Python dist-info METADATA, an npm lockfile, a jar, a Cargo.lock.
//  3. Whiteouts: the Flask dist-info dir, an opaque /opt (hiding the jar),
//     and the Cargo.lock.
var (
	layer1 = []tentry{
		{name: "etc/", dir: true},
		{name: "usr/lib/os-release", file: "os-release/ubuntu-18.04.os-release"},
		{name: "etc/os-release", link: "../usr/lib/os-release"},
		{name: "var/lib/dpkg/status", file: "dpkg/status/ubuntu-18.04-base.status"},
	}
	layer2 = []tentry{
		{name: "var/lib/dpkg/status", file: "dpkg/status/ubuntu-18.04-texlive.status"},
		{name: "usr/lib/python3/dist-packages/Flask-2.0.0.dist-info/METADATA", file: "python/dist-metadata/Flask-2.0.0.dist-info/METADATA"},
		{name: "usr/lib/python3/dist-packages/click-8.0.0.dist-info/METADATA", file: "python/dist-metadata/click-8.0.0.dist-info/METADATA"},
		{name: "app/package-lock.json", file: "npm/package-lock.v3.json"},
		{name: "app/Cargo.lock", file: "cargo/Cargo.lock"},
		{name: "opt/lib/jackson-annotations-2.15.0-rc2.jar", file: "maven/jar/jackson-annotations-2.15.0-rc2.jar"},
	}
	layer3 = []tentry{
		{name: "usr/lib/python3/dist-packages/.wh.Flask-2.0.0.dist-info"},
		{name: "opt/.wh..wh..opq"},
		{name: "opt/README"},
		{name: "app/.wh.Cargo.lock"},
	}
	// flattened is the tree the three layers make.
	flattened = []tentry{
		{name: "usr/lib/os-release", file: "os-release/ubuntu-18.04.os-release"},
		{name: "etc/os-release", link: "../usr/lib/os-release"},
		{name: "var/lib/dpkg/status", file: "dpkg/status/ubuntu-18.04-texlive.status"},
		{name: "usr/lib/python3/dist-packages/click-8.0.0.dist-info/METADATA", file: "python/dist-metadata/click-8.0.0.dist-info/METADATA"},
		{name: "app/package-lock.json", file: "npm/package-lock.v3.json"},
		{name: "opt/README"},
	}
)

// readers of one image: an in-process registry, an OCI layout, a docker
// archive.
func imageSources(t *testing.T, img v1.Image) map[string]string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ref := u.Host + "/vigil/test:v1"
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeLayout(t, filepath.Join(dir, "oci"), img)
	tarPath := filepath.Join(dir, "image.tar")
	tag, err := name.NewTag("vigil/test:v1")
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(tarPath, tag, img); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"registry":       ref,
		"oci-layout":     "oci-layout:" + filepath.Join(dir, "oci"),
		"docker-archive": tarPath,
	}
}

func indexImage(t *testing.T, target string, opts Options) *model.Inventory {
	t.Helper()
	ctx := context.Background()
	img, err := source.OpenImage(ctx, target, source.ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	inv, err := Index(ctx, img, opts)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// dpkgSet extracts a status file of pkgdb directly.
func dpkgSet(t *testing.T, rel string) map[string]bool {
	t.Helper()
	b := readPkgdb(t, rel)
	r := bytes.NewReader(b)
	pkgs, err := dpkg.New().Extract(context.Background(), &extract.Input{
		FileInfo: extract.FileInfo{Path: "/var/lib/dpkg/status", Size: int64(len(b))},
		Reader:   r, ReaderAt: r, Limits: &extract.Limits{}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, p := range pkgs {
		out[p.Name+"="+p.Version] = true
	}
	return out
}

// cmpInv compares inventories of one image read from different places:
// the target and the compressed digests legitimately differ.
var cmpInv = []cmp.Option{
	cmpopts.IgnoreFields(model.Inventory{}, "Target", "IndexedAt"),
	cmpopts.IgnoreFields(model.Layer{}, "Digest", "Size"),
	cmpopts.EquateEmpty(),
}

func TestImageSquashAndSources(t *testing.T) {
	img := buildImage(t, layer1, layer2, layer3)
	srcs := imageSources(t, img)
	diffIDs := make([]string, 3)
	ls, _ := img.Layers()
	for i, l := range ls {
		h, _ := l.DiffID()
		diffIDs[i] = h.String()
	}

	ref := indexImage(t, srcs["oci-layout"], Options{})
	byExtractor := map[string]int{}
	for _, p := range ref.Packages {
		byExtractor[p.Extractor]++
	}
	t.Logf("%d packages %v, %d issues", len(ref.Packages), byExtractor, len(ref.Issues))
	for _, is := range ref.Issues {
		t.Logf("issue: %+v", is)
	}
	if ref.Partial {
		t.Errorf("inventory partial: %+v", ref.Issues)
	}
	if ref.OS == nil || ref.OS.ID != "ubuntu" || ref.OS.VersionID != "18.04" {
		t.Fatalf("OS = %+v, want ubuntu 18.04 (through the /etc/os-release symlink)", ref.OS)
	}
	for _, p := range ref.Packages {
		for _, gone := range []string{"/usr/lib/python3/dist-packages/Flask-2.0.0.dist-info", "/opt/lib", "/app/Cargo.lock"} {
			if fsxWithin(p.Path, gone) {
				t.Errorf("package %s %s from deleted %s", p.Name, p.Version, p.Path)
			}
		}
	}

	var click int
	for _, p := range ref.Packages {
		if p.Ecosystem == model.EcosystemPyPI && strings.EqualFold(p.Name, "click") && p.Version == "8.0.0" {
			click++
		}
	}
	if click != 1 || byExtractor["javascript/packagelock"] == 0 {
		t.Errorf("click 8.0.0 found %d times, npm lockfile packages %d; want both from layer 2", click, byExtractor["javascript/packagelock"])
	}

	// dpkg: the final status is layer 2's; a package also in layer 1's
	// status (same name and version) was introduced by layer 1.
	base := dpkgSet(t, "dpkg/status/ubuntu-18.04-base.status")
	final := dpkgSet(t, "dpkg/status/ubuntu-18.04-texlive.status")
	var nDpkg, nBase int
	for _, p := range ref.Packages {
		switch p.Extractor {
		case dpkg.Name:
			nDpkg++
			want := diffIDs[1]
			if base[p.Name+"="+p.Version] {
				want, nBase = diffIDs[0], nBase+1
			}
			if p.Layer != want {
				t.Errorf("%s %s: layer %s, want %s", p.Name, p.Version, p.Layer, want)
			}
			if p.Ecosystem != model.EcosystemUbuntu || !strings.Contains(p.PURL, "distro=ubuntu-18.04") {
				t.Errorf("%s: ecosystem %s purl %s, want Ubuntu and distro=ubuntu-18.04", p.Name, p.Ecosystem, p.PURL)
			}
		default:
			if p.Layer != diffIDs[1] {
				t.Errorf("%s %s (%s): layer %s, want layer 2 %s", p.Name, p.Version, p.Path, p.Layer, diffIDs[1])
			}
		}
	}
	if nDpkg != len(final) || nBase == 0 || nBase == nDpkg {
		t.Errorf("dpkg packages %d (from layer 1: %d), want %d with some from each layer", nDpkg, nBase, len(final))
	}
	if len(ref.Layers) != 3 || ref.Layers[2].CreatedBy != "layer 3" || ref.Layers[0].DiffID != diffIDs[0] {
		t.Errorf("layers = %+v", ref.Layers)
	}

	// The same inventory from the registry and the docker archive.
	for _, kind := range []string{"registry", "docker-archive"} {
		got := indexImage(t, srcs[kind], Options{})
		if diff := cmp.Diff(ref, got, cmpInv...); diff != "" {
			t.Errorf("%s vs oci-layout (-oci +%s):\n%s", kind, kind, diff)
		}
	}
	reg := indexImage(t, srcs["registry"], Options{})
	if reg.Target.Repository == "" || len(reg.Target.Tags) != 1 || reg.Target.Platform != "linux/amd64" || !strings.HasPrefix(reg.Target.Digest, "sha256:") {
		t.Errorf("registry target = %+v", reg.Target)
	}

	// The flattened tree gives the same packages (without layers).
	dir := t.TempDir()
	writeTree(t, dir, flattened)
	d, err := source.OpenDir(dir, model.TargetFS)
	if err != nil {
		t.Fatal(err)
	}
	flat, err := Index(context.Background(), d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ref.Packages, flat.Packages, cmpopts.IgnoreFields(model.Package{}, "Layer"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("image vs flattened tree (-image +dir):\n%s", diff)
	}
	if diff := cmp.Diff(ref.OS, flat.OS); diff != "" {
		t.Errorf("OS image vs dir:\n%s", diff)
	}
}

func fsxWithin(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/") || strings.HasPrefix(p, dir+"!")
}

// writeLayout writes img as the only image of a new OCI layout, tagged v1.
func writeLayout(t testing.TB, dir string, img v1.Image) {
	t.Helper()
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "v1"})); err != nil {
		t.Fatal(err)
	}
}
