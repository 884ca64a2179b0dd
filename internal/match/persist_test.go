package match

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

// persistInventory is matched against a built and a loaded index.
var persistInventory = &model.Inventory{
	Target: model.Target{Kind: model.TargetFS, Name: "/app"},
	OS:     &model.OS{ID: "ubuntu", Ecosystem: model.EcosystemUbuntu, Release: "22.04:LTS"},
	Packages: []model.Package{
		{Ecosystem: "Go", Name: "stdlib", Version: "1.12.15"},
		{Ecosystem: "npm", Name: "lodash", Version: "4.17.15"},
		{Ecosystem: "npm", Name: "axios", Version: "0.21.0"},
		{Ecosystem: "npm", Name: "left-pad", Version: "1.3.0"},
		{Ecosystem: "Ubuntu", Name: "openssh-server", SourceName: "openssh", Version: "1:8.9p1-3ubuntu0.6"},
		{Ecosystem: "Ubuntu", Name: "rsync", Version: "3.2.7-0ubuntu0.22.04.2"},
	},
}

func TestLoadPersistsAndReloads(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	zips := []string{zipPath("Go"), zipPath("npm"), zipPath("Ubuntu")}
	s := openZipSnapshot(t, "snap-1", dir, zips...)

	built, err := Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if s.reads != 1 {
		t.Fatalf("first Load read the records %d times, want 1", s.reads)
	}
	if _, err := os.Stat(filepath.Join(dir, IndexFileName)); err != nil {
		t.Fatalf("index not persisted: %v", err)
	}
	loaded, err := Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if s.reads != 1 {
		t.Fatalf("second Load re-read the records (%d reads), want it to use %s", s.reads, IndexFileName)
	}
	want, err := built.Match(ctx, persistInventory, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := loaded.Match(ctx, persistInventory, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 4 {
		t.Fatalf("only %d packages matched; the comparison would prove little", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("loaded index matches differently (-built +loaded):\n%s", diff)
	}
	if built.RecordCount() != loaded.RecordCount() || built.EntryCount() != loaded.EntryCount() {
		t.Errorf("counts differ: built %d/%d, loaded %d/%d", built.RecordCount(), built.EntryCount(), loaded.RecordCount(), loaded.EntryCount())
	}
}

func TestLoadRebuildsBadFile(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		write func(path string) error
	}{
		{"garbage", func(p string) error { return os.WriteFile(p, []byte("not an index"), 0o644) }},
		{"truncated", func(p string) error {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, data[:len(data)/2], 0o644)
		}},
		{"other snapshot", func(p string) error {
			other := openZipSnapshot(t, "snap-other", filepath.Dir(p), zipPath("npm"))
			_, err := Load(ctx, other)
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openZipSnapshot(t, "snap-2", dir, zipPath("npm"))
			if _, err := Load(ctx, s); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, IndexFileName)
			if err := tc.write(path); err != nil {
				t.Fatal(err)
			}
			_, err := readIndexFile(path, "snap-2")
			var ferr *FormatError
			if !errors.As(err, &ferr) {
				t.Fatalf("readIndexFile = %v, want *FormatError", err)
			}
			before := s.reads
			ix, err := Load(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			if s.reads != before+1 || ix.RecordCount() != 39 { // 40 records, one withdrawn
				t.Fatalf("Load did not rebuild: reads %d→%d, %d records", before, s.reads, ix.RecordCount())
			}
			if _, err := readIndexFile(path, "snap-2"); err != nil {
				t.Fatalf("rebuilt index not rewritten: %v", err)
			}
		})
	}
}

func FuzzDecodeIndex(f *testing.F) {
	ctx := context.Background()
	s := openZipSnapshot(f, "fuzz", f.TempDir(), zipPath("Ubuntu"))
	slims, err := slimAll(ctx, s.Records(ctx))
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := encodeIndex(&buf, "fuzz", slims); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/3])
	f.Add([]byte("VGLMIDX\x00\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeIndex(bytes.NewReader(data), "fuzz", "fuzz")
		if err != nil {
			var ferr *FormatError
			if !errors.As(err, &ferr) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		// Whatever decodes must compile without panicking.
		if _, err := compile(ctx, "fuzz", got, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkLoadPersisted(b *testing.B) {
	ctx := context.Background()
	s := openZipSnapshot(b, "bench-load", b.TempDir(), allZips(b)...)
	if _, err := Load(ctx, s); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(s.dir, IndexFileName))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0, n := cpuTime(), 0
	for b.Loop() {
		ix, err := Load(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		if s.reads != 1 {
			b.Fatal("Load rebuilt instead of loading")
		}
		_ = ix
		n++
	}
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Milliseconds())/float64(n), "cpu-ms/load")
	}
	b.ReportMetric(float64(st.Size())/(1<<20), "MiB-file")
}

// TestConcurrentMatch matches the same inventory from several goroutines
// and expects the sequential answer from each (run it with -race).
func TestConcurrentMatch(t *testing.T) {
	ix, _ := buildZips(t, zipPath("Go"), zipPath("npm"), zipPath("Ubuntu"))
	ctx := context.Background()
	want, err := ix.Match(ctx, persistInventory, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const workers = 8
	errs := make(chan string, workers)
	for range workers {
		go func() {
			got, err := ix.Match(ctx, persistInventory, Options{})
			if err != nil {
				errs <- err.Error()
				return
			}
			errs <- cmp.Diff(want, got)
		}()
	}
	for range workers {
		if d := <-errs; d != "" {
			t.Errorf("concurrent match differs:\n%s", d)
		}
	}
}
