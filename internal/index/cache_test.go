package index

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract/dpkg"
	"github.com/vigilsec/vigil/internal/extract/list"
)

// TestLayerCache indexes an OCI layout once with only dpkg, once with all
// extractors (only the missing ones walk the layers), then empties the
// layer blobs: the third run must come entirely from the cache.
func TestLayerCache(t *testing.T) {
	img := buildImage(t, layer1, layer2, layer3)
	srcs := imageSources(t, img)
	want := indexImage(t, srcs["oci-layout"], Options{})

	cacheDir := t.TempDir()
	first := indexImage(t, srcs["oci-layout"], Options{CacheDir: cacheDir, Extractors: []extractorT{dpkg.New()}})
	for _, p := range first.Packages {
		if p.Extractor != dpkg.Name {
			t.Fatalf("dpkg-only run found %s from %s", p.Name, p.Extractor)
		}
	}
	second := indexImage(t, srcs["oci-layout"], Options{CacheDir: cacheDir, Extractors: list.All()})
	if diff := cmp.Diff(want, second, cmpInv...); diff != "" {
		t.Errorf("partly cached run (-uncached +cached):\n%s", diff)
	}

	layoutDir := strings.TrimPrefix(srcs["oci-layout"], "oci-layout:")
	ls, _ := img.Layers()
	for _, l := range ls {
		d, _ := l.Digest()
		// Emptied, not removed: the layout checks a blob exists when the
		// image is opened, and only reading it would fail.
		if err := os.Truncate(filepath.Join(layoutDir, "blobs", d.Algorithm, d.Hex), 0); err != nil {
			t.Fatal(err)
		}
	}
	third := indexImage(t, srcs["oci-layout"], Options{CacheDir: cacheDir})
	if diff := cmp.Diff(want, third, cmpInv...); diff != "" {
		t.Errorf("cached run without blobs (-uncached +cached):\n%s", diff)
	}
	// Without the cache the missing blobs are issues, not a failure.
	broken := indexImage(t, srcs["oci-layout"], Options{})
	if !broken.Partial || len(broken.Issues) != 3 {
		t.Errorf("missing blobs: partial=%v issues=%+v", broken.Partial, broken.Issues)
	}
	entries, _ := os.ReadDir(cacheDir)
	if len(entries) != 3 {
		t.Errorf("cache holds %d layer dirs, want 3", len(entries))
	}
}
