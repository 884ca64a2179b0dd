package match

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
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
	s := openZipSnapshot(f, "fuzz", f.TempDir(), zipPath("Ubuntu"), zipPath("npm"))
	ix, err := Build(ctx, "fuzz", s.Records(ctx), nil)
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := encodeIndex(&buf, ix); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/3])
	f.Add([]byte("VGLMIDX\x00\x03\x00\x00\x00"))
	// A small index, so that mutations reach the sections' contents (the
	// fuzzer cannot fix the CRCs: decodeSection is fuzzed on its own below).
	small := buildJSON(f, distroRecords...)
	buf.Reset()
	if err := encodeIndex(&buf, small); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeIndex(data, "fuzz", "fuzz")
		if err != nil {
			var ferr *FormatError
			if !errors.As(err, &ferr) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		// Whatever decodes must match without panicking.
		matchEverything(t, got)
	})
}

// FuzzDecodeSection feeds arbitrary bytes to the section decoder (which
// the file's CRCs otherwise shield from the fuzzer's mutations).
func FuzzDecodeSection(f *testing.F) {
	for _, ix := range []*Index{buildJSON(f, distroRecords...), sharedIndexKey(f, ecoKey{base: "npm"})} {
		for _, sec := range ix.secs {
			f.Add(encodeSection(sec))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		names, recs, ecoNames, err := decodeSection(data, "fuzz")
		if err != nil {
			var ferr *FormatError
			if !errors.As(err, &ferr) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		sec := &section{names: names, recs: recs, ecoNames: ecoNames}
		sec.once.Do(func() {})
		ix := newIndex("fuzz", nil)
		ix.secs = map[ecoKey]*section{{base: "npm"}: sec}
		matchEverything(t, ix)
	})
}

// sharedIndexKey returns an index holding only the section k of the
// shared index.
func sharedIndexKey(t testing.TB, k ecoKey) *Index {
	ix := sharedIndex(t)
	out := newIndex("part", nil)
	out.secs = map[ecoKey]*section{k: ix.secs[k]}
	return out
}

// matchEverything matches every indexed name, at a few versions, as a
// package of its ecosystem; nothing may panic.
func matchEverything(t *testing.T, ix *Index) {
	ctx := context.Background()
	for k, sec := range ix.secs {
		s, _ := ix.section(k)
		if s == nil {
			continue
		}
		for n, es := range sec.names {
			for _, v := range []string{"0", "1.0.0", "1:2.3-4"} {
				p := model.Package{Ecosystem: model.Ecosystem(k.base), Name: n, SourceName: n, Version: v}
				os := &model.OS{Ecosystem: model.Ecosystem(k.base), Release: k.release}
				ix.MatchPackage(ctx, &p, os, Options{Target: model.TargetHost})
				for _, e := range es {
					p.Name = e.name
					ix.MatchPackage(ctx, &p, nil, Options{Target: model.TargetHost})
				}
			}
		}
	}
	ix.Packages()
	ix.Issues()
}

// BenchmarkLoadPersisted measures a warm Load of the index of every
// test-data OSV zip: "header" is Load alone; "npm-lockfile" is Load and
// matching the npm packages of the test-data lockfiles, which reads the
// npm section, the work a warm scan of a lockfile does.
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
	var npm []model.Package
	for _, lp := range readLockfilePackages(b) {
		if lp.Ecosystem == "npm" {
			npm = append(npm, model.Package{Ecosystem: lp.Ecosystem, Name: lp.Name, Version: lp.Version})
		}
	}
	inv := &model.Inventory{Target: model.Target{Kind: model.TargetFS}, Packages: npm}
	for _, bc := range []struct {
		name  string
		match bool
	}{{"header", false}, {"npm-lockfile", true}} {
		b.Run(bc.name, func(b *testing.B) {
			cpu0, n, found := cpuTime(), 0, 0
			for b.Loop() {
				ix, err := Load(ctx, s)
				if err != nil {
					b.Fatal(err)
				}
				if s.reads != 1 {
					b.Fatal("Load rebuilt instead of loading")
				}
				if bc.match {
					ms, err := ix.Match(ctx, inv, Options{SkipDetails: true})
					if err != nil {
						b.Fatal(err)
					}
					found += len(ms)
				}
				n++
			}
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/load")
			}
			b.ReportMetric(float64(st.Size())/(1<<20), "MiB-file")
			if bc.match {
				b.ReportMetric(float64(len(npm)), "packages")
				if found == 0 {
					b.Fatal("nothing matched")
				}
			}
		})
	}
}

func readLockfilePackages(t testing.TB) []lockfilePackage {
	t.Helper()
	data, err := os.ReadFile(lockfilePackagesFile)
	if err != nil {
		t.Fatal(err)
	}
	var lps []lockfilePackage
	if err := json.Unmarshal(data, &lps); err != nil {
		t.Fatal(err)
	}
	return lps
}

// TestLoadIsLazy checks that Load reads no section and that matching
// reads only the sections its packages need.
func TestLoadIsLazy(t *testing.T) {
	ctx := context.Background()
	s := openZipSnapshot(t, "snap-lazy", t.TempDir(), zipPath("Go"), zipPath("npm"), zipPath("Ubuntu"))
	if _, err := Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	ix, err := Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if ix.file == nil {
		t.Fatal("second Load did not use the persisted file")
	}
	loaded := func() []string {
		var out []string
		for k, sec := range ix.secs {
			if sec.names != nil {
				out = append(out, k.base+":"+k.release)
			}
		}
		slices.Sort(out)
		return out
	}
	if got := loaded(); len(got) != 0 {
		t.Fatalf("Load read sections %v", got)
	}
	inv := &model.Inventory{Packages: []model.Package{{Ecosystem: "npm", Name: "lodash", Version: "4.17.15"}}}
	ms, err := ix.Match(ctx, inv, Options{})
	if err != nil || len(ms) != 1 {
		t.Fatalf("Match = %d matches, %v", len(ms), err)
	}
	if got := loaded(); !slices.Equal(got, []string{"npm:"}) {
		t.Fatalf("matching an npm package read sections %v, want only npm", got)
	}
	if ix.RecordCount() == 0 || ix.EntryCount() == 0 {
		t.Fatalf("counts not in the header: %d/%d", ix.RecordCount(), ix.EntryCount())
	}
}

// TestLoadRebuildsCorruptSection corrupts the persisted file in ways only
// reading a section (or the issues) reveals: the loaded index must rebuild
// itself from the records, answer as a built index does, and rewrite the
// file.
func TestLoadRebuildsCorruptSection(t *testing.T) {
	ctx := context.Background()
	sectionOf := func(t *testing.T, path string, k ecoKey) blockLoc {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ix, err := readIndex(bytesReaderAt(data), int64(len(data)), path, "snap-3", nil)
		if err != nil {
			t.Fatal(err)
		}
		if k == (ecoKey{}) {
			return ix.file.issues
		}
		return ix.secs[k].loc
	}
	flip := func(off int64) func(*testing.T, string) {
		return func(t *testing.T, p string) {
			f, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var b [1]byte
			if _, err := f.ReadAt(b[:], off); err != nil {
				t.Fatal(err)
			}
			b[0] ^= 0x55
			if _, err := f.WriteAt(b[:], off); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name string
		// corrupt damages the file after Load opened it.
		corrupt func(t *testing.T, path string)
		issues  bool // check Issues() instead of matching
	}{
		{"flipped byte in the npm section", func(t *testing.T, p string) {
			loc := sectionOf(t, p, ecoKey{base: "npm"})
			flip(loc.off+loc.n/2)(t, p)
		}, false},
		{"flipped byte in the Ubuntu section", func(t *testing.T, p string) {
			loc := sectionOf(t, p, ecoKey{base: "Ubuntu", release: "22.04"})
			flip(loc.off+loc.n-1)(t, p)
		}, false},
		{"truncated in place", func(t *testing.T, p string) {
			loc := sectionOf(t, p, ecoKey{base: "npm"})
			if err := os.Truncate(p, loc.off+1); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"flipped byte in the issues", func(t *testing.T, p string) {
			loc := sectionOf(t, p, ecoKey{})
			flip(loc.off+loc.n/2)(t, p)
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openZipSnapshot(t, "snap-3", dir, zipPath("Go"), zipPath("npm"), zipPath("Ubuntu"))
			built, err := Load(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, IndexFileName)
			ix, err := Load(ctx, s)
			if err != nil || ix.file == nil {
				t.Fatalf("Load did not open the persisted index: %v", err)
			}
			tc.corrupt(t, path)
			before := s.reads
			if tc.issues {
				if diff := cmp.Diff(built.Issues(), ix.Issues()); diff != "" {
					t.Errorf("issues differ (-built +loaded):\n%s", diff)
				}
			} else {
				want, err := built.Match(ctx, persistInventory, Options{})
				if err != nil {
					t.Fatal(err)
				}
				got, err := ix.Match(ctx, persistInventory, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("matches differ after the corruption (-built +loaded):\n%s", diff)
				}
			}
			if s.reads != before+1 {
				t.Errorf("records read %d times after the corruption, want 1 rebuild", s.reads-before)
			}
			if _, err := readIndexFile(path, "snap-3"); err != nil {
				t.Errorf("the rebuilt index was not rewritten: %v", err)
			}
		})
	}
}

// TestConcurrentMatch matches the same inventory from several goroutines,
// on a built index and on a freshly loaded one (whose sections are read
// by whichever goroutine needs them first), and expects the sequential
// answer from each (run it with -race).
func TestConcurrentMatch(t *testing.T) {
	ctx := context.Background()
	s := openZipSnapshot(t, "snap-conc", t.TempDir(), zipPath("Go"), zipPath("npm"), zipPath("Ubuntu"))
	built, err := Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	want, err := built.Match(ctx, persistInventory, Options{})
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(ctx, s)
	if err != nil || loaded.file == nil {
		t.Fatalf("Load did not open the persisted index: %v", err)
	}
	for _, ix := range []*Index{built, loaded} {
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
}

// TestLoadedMatchesBuilt loads the persisted index of every test-data OSV
// zip and checks, on the benchmark mix, that it matches exactly as the
// built index does; then, every section read, that it holds at most
// 2 KiB per advisory.
func TestLoadedMatchesBuilt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the full index")
	}
	ctx := context.Background()
	s := openZipSnapshot(t, "snap-all", t.TempDir(), allZips(t)...)
	built, err := Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, oss := benchPackages(built)
	before := heapInUse()
	loaded, err := Load(ctx, s)
	if err != nil || loaded.file == nil {
		t.Fatalf("Load did not open the persisted index: %v", err)
	}
	opts := Options{SkipDetails: true}
	n := 0
	for i := range pkgs {
		want, werr := built.MatchPackage(ctx, &pkgs[i], oss[i], opts)
		got, gerr := loaded.MatchPackage(ctx, &pkgs[i], oss[i], opts)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%v: errors differ: built %v, loaded %v", pkgs[i], werr, gerr)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%v matches differently (-built +loaded):\n%s", pkgs[i], diff)
		}
		n += len(got)
	}
	if n == 0 {
		t.Fatal("the mix matched nothing")
	}
	if !slices.Equal(built.Packages(), loaded.Packages()) {
		t.Error("Packages differ")
	}
	if diff := cmp.Diff(built.Issues(), loaded.Issues()); diff != "" {
		t.Errorf("issues differ:\n%s", diff)
	}
	after := heapInUse()
	runtime.KeepAlive(loaded)
	runtime.KeepAlive(built)
	per := float64(after-before) / float64(loaded.RecordCount())
	t.Logf("loaded index, every section read: %.1f MiB live, %.0f bytes/advisory", float64(after-before)/(1<<20), per)
	if per > 2048 {
		t.Errorf("loaded index holds %.0f bytes per advisory, more than 2 KiB", per)
	}
}
