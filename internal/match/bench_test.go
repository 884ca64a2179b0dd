package match

import (
	"context"
	"encoding/json"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

func BenchmarkBuildAll(b *testing.B) {
	s := openZipSnapshot(b, "bench", b.TempDir(), allZips(b)...)
	ctx := context.Background()
	cpu0, n := cpuTime(), 0
	for b.Loop() {
		if _, err := Build(ctx, s.id, s.Records(ctx), s); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Milliseconds())/float64(n), "cpu-ms/build")
	}
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestIndexMemory measures the live heap an index of every test-data OSV
// zip holds, and holds it to 2 KiB per advisory.
func TestIndexMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the full index")
	}
	s := openZipSnapshot(t, "mem", t.TempDir(), allZips(t)...)
	ctx := context.Background()
	before := heapInUse()
	ix, err := Build(ctx, s.id, s.Records(ctx), s)
	if err != nil {
		t.Fatal(err)
	}
	after := heapInUse()
	runtime.KeepAlive(ix)
	per := float64(after-before) / float64(ix.RecordCount())
	t.Logf("index: %d records, %d entries, %d issues, %.1f MiB live, %.0f bytes/advisory",
		ix.RecordCount(), ix.EntryCount(), len(ix.Issues()), float64(after-before)/(1<<20), per)
	if per > 2048 {
		t.Errorf("index holds %.0f bytes per advisory, more than 2 KiB", per)
	}
}

// benchPackages is a realistic mix for the matching benchmark: one in
// four packages is named in some advisory (with a version inside or
// outside its ranges), the rest are absent from the index, as in a
// typical lockfile or image.
func benchPackages(ix *Index) ([]model.Package, []*model.OS) {
	alma := &model.OS{Ecosystem: model.EcosystemAlmaLinux, Release: "8"}
	ubuntu := &model.OS{Ecosystem: model.EcosystemUbuntu, Release: "22.04:LTS"}
	versions := map[string][]string{
		"npm":       {"1.0.0", "4.17.15", "0.21.0", "2.6.0"},
		"PyPI":      {"1.0", "2.3.1", "0.9.post1", "3.14.0"},
		"Go":        {"1.0.0", "0.0.0-20200124225645-000000000000", "1.12.15", "0.3.2"},
		"crates.io": {"0.1.0", "0.6.9", "1.2.3", "0.3.0"},
		"Maven":     {"1.0.0", "2.9.10", "9.0.30", "5.3.1"},
		"AlmaLinux": {"1.0-1.el8", "1:2.3.4-5.el8_7", "4.18.0-1.el8", "0.9-3.el8"},
		"Ubuntu":    {"1.0-1ubuntu1", "1:8.9p1-3ubuntu0.6", "3.2.7-0ubuntu0.22.04.2", "2.0-1"},
	}
	var pkgs []model.Package
	var oss []*model.OS
	i := 0
	for _, k := range ix.Packages() {
		base, rel, _ := strings.Cut(k.Ecosystem, ":")
		vs, ok := versions[base]
		if !ok || (base == "AlmaLinux" && rel != "8") || (base == "Ubuntu" && rel != "22.04") {
			continue
		}
		var os *model.OS
		switch base {
		case "AlmaLinux":
			os = alma
		case "Ubuntu":
			os = ubuntu
		}
		eco := model.Ecosystem(base)
		pkgs = append(pkgs, model.Package{Ecosystem: eco, Name: k.Name, Version: vs[i%len(vs)]})
		oss = append(oss, os)
		for j := range 3 {
			pkgs = append(pkgs, model.Package{Ecosystem: eco, Name: k.Name + "-absent" + strconv.Itoa(j), Version: vs[(i+j)%len(vs)]})
			oss = append(oss, os)
		}
		i++
	}
	return pkgs, oss
}

// BenchmarkMatchPackage measures package checks (one package looked up
// and evaluated) against the index of every test-data OSV zip.
func BenchmarkMatchPackage(b *testing.B) {
	ix := sharedIndex(b)
	pkgs, oss := benchPackages(ix)
	ctx := context.Background()
	opts := Options{SkipDetails: true}
	vulns := 0
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	n := 0
	for b.Loop() {
		i := n % len(pkgs)
		v, _ := ix.MatchPackage(ctx, &pkgs[i], oss[i], opts)
		vulns += len(v)
		n++
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "checks/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "checks/cpu-s")
	}
	b.ReportMetric(float64(len(pkgs)), "mix-size")
	b.ReportMetric(float64(vulns)/float64(n), "vulns/check")
	if vulns == 0 {
		b.Fatal("the mix matched nothing")
	}
}

// BenchmarkMatchLockfiles measures package checks on the 1859 real
// packages OSV-Scanner read from the test-data lockfiles (npm, yarn, pnpm,
// Python, Go, Cargo, Ruby, Composer, Maven, NuGet): a realistic mix of
// names present in the index and absent from it.
func BenchmarkMatchLockfiles(b *testing.B) {
	ix := sharedIndex(b)
	data, err := os.ReadFile(lockfilePackagesFile)
	if err != nil {
		b.Fatal(err)
	}
	var lps []lockfilePackage
	if err := json.Unmarshal(data, &lps); err != nil {
		b.Fatal(err)
	}
	pkgs := make([]model.Package, len(lps))
	for i, lp := range lps {
		pkgs[i] = model.Package{Ecosystem: lp.Ecosystem, Name: lp.Name, Version: lp.Version}
	}
	ctx := context.Background()
	opts := Options{SkipDetails: true}
	vulns := 0
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	n := 0
	for b.Loop() {
		v, _ := ix.MatchPackage(ctx, &pkgs[n%len(pkgs)], nil, opts)
		vulns += len(v)
		n++
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "checks/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "checks/cpu-s")
	}
	b.ReportMetric(float64(len(pkgs)), "mix-size")
	b.ReportMetric(float64(vulns)/float64(n), "vulns/check")
	if vulns == 0 {
		b.Fatal("the lockfiles matched nothing")
	}
}

// heavyPackages are the worst case for result building: the 20 names with
// the most AlmaLinux 8 and Ubuntu 22.04 entries, at a version so old that
// (nearly) every record matches, hundreds of vulnerabilities per check.
func heavyPackages(ix *Index) ([]model.Package, []*model.OS) {
	alma := &model.OS{Ecosystem: model.EcosystemAlmaLinux, Release: "8"}
	ubuntu := &model.OS{Ecosystem: model.EcosystemUbuntu, Release: "22.04:LTS"}
	var pkgs []model.Package
	var oss []*model.OS
	for _, c := range []struct {
		k   ecoKey
		os  *model.OS
		ver string
	}{{ecoKey{base: "AlmaLinux", release: "8"}, alma, "0.1-1.el8"}, {ecoKey{base: "Ubuntu", release: "22.04"}, ubuntu, "0.1-1"}} {
		sec, _ := ix.section(c.k)
		names := make([]string, 0, len(sec.names))
		for n := range sec.names {
			names = append(names, n)
		}
		slices.SortFunc(names, func(a, b string) int {
			if d := len(sec.names[b]) - len(sec.names[a]); d != 0 {
				return d
			}
			return strings.Compare(a, b)
		})
		for _, n := range names[:min(20, len(names))] {
			pkgs = append(pkgs, model.Package{Ecosystem: c.os.Ecosystem, Name: n, Version: c.ver})
			oss = append(oss, c.os)
		}
	}
	return pkgs, oss
}

// BenchmarkMatchHeavy measures package checks on heavyPackages.
func BenchmarkMatchHeavy(b *testing.B) {
	ix := sharedIndex(b)
	pkgs, oss := heavyPackages(ix)
	ctx := context.Background()
	opts := Options{SkipDetails: true, Target: model.TargetHost, AllKernels: true}
	vulns := 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, n := cpuTime(), 0
	for b.Loop() {
		i := n % len(pkgs)
		v, _ := ix.MatchPackage(ctx, &pkgs[i], oss[i], opts)
		vulns += len(v)
		n++
	}
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "checks/cpu-s")
		b.ReportMetric(float64(vulns)/cpu.Seconds(), "vulns/cpu-s")
	}
	b.ReportMetric(float64(vulns)/float64(n), "vulns/check")
	if vulns == 0 {
		b.Fatal("the mix matched nothing")
	}
}
