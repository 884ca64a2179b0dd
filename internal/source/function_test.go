package source

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/model"
)

func TestOpenFunction(t *testing.T) {
	dir := t.TempDir()
	code := filepath.Join(dir, "fn.zip")
	f, _ := os.Create(code)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("requirements.txt")
	b, _ := os.ReadFile(filepath.Join(pkgdb, "python/requirements/requirements.txt"))
	w.Write(b)
	zw.Close()
	f.Close()
	raw, _ := os.ReadFile(code)
	sum := sha256.Sum256(raw)

	fn, err := OpenFunction(code, code)
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Close()
	want := "sha256:" + hex.EncodeToString(sum[:])
	if fn.Code.Digest != want || fn.Code.Prefix != FunctionCodeDir || fn.Layers[0].Prefix != FunctionLayerDir {
		t.Errorf("code %+v layer %+v", fn.Code, fn.Layers[0])
	}
	if tg := fn.Target(); tg.Kind != model.TargetFunction || tg.Digest != want || tg.Name != code {
		t.Errorf("target %+v", tg)
	}
	var se *Error
	if _, err := OpenFunction(filepath.Join(dir, "missing.zip")); !errors.As(err, &se) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing zip: %v", err)
	}
	if _, err := OpenFunction(dir); !errors.As(err, &se) {
		t.Errorf("directory as zip: %v", err)
	}
}

func TestOpenDir(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDir(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Path != dir || d.Target().Kind != model.TargetFS {
		t.Errorf("dir %+v target %+v", d, d.Target())
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	var se *Error
	if _, err := OpenDir(file, model.TargetHost); !errors.As(err, &se) {
		t.Errorf("file as dir: %v", err)
	}
}
