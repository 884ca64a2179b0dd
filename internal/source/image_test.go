package source

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/vigilsec/vigil/internal/model"
)

const pkgdb = "../../../shared/testdata/pkgdb"

// platformImage is a one-layer image (a real os-release file) for a platform.
func platformImage(t *testing.T, osRelease, arch string) v1.Image {
	t.Helper()
	l, err := layerOf(t, "etc/os-release", filepath.Join(pkgdb, "os-release", osRelease))
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: "COPY os-release " + arch}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", arch
	if arch == "arm64" {
		cfg.Variant = "v8"
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func multiArch(t *testing.T) (v1.ImageIndex, v1.Image, v1.Image) {
	amd := platformImage(t, "debian-12.os-release", "amd64")
	arm := platformImage(t, "alpine-3.18.4.os-release", "arm64")
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}},
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
	)
	return idx, amd, arm
}

func digestOf(t *testing.T, img v1.Image) string {
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

func TestPlatformFromRegistryAndLayout(t *testing.T) {
	idx, amd, arm := multiArch(t)
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	ref := u.Host + "/multi/arch:1.0"
	r, _ := name.ParseReference(ref)
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "oci")
	if _, err := layout.Write(dir, idx); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, target := range []string{ref, "registry:" + ref, "oci-layout:" + dir, dir} {
		for _, c := range []struct {
			platform string
			want     v1.Image
			plat     string
		}{{"", amd, "linux/amd64"}, {"linux/arm64/v8", arm, "linux/arm64/v8"}, {"linux/arm64", arm, "linux/arm64/v8"}} {
			img, err := OpenImage(ctx, target, ImageOptions{Platform: c.platform})
			if err != nil {
				t.Fatalf("%s %q: %v", target, c.platform, err)
			}
			tg := img.Target()
			if tg.Digest != digestOf(t, c.want) || tg.Platform != c.plat || tg.Kind != model.TargetImage {
				t.Errorf("%s %q: target %+v", target, c.platform, tg)
			}
			if len(img.Layers) != 1 || img.Layers[0].CreatedBy == "" || img.Layers[0].Digest == "" || img.Layers[0].DiffID == "" {
				t.Errorf("%s: layers %+v", target, img.Layers)
			}
			rc, err := img.Layers[0].Open()
			if err != nil {
				t.Fatal(err)
			}
			rc.Close()
		}
	}
	img, err := OpenImage(ctx, ref, ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(model.Target{Kind: model.TargetImage, Name: ref, Digest: digestOf(t, amd), Repository: u.Host + "/multi/arch", Tags: []string{"1.0"}, Platform: "linux/amd64"}, img.Target()); diff != "" {
		t.Errorf("registry target (-want +got):\n%s", diff)
	}
	if _, err := OpenImage(ctx, dir, ImageOptions{Platform: "linux/s390x"}); !errors.Is(err, ErrNoImage) {
		t.Errorf("s390x: err = %v, want ErrNoImage", err)
	}
	var se *Error
	if _, err := OpenImage(ctx, dir, ImageOptions{Platform: "linux/amd64/v8/extra"}); !errors.As(err, &se) {
		t.Errorf("bad platform: err = %v", err)
	}
}

func TestDockerArchive(t *testing.T) {
	amd := platformImage(t, "debian-12.os-release", "amd64")
	p := filepath.Join(t.TempDir(), "img.tar")
	tag, _ := name.NewTag("example.com/team/app:2")
	if err := tarball.WriteToFile(p, tag, amd); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{p, "docker-archive:" + p} {
		img, err := OpenImage(context.Background(), target, ImageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cfgName, _ := amd.ConfigName()
		tg := img.Target()
		if tg.Digest != cfgName.String() || tg.Repository != "example.com/team/app" || !cmp.Equal(tg.Tags, []string{"2"}) || tg.Platform != "linux/amd64" {
			t.Errorf("%s: target %+v", target, tg)
		}
		ls, _ := amd.Layers()
		d, _ := ls[0].DiffID()
		if img.Layers[0].DiffID != d.String() {
			t.Errorf("diff id %s, want %s", img.Layers[0].DiffID, d)
		}
	}
	if _, err := OpenImage(context.Background(), "docker-archive:/nonexistent.tar", ImageOptions{}); err == nil {
		t.Error("missing archive: no error")
	}
}

func TestLayoutRefs(t *testing.T) {
	_, amd, arm := multiArch(t)
	dir := filepath.Join(t.TempDir(), "oci")
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	lp.AppendImage(amd, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "amd"}))
	lp.AppendImage(arm, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "example.com/x:arm"}))
	ctx := context.Background()
	for _, c := range []struct {
		target string
		want   v1.Image
	}{
		{"oci-layout:" + dir + ":amd", amd},
		{"oci-layout:" + dir + ":arm", arm},
		{"oci-layout:" + dir + "@" + digestOf(t, arm), arm},
		{"oci-layout:" + dir, amd},
	} {
		img, err := OpenImage(ctx, c.target, ImageOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.target, err)
		}
		if img.Target().Digest != digestOf(t, c.want) {
			t.Errorf("%s: got %s", c.target, img.Target().Digest)
		}
	}
	if _, err := OpenImage(ctx, "oci-layout:"+dir+":nope", ImageOptions{}); !errors.Is(err, ErrNoRef) {
		t.Errorf("unknown tag: %v", err)
	}
}

func TestDockerArchiveSeveralImages(t *testing.T) {
	amd := platformImage(t, "debian-12.os-release", "amd64")
	arm := platformImage(t, "alpine-3.18.4.os-release", "arm64")
	p := filepath.Join(t.TempDir(), "two.tar")
	ta, _ := name.NewTag("example.com/a:1")
	tb, _ := name.NewTag("example.com/b:2")
	if err := tarball.MultiWriteToFile(p, map[name.Tag]v1.Image{ta: amd, tb: arm}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var se *Error
	if _, err := OpenImage(ctx, p, ImageOptions{}); !errors.As(err, &se) {
		t.Errorf("two images, none named: %v", err)
	}
	img, err := OpenImage(ctx, "docker-archive:"+p+":example.com/b:2", ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tg := img.Target(); tg.Repository != "example.com/b" || tg.Platform != "linux/arm64/v8" {
		t.Errorf("target %+v", tg)
	}
	if _, err := OpenImage(ctx, "docker-archive:"+p+":example.com/c:3", ImageOptions{}); !errors.Is(err, ErrNoRef) {
		t.Errorf("unknown name: %v", err)
	}
}
