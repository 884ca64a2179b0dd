package version

import (
	"strings"
	"testing"
)

// fuzzCompare fuzzes Parse for one scheme with pairs of inputs, seeded
// with the scheme's reference cases. Parse must never panic; a parsed
// version must equal itself, keep its input (trimmed) as String and its
// scheme; Compare must return -1, 0 or +1 and be antisymmetric.
func fuzzCompare(f *testing.F, s Scheme, seedFiles ...string) {
	for _, file := range seedFiles {
		for _, c := range loadCases(f, file) {
			f.Add(c.a, c.b)
		}
	}
	f.Add("0", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		va, errA := Parse(s, a)
		vb, errB := Parse(s, b)
		for _, p := range []struct {
			in  string
			v   Version
			err error
		}{{a, va, errA}, {b, vb, errB}} {
			if p.err != nil {
				if p.v != nil {
					t.Fatalf("Parse(%v, %q) returned a version and an error", s, p.in)
				}
				continue
			}
			if c := p.v.Compare(p.v); c != 0 {
				t.Fatalf("%q.Compare(itself) = %d", p.in, c)
			}
			if p.v.String() != strings.TrimSpace(p.in) || p.v.Scheme() != s {
				t.Fatalf("Parse(%v, %q): String %q, Scheme %v", s, p.in, p.v.String(), p.v.Scheme())
			}
		}
		if errA != nil || errB != nil {
			return
		}
		ab, ba := va.Compare(vb), vb.Compare(va)
		if ab < -1 || ab > 1 || ab != -ba {
			t.Fatalf("Compare(%q, %q) = %d, reverse %d", a, b, ab, ba)
		}
	})
}

func FuzzDpkg(f *testing.F) {
	fuzzCompare(f, Dpkg, "testdata/dpkg.txt", "testdata/osv-scalibr/debian-versions.txt")
}

func FuzzRPM(f *testing.F) {
	fuzzCompare(f, RPM, "testdata/rpm.txt", "testdata/osv-scalibr/redhat-versions.txt")
}

func FuzzAPK(f *testing.F) {
	fuzzCompare(f, APK, "testdata/apk.txt", "testdata/osv-scalibr/alpine-versions.txt")
}

func FuzzPEP440(f *testing.F) {
	fuzzCompare(f, PEP440, "testdata/pep440.txt", "testdata/osv-scalibr/pypi-versions.txt")
}

func FuzzSemVer(f *testing.F) {
	fuzzCompare(f, SemVer, "testdata/semver.txt", "testdata/osv-scalibr/semver-versions.txt")
}

func FuzzGo(f *testing.F) {
	fuzzCompare(f, Go, "testdata/go.txt")
}

func FuzzMaven(f *testing.F) {
	fuzzCompare(f, Maven, "testdata/maven.txt", "testdata/osv-scalibr/maven-versions.txt")
}

func FuzzRubyGems(f *testing.F) {
	fuzzCompare(f, RubyGems, "testdata/rubygems.txt", "testdata/osv-scalibr/rubygems-versions.txt")
}

func FuzzNuGet(f *testing.F) {
	fuzzCompare(f, NuGet, "testdata/nuget.txt", "testdata/osv-scalibr/nuget-versions.txt")
}

func FuzzPackagist(f *testing.F) {
	fuzzCompare(f, Packagist, "testdata/packagist.txt", "testdata/osv-scalibr/packagist-versions.txt")
}

// FuzzParseGoToolchain checks ParseGoToolchain never panics and that what
// it returns is a Go version.
func FuzzParseGoToolchain(f *testing.F) {
	for _, s := range []string{"go1.22.0", "go1.21rc2", "go1.20", "go1", "1.13.0-0", "go1.9.2beta1", "devel"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := ParseGoToolchain(in)
		if err != nil {
			return
		}
		if _, err := Parse(Go, out); err != nil {
			t.Fatalf("ParseGoToolchain(%q) = %q, which Parse(Go) rejects: %v", in, out, err)
		}
	})
}
