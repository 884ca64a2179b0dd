package index

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/source"
)

// BenchmarkImageLayers indexes the test image (three layers of real files)
// from an OCI layout, without a cache.
func BenchmarkImageLayers(b *testing.B) {
	img := buildImage(b, layer1, layer2, layer3)
	dir := b.TempDir()
	writeLayout(b, filepath.Join(dir, "oci"), img)
	benchIndex(b, "oci-layout:"+filepath.Join(dir, "oci"))
}

// BenchmarkCorpusApp indexes the corpus "app" image (OCI layout) when
// VIGIL_CORPUS names a built corpus.
func BenchmarkCorpusApp(b *testing.B) {
	dir := os.Getenv("VIGIL_CORPUS")
	if dir == "" {
		b.Skip("VIGIL_CORPUS is not set")
	}
	benchIndex(b, "oci-layout:"+filepath.Join(dir, "images", "app.oci"))
}

func benchIndex(b *testing.B, target string) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		img, err := source.OpenImage(ctx, target, source.ImageOptions{})
		if err != nil {
			b.Fatal(err)
		}
		inv, err := Index(ctx, img, Options{})
		if err != nil || inv.Partial {
			b.Fatal(err, inv.Issues)
		}
		img.Close()
	}
}
