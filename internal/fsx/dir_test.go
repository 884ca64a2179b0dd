package fsx

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
)

// TestLiveRootSkipsPseudoFS walks the live "/" a little way: /proc, /sys
// and /dev (and any pseudo file system mounted below /) are left out.
func TestLiveRootSkipsPseudoFS(t *testing.T) {
	d, err := NewDir("/")
	if err != nil {
		t.Fatal(err)
	}
	skipped := d.Skipped()
	for _, p := range []string{"/proc", "/sys", "/dev"} {
		if !slices.Contains(skipped, p) {
			t.Errorf("%s not skipped: %v", p, skipped)
		}
	}
	p := newProbe(".none")
	res, err := Walk(context.Background(), d, Options{Extractors: []extract.Extractor{p}, Budget: NewBudget(extract.Limits{MaxFiles: 3000})})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.seen {
		for _, bad := range skipped {
			if Within(s, bad) {
				t.Fatalf("walked %s below skipped %s", s, bad)
			}
		}
	}
	t.Logf("live root: %d entries, %d files offered, issues %d", res.Stats.Entries, res.Stats.Files, len(res.Issues))
}

func TestDirSpecialFilesNotOpened(t *testing.T) {
	root := t.TempDir()
	// A FIFO named like a wanted file: opening it would block the walk.
	if err := mkfifo(filepath.Join(root, "pipe.lock")); err != nil {
		t.Skip("mkfifo:", err)
	}
	os.WriteFile(filepath.Join(root, "real.lock"), []byte("x"), 0o644)
	d, _ := NewDir(root)
	p := newProbe(".lock")
	if _, err := Walk(context.Background(), d, Options{Extractors: []extract.Extractor{p}}); err != nil {
		t.Fatal(err)
	}
	if len(p.read) != 1 || p.read["/real.lock"] != "x" {
		t.Errorf("read %v", p.read)
	}
	if _, err := NewDir(filepath.Join(root, "real.lock")); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("NewDir on a file: %v", err)
	}
}
