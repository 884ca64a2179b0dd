package advisory

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// realManifestAndIndex imports a small real zip and returns the manifest,
// index and diff files it produced, as fuzz seeds.
func realFiles(f *testing.F) (manifest, index, diff []byte) {
	f.Helper()
	db, err := Open(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	res, err := db.Import(context.Background(), filepath.Join(osvDir, "npm", "all.zip"), ImportOptions{})
	if err != nil {
		f.Fatal(err)
	}
	manifest, err = os.ReadFile(filepath.Join(db.snapPath(res.Snapshot), manifestFile))
	if err != nil {
		f.Fatal(err)
	}
	diff, err = os.ReadFile(filepath.Join(db.snapPath(res.Snapshot), diffFile))
	if err != nil {
		f.Fatal(err)
	}
	m, _ := ParseManifest(manifest)
	index, err = os.ReadFile(db.blobPath(m.Feeds[0].Blob) + indexSuffix)
	if err != nil {
		f.Fatal(err)
	}
	return manifest, index, diff
}

func FuzzParseManifest(f *testing.F) {
	m, _, _ := realFiles(f)
	f.Add(m)
	f.Add([]byte(`{"version":1,"id":"x","feeds":[{"name":"a","kind":"osv","blob":"../../etc/passwd"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		for _, fe := range m.Feeds {
			if !validBlobName(fe.Blob) || filepath.Base(fe.Blob) != fe.Blob {
				t.Fatalf("accepted blob name %q", fe.Blob)
			}
		}
		if !validSnapshotID(m.ID) || filepath.Base(m.ID) != m.ID {
			t.Fatalf("accepted snapshot id %q", m.ID)
		}
	})
}

func FuzzParseIndex(f *testing.F) {
	_, ix, _ := realFiles(f)
	probe, err := parseIndex(ix, "")
	if err == nil {
		f.Fatal("index accepted for the wrong blob")
	}
	m, _, _ := realFiles(f)
	man, err := ParseManifest(m)
	if err != nil {
		f.Fatal(err)
	}
	if probe, err = parseIndex(ix, man.Feeds[0].Blob); err != nil {
		f.Fatal(err)
	}
	f.Add(ix, probe.Blob)
	bad, _ := encodeIndex(&blobIndex{Version: indexVersion, Blob: "b", Entries: []indexEntry{{}}})
	f.Add(bad, "b")
	f.Fuzz(func(t *testing.T, data []byte, blob string) {
		ix, err := parseIndex(data, blob)
		if err != nil {
			return
		}
		for _, e := range ix.Entries {
			if e.ID == "" || e.Entry == "" {
				t.Fatal("accepted an entry without id or name")
			}
		}
	})
}

func FuzzParseDiff(f *testing.F) {
	_, _, d := realFiles(f)
	f.Add(d)
	f.Add([]byte(`{"added":["A"],"packages":[{"ecosystem":"npm","name":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDiff(data)
		if err == nil && d == nil {
			t.Fatal("nil diff without error")
		}
	})
}

func FuzzParseNVDResponse(f *testing.F) {
	for _, name := range []string{"CVE-2014-1424.json", "page-13-cves.json"} {
		data, err := os.ReadFile(filepath.Join(testdata, "nvd", "api-2.0", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := ParseNVDResponse(data)
		if err != nil {
			return
		}
		out, err := encodeNVD(items)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseNVDResponse(out)
		if err != nil || len(again) != len(items) {
			t.Fatalf("round trip: %d → %d items, %v", len(items), len(again), err)
		}
	})
}

// FuzzVerifyZip feeds arbitrary bytes to the OSV zip verifier: it must
// return an index or an error, never panic, and an accepted zip's index
// must list every entry.
func FuzzVerifyZip(f *testing.F) {
	for _, eco := range []string{"Ubuntu", "npm"} {
		data, err := os.ReadFile(filepath.Join(osvDir, eco, "all.zip"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "X-1.json", Method: zip.Store, Modified: time.Unix(0, 0)})
	w.Write([]byte(`{"id":"X-1","modified":"2024-01-01T00:00:00Z"}`))
	zw.Close()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		ix, err := verifyZipReader(context.Background(), zr, "fuzz.zip", "b")
		if err != nil {
			return
		}
		for _, e := range ix.Entries {
			if e.ID == "" {
				t.Fatal("index entry without id")
			}
		}
	})
}

// FuzzImportFile runs Import on one arbitrary file under each name vigil
// recognises: it must import it or return an error, never panic, and an
// import must leave a readable snapshot.
func FuzzImportFile(f *testing.F) {
	for _, p := range []string{
		"epss/epss_scores-2025-02-20.first5rows.csv",
		"nvd/api-2.0/CVE-2014-1424.json",
		"alpine-secdb/v3.4/community.json",
	} {
		data, err := os.ReadFile(filepath.Join(testdata, p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	dsa, err := os.ReadFile(filepath.Join(testdata, "debian-security-tracker", "DSA-list"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(dsa[:2000])
	for _, e := range readZipFuzz(f, filepath.Join(osvDir, "Ubuntu", "all.zip")) {
		f.Add(e)
	}
	names := []string{"record.json", "DSA-list", "scores.csv", "all.zip"}
	f.Fuzz(func(t *testing.T, data []byte) {
		db, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			p := filepath.Join(t.TempDir(), "v3.4", name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Import(context.Background(), p, ImportOptions{}); err != nil {
				continue
			}
			s, err := db.Current(context.Background())
			if err != nil {
				t.Fatalf("import of %s succeeded but Current fails: %v", name, err)
			}
			for _, err := range s.Records(context.Background()) {
				if err != nil {
					t.Fatalf("import of %s succeeded but records fail: %v", name, err)
				}
			}
			s.Close()
		}
	})
}

func readZipFuzz(f *testing.F, path string) [][]byte {
	zr, err := zip.OpenReader(path)
	if err != nil {
		f.Fatal(err)
	}
	defer zr.Close()
	var out [][]byte
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(rc)
		rc.Close()
		out = append(out, buf.Bytes())
	}
	return out
}
