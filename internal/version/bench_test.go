package version

import (
	"testing"
)

// benchFiles gives each scheme's reference cases, used as realistic
// version pairs for the benchmarks and the allocation test.
var benchFiles = map[Scheme]string{
	Dpkg:      "testdata/osv-scalibr/debian-versions-generated.txt.gz",
	RPM:       "testdata/osv-scalibr/redhat-versions.txt",
	APK:       "testdata/osv-scalibr/alpine-versions-generated.txt.gz",
	PEP440:    "testdata/pep440.txt",
	SemVer:    "testdata/semver.txt",
	Go:        "testdata/go.txt",
	Maven:     "testdata/osv-scalibr/maven-versions-generated.txt.gz",
	RubyGems:  "testdata/osv-scalibr/rubygems-versions-generated.txt.gz",
	NuGet:     "testdata/nuget.txt",
	Packagist: "testdata/osv-scalibr/packagist-versions-generated.txt.gz",
}

// parsedPairs parses up to max comparison cases of the scheme's file.
func parsedPairs(tb testing.TB, s Scheme, max int) (as, bs []Version) {
	tb.Helper()
	for _, c := range loadCases(tb, benchFiles[s]) {
		if c.invalid {
			continue
		}
		a, errA := Parse(s, c.a)
		b, errB := Parse(s, c.b)
		if errA != nil || errB != nil {
			continue
		}
		as, bs = append(as, a), append(bs, b)
		if len(as) == max {
			break
		}
	}
	if len(as) == 0 {
		tb.Fatalf("%v: no pairs", s)
	}
	return as, bs
}

// TestCompareDoesNotAllocate checks the matcher's hot path: comparing
// parsed versions allocates nothing, in every scheme.
func TestCompareDoesNotAllocate(t *testing.T) {
	for _, s := range allSchemes {
		as, bs := parsedPairs(t, s, 200)
		zero, _ := Parse(s, "0")
		allocs := testing.AllocsPerRun(5, func() {
			for i := range as {
				as[i].Compare(bs[i])
				bs[i].Compare(as[i])
				zero.Compare(as[i])
			}
		})
		if allocs != 0 {
			t.Errorf("%v: %v allocations per run of %d comparisons, want 0", s, allocs, 3*len(as))
		}
	}
}

// BenchmarkCompare measures Compare of pre-parsed versions per scheme
// (one op = one comparison).
func BenchmarkCompare(b *testing.B) {
	for _, s := range allSchemes {
		as, bs := parsedPairs(b, s, 1000)
		b.Run(s.String(), func(b *testing.B) {
			b.ReportAllocs()
			n := len(as)
			sum := 0
			for i := 0; b.Loop(); i++ {
				sum += as[i%n].Compare(bs[i%n])
			}
			_ = sum
		})
	}
}

// BenchmarkParse measures Parse per scheme (one op = one version).
func BenchmarkParse(b *testing.B) {
	for _, s := range allSchemes {
		var ins []string
		for _, c := range loadCases(b, benchFiles[s]) {
			if !c.invalid {
				ins = append(ins, c.a)
			}
			if len(ins) == 1000 {
				break
			}
		}
		b.Run(s.String(), func(b *testing.B) {
			b.ReportAllocs()
			n := len(ins)
			for i := 0; b.Loop(); i++ {
				_, _ = Parse(s, ins[i%n])
			}
		})
	}
}
