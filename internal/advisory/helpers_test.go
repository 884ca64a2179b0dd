package advisory

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdata is the shared real data, relative to this package.
const testdata = "../../../shared/testdata"

var osvDir = filepath.Join(testdata, "osv")

// zipIDs returns the record ids in an OSV zip, read with archive/zip
// directly (entry name without .json, as the bucket names them).
func zipIDs(t testing.TB, path string) []string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var ids []string
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/") {
			ids = append(ids, strings.TrimSuffix(f.Name, ".json"))
		}
	}
	return ids
}

// ecosystemsIn lists the ecosystem folders of the shared OSV data.
func ecosystemsIn(t testing.TB) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(osvDir, "*", "all.zip"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no OSV test data under %s: %v", osvDir, err)
	}
	var out []string
	for _, p := range m {
		out = append(out, filepath.Base(filepath.Dir(p)))
	}
	return out
}

func openTemp(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func current(t testing.TB, db *DB) *Snapshot {
	t.Helper()
	s, err := db.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// copyFile copies src to dst, creating dst's directory.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dst, data)
}

func writeFile(t testing.TB, dst string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readZipEntry returns one entry of a zip.
func readZipEntry(t testing.TB, path, name string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
