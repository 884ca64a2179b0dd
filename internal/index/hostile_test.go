package index

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/source"
)

// nestedJar wraps the real jackson-annotations jar in depth jars.
func nestedJar(t *testing.T, depth int) []byte {
	t.Helper()
	b := readPkgdb(t, "maven/jar/jackson-annotations-2.15.0-rc2.jar")
	for i := 0; i < depth; i++ {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("lib/level%02d.jar", i), Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
		zw.Close()
		b = buf.Bytes()
	}
	return b
}

func listAll(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { out = append(out, p); return nil })
	slices.Sort(out)
	return out
}

// TestHostileInputs runs the index stage over hostile trees and checks each
// ends in a partial inventory with the right limit, and that nothing is
// written anywhere but the scratch directory (emptied at the end).
func TestHostileInputs(t *testing.T) {
	parent := t.TempDir()
	scratch := filepath.Join(parent, "scratch")
	os.Mkdir(scratch, 0o755)

	// A jar nested 50 deep, inside a directory scan.
	deep := filepath.Join(parent, "deep")
	os.MkdirAll(filepath.Join(deep, "app"), 0o755)
	os.WriteFile(filepath.Join(deep, "app", "deep.jar"), nestedJar(t, 50), 0o644)
	// A function zip with zip-slip entries.
	slip := filepath.Join(parent, "slip.zip")
	writeZip(t, slip, []zentry{
		{name: "../../x/package-lock.json", file: filepath.Join(pkgdb, "npm/package-lock.v3.json")},
		{name: "ok/package-lock.json", file: filepath.Join(pkgdb, "npm/package-lock.v3.json")},
	})
	before := listAll(t, parent)

	t.Run("nested-jar", func(t *testing.T) {
		d, err := source.OpenDir(deep, model.TargetFS)
		if err != nil {
			t.Fatal(err)
		}
		inv, err := Index(context.Background(), d, Options{TempDir: scratch})
		if err != nil {
			t.Fatal(err)
		}
		if !inv.Partial || !slices.ContainsFunc(inv.Issues, func(is model.Issue) bool { return is.Limit == "max-depth" }) {
			t.Errorf("partial=%v issues=%+v", inv.Partial, inv.Issues)
		}
		limit := extract.DefaultLimits().MaxDepth
		inv, err = Index(context.Background(), d, Options{TempDir: scratch, Limits: extract.Limits{MaxDepth: 60}})
		if err != nil {
			t.Fatal(err)
		}
		// The limits reach the extractor: allowed 60 levels, it finds the
		// jar at the bottom.
		t.Logf("default max depth %d; with 60 allowed: %d packages, issues %+v", limit, len(inv.Packages), inv.Issues)
		if inv.Partial || len(inv.Packages) != 1 || !strings.Contains(inv.Packages[0].Path, "level00.jar") {
			t.Errorf("MaxDepth 60: partial=%v packages=%+v", inv.Partial, inv.Packages)
		}
	})
	t.Run("zip-slip", func(t *testing.T) {
		f, err := source.OpenFunction(slip)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		inv, err := Index(context.Background(), f, Options{TempDir: scratch})
		if err != nil {
			t.Fatal(err)
		}
		if !inv.Partial || !slices.ContainsFunc(inv.Issues, func(is model.Issue) bool { return strings.Contains(is.Reason, "zip-slip") }) {
			t.Errorf("partial=%v issues=%+v", inv.Partial, inv.Issues)
		}
		for _, p := range inv.Packages {
			if !strings.HasPrefix(p.Path, "/var/task/ok/") {
				t.Errorf("package %s from %s", p.Name, p.Path)
			}
		}
	})
	t.Run("time", func(t *testing.T) {
		d, _ := source.OpenDir(deep, model.TargetFS)
		ctx, cancel := context.WithTimeout(context.Background(), 0)
		defer cancel()
		inv, err := Index(ctx, d, Options{TempDir: scratch})
		if err != nil {
			t.Fatal(err)
		}
		if !inv.Partial || !slices.ContainsFunc(inv.Issues, func(is model.Issue) bool { return is.Limit == "time" }) {
			t.Errorf("partial=%v issues=%+v", inv.Partial, inv.Issues)
		}
	})
	if after := listAll(t, parent); !slices.Equal(before, after) {
		t.Errorf("files written:\nbefore %v\nafter  %v", before, after)
	}
}
