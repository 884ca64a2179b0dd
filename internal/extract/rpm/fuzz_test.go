package rpm

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// seeds adds the real Berkeley DB and NDB files (the NDB one cut to its
// first 64 KiB to keep the fuzzer fast).
func seeds(f *testing.F, files ...string) {
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(pkgdb, name))
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 64<<10 {
			data = data[:64<<10]
		}
		f.Add(data)
	}
}

func FuzzBDB(f *testing.F) {
	seeds(f, "bdb/libuuid/Packages", "bdb/scalibr-epoch/Packages", "bdb/syft/Packages")
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = readBDB(context.Background(), bytes.NewReader(data), int64(len(data)), func(blob []byte) error {
			_, _ = parseHeader(blob)
			return nil
		})
	})
}

func FuzzNDB(f *testing.F) {
	seeds(f, "ndb/sle15-bci/Packages.db")
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = readNDB(context.Background(), bytes.NewReader(data), int64(len(data)), func(blob []byte) error {
			_, _ = parseHeader(blob)
			return nil
		})
	})
}

func FuzzHeader(f *testing.F) {
	for _, name := range []string{"bdb/libuuid/Packages", "bdb/syft/Packages"} {
		data, err := os.ReadFile(filepath.Join(pkgdb, name))
		if err != nil {
			f.Fatal(err)
		}
		_ = readBDB(context.Background(), bytes.NewReader(data), int64(len(data)), func(blob []byte) error {
			f.Add(blob)
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, blob []byte) {
		h, err := parseHeader(blob)
		if err == nil && h.name != "" {
			_ = toPackage(h)
		}
	})
}

// FuzzExtract runs the whole extractor, format detection included, on
// mutated databases (SQLite inputs go through a temporary file).
func FuzzExtract(f *testing.F) {
	seeds(f, "bdb/syft/Packages", "ndb/sle15-bci/Packages.db", "sqlite/cbl-mariner-2.0/rpmdb.sqlite")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		in := input(t, "/var/lib/rpm/Packages", data)
		in.TempDir = dir
		pkgs, err := New().Extract(context.Background(), in)
		if err != nil && pkgs != nil {
			t.Error("packages with an error")
		}
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" || p.PURL == "" {
				t.Errorf("incomplete package %+v", p)
			}
		}
	})
}
