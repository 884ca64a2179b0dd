package index

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/source"
)

// installedUtilDeprecate is a real installed package.json (npm CLI's
// node_modules), version 1.0.2, which collapse-white-space's lockfile also
// pins.
const installedUtilDeprecate = "../extract/npm/testdata/node_modules/util-deprecate/package.json"

type zentry struct {
	name string
	file string // absolute or relative to this package
	body string
}

func writeZip(t *testing.T, path string, entries []zentry) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		body := []byte(e.body)
		if e.file != "" {
			if body, err = os.ReadFile(e.file); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestFunctionZipAndDedupe(t *testing.T) {
	dir := t.TempDir()
	code := filepath.Join(dir, "function.zip")
	writeZip(t, code, []zentry{
		{name: "index.js", body: "exports.handler = async () => 1;\n"},
		{name: "package-lock.json", file: filepath.Join(pkgdb, "npm/collapse-white-space.package-lock.json")},
		{name: "node_modules/util-deprecate/package.json", file: installedUtilDeprecate},
	})
	layer := filepath.Join(dir, "layer.zip")
	writeZip(t, layer, []zentry{
		{name: "ruby/Gemfile.lock", file: filepath.Join(pkgdb, "ruby/Gemfile.lock")},
	})
	f, err := source.OpenFunction(code, layer)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inv, err := Index(context.Background(), f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Partial {
		t.Errorf("partial: %+v", inv.Issues)
	}
	var installed, locked, fromLayer int
	for _, p := range inv.Packages {
		switch {
		case p.Name == "util-deprecate" && p.Manager == model.ManagerNodePkg:
			installed++
			if p.Path != "/var/task/node_modules/util-deprecate/package.json" || p.Version != "1.0.2" || p.Layer != "" {
				t.Errorf("installed util-deprecate = %+v", p)
			}
		case p.Name == "util-deprecate":
			locked++
		case p.Layer != "":
			fromLayer++
			if p.Layer != f.Layers[0].Digest || !fsxWithin(p.Path, "/opt/ruby") {
				t.Errorf("layer package %s: layer %s path %s", p.Name, p.Layer, p.Path)
			}
		}
	}
	if installed != 1 || locked != 0 {
		t.Errorf("util-deprecate: %d installed, %d from the lockfile; want the installed one only", installed, locked)
	}
	if fromLayer == 0 {
		t.Errorf("no package from the layer zip: %+v", inv.Packages)
	}
	if inv.Target.Kind != model.TargetFunction || inv.Target.Digest != f.Code.Digest {
		t.Errorf("target = %+v", inv.Target)
	}
}
