package index

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/vigilsec/vigil/internal/source"
)

// TestRegistryLayerFailures serves an image whose layer blobs fail (one
// with a 500, one cut short mid-stream): the scan goes on and reports each
// broken layer as an issue of a partial inventory.
func TestRegistryLayerFailures(t *testing.T) {
	img := buildImage(t, layer1, layer2, layer3)
	ls, _ := img.Layers()
	d1, _ := ls[1].Digest()
	d2, _ := ls[2].Digest()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+d1.String()):
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+d2.String()):
			rec := httptest.NewRecorder()
			reg.ServeHTTP(rec, r)
			b := rec.Body.Bytes()
			w.Header().Set("Content-Length", "100000")
			w.WriteHeader(http.StatusOK)
			w.Write(b[:len(b)/2])
			return
		}
		reg.ServeHTTP(w, r)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	ref := u.Host + "/broken/img:1"
	r, _ := name.ParseReference(ref)
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	src, err := source.OpenImage(context.Background(), ref, source.ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Index(context.Background(), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !inv.Partial || len(inv.Issues) < 2 {
		t.Fatalf("partial=%v issues=%+v", inv.Partial, inv.Issues)
	}
	for _, is := range inv.Issues {
		t.Logf("issue: %+v", is)
	}
	if len(inv.Packages) == 0 || inv.OS == nil {
		t.Errorf("layer 1 lost: %d packages, OS %+v", len(inv.Packages), inv.OS)
	}
}

// TestImageTimeout: a scan that runs out of time ends in a partial
// inventory with "time" issues, not an error.
func TestImageTimeout(t *testing.T) {
	img := buildImage(t, layer1, layer2, layer3)
	srcs := imageSources(t, img)
	inv := indexImage(t, srcs["oci-layout"], Options{Timeout: 1})
	if !inv.Partial || len(inv.Issues) == 0 {
		t.Fatalf("partial=%v issues=%+v", inv.Partial, inv.Issues)
	}
	for _, is := range inv.Issues {
		if is.Limit != "time" {
			t.Errorf("issue %+v, want a time limit", is)
		}
	}
}
