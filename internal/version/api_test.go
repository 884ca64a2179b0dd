package version

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSchemeFor(t *testing.T) {
	tests := []struct {
		eco     string
		want    Scheme
		wantErr bool
	}{
		{"Debian", Dpkg, false},
		{"Debian:12", Dpkg, false},
		{"Ubuntu:22.04:LTS", Dpkg, false},
		{"Ubuntu:Pro:18.04:LTS", Dpkg, false},
		{"AlmaLinux:8", RPM, false},
		{"Rocky Linux:9", RPM, false},
		{"Red Hat:enterprise_linux:9::appstream", RPM, false},
		{"SUSE:Linux Enterprise Server 15 SP5", RPM, false},
		{"openSUSE:Tumbleweed", RPM, false},
		{"Azure Linux", RPM, false},
		{"Mageia:9", RPM, false},
		{"openEuler:22.03-LTS", RPM, false},
		{"Alpine:v3.18", APK, false},
		{"Wolfi", APK, false},
		{"Chainguard", APK, false},
		{"PyPI", PEP440, false},
		{"npm", SemVer, false},
		{"crates.io", SemVer, false},
		{"Hex", SemVer, false},
		{"Pub", SemVer, false},
		{"Go", Go, false},
		{"Maven", Maven, false},
		{"RubyGems", RubyGems, false},
		{"NuGet", NuGet, false},
		{"Packagist", Packagist, false},
		{"SwiftURL", Unknown, true},
		{"debian", Unknown, true},
		{"", Unknown, true},
	}
	for _, tt := range tests {
		got, err := SchemeFor(tt.eco)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("SchemeFor(%q) = %v, %v; want %v, error %v", tt.eco, got, err, tt.want, tt.wantErr)
		}
		var ue *UnsupportedEcosystemError
		if tt.wantErr && (!errors.As(err, &ue) || ue.Ecosystem != tt.eco) {
			t.Errorf("SchemeFor(%q) error = %#v, want *UnsupportedEcosystemError for it", tt.eco, err)
		}
	}
}

func TestSchemeString(t *testing.T) {
	var got []string
	for s := Unknown; s <= Packagist+1; s++ {
		got = append(got, s.String())
	}
	want := []string{"unknown", "dpkg", "rpm", "apk", "pep440", "semver", "go", "maven", "rubygems", "nuget", "packagist", "unknown"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Scheme.String (-want +got):\n%s", d)
	}
}

// allSchemes lists every real scheme.
var allSchemes = []Scheme{Dpkg, RPM, APK, PEP440, SemVer, Go, Maven, RubyGems, NuGet, Packagist}

func TestParseErrors(t *testing.T) {
	type result struct {
		Scheme Scheme
		Input  string
	}
	tests := []struct {
		scheme Scheme
		in     string
	}{
		{Unknown, "1.0"},
		{Scheme(200), "1.0"},
		{Dpkg, "1:"},
		{Dpkg, "x:1.0"},
		{Dpkg, "1.0 beta"},
		{APK, "1.0 1"},
		{PEP440, "1.0-beta-gamma"},
		{PEP440, "1.0+"},
		{SemVer, "1.2.3.4"},
		{SemVer, "1.2.3-"},
		{SemVer, "1.2.3-a..b"},
		{SemVer, "1.x"},
		{Go, "v1.2-pre"},
		{Go, "v1.02.3"},
		{Go, "go1.2beta"},
		{RubyGems, "1.0-"},
		{RubyGems, "v1.0"},
		{NuGet, "1.2.3.4.5"},
		{NuGet, "1.0.0-"},
		{NuGet, "a.b"},
	}
	for _, s := range allSchemes {
		tests = append(tests, struct {
			scheme Scheme
			in     string
		}{s, ""}, struct {
			scheme Scheme
			in     string
		}{s, " \t\n"}, struct {
			scheme Scheme
			in     string
		}{s, strings.Repeat("1", maxLen+1)})
	}
	for _, tt := range tests {
		v, err := Parse(tt.scheme, tt.in)
		var ie *InvalidVersionError
		if !errors.As(err, &ie) {
			t.Errorf("Parse(%v, %.20q) = %v, %v; want *InvalidVersionError", tt.scheme, tt.in, v, err)
			continue
		}
		in := tt.in
		if len(in) > maxLen {
			in = in[:64] + "…"
		}
		if d := cmp.Diff(result{tt.scheme, in}, result{ie.Scheme, ie.Input}); d != "" || ie.Reason == "" || ie.Error() == "" {
			t.Errorf("Parse(%v, %.20q) error fields (-want +got):\n%s reason %q", tt.scheme, tt.in, d, ie.Reason)
		}
	}
}

// TestSentinelZero checks OSV's "0": parsed by every scheme, equal to
// itself and below every other version, including versions the scheme
// orders below "0".
func TestSentinelZero(t *testing.T) {
	others := map[Scheme][]string{
		Dpkg:      {"0", "0~git20190101-1", "0:0", "0.0", "1:0~a", "1.0-1"},
		RPM:       {"0", "0~rc1", "0-0", "0:0", "1.0-1.el9"},
		APK:       {"0", "0_alpha", "0.0", "1.0-r0"},
		PEP440:    {"0", "0.dev0", "0a1", "0.0", "0!0.0", "1.0"},
		SemVer:    {"0", "0.0.0-0", "0.0.0-alpha", "0.0.0", "1.0.0"},
		Go:        {"0", "v0.0.0-20190101000000-abcdefabcdef", "0.0.0", "go1.0"},
		Maven:     {"0", "0-alpha", "0.0.0", "0-SNAPSHOT", "1.0"},
		RubyGems:  {"0", "0.a", "0.0", "1.0"},
		NuGet:     {"0", "0.0.0-alpha", "0.0.0", "1.0.0"},
		Packagist: {"0", "0-dev", "0.0", "1.0.0"},
	}
	for _, s := range allSchemes {
		zero, err := Parse(s, " 0 ")
		if err != nil {
			t.Fatalf("Parse(%v, \"0\"): %v", s, err)
		}
		var got []int
		for _, o := range others[s] {
			v, err := Parse(s, o)
			if err != nil {
				t.Fatalf("Parse(%v, %q): %v", s, o, err)
			}
			got = append(got, zero.Compare(v), v.Compare(zero))
		}
		want := []int{0, 0}
		for range others[s][1:] {
			want = append(want, -1, 1)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%v: \"0\" against %q (-want +got):\n%s", s, others[s], d)
		}
		if zero.String() != "0" || zero.Scheme() != s {
			t.Errorf("%v: zero = %q of %v", s, zero.String(), zero.Scheme())
		}
	}
}

// TestCrossScheme checks that versions of different schemes (and nil)
// are ordered by scheme, never panicking.
func TestCrossScheme(t *testing.T) {
	var vs []Version
	for _, s := range allSchemes {
		for _, in := range []string{"0", "1.0"} {
			v, err := Parse(s, in)
			if err != nil {
				t.Fatal(err)
			}
			vs = append(vs, v)
		}
	}
	for _, a := range vs {
		if a.Compare(nil) != 1 {
			t.Errorf("%v %q .Compare(nil) = %d, want 1", a.Scheme(), a, a.Compare(nil))
		}
		for _, b := range vs {
			if a.Scheme() == b.Scheme() {
				continue
			}
			if got, want := a.Compare(b), cmpInt(int(a.Scheme()), int(b.Scheme())); got != want {
				t.Errorf("%v %q vs %v %q = %d, want %d", a.Scheme(), a, b.Scheme(), b, got, want)
			}
		}
	}
}

func TestStringAndCompare(t *testing.T) {
	type row struct {
		Scheme      Scheme
		A, B        string
		StrA, StrB  string
		Cmp         int
		ParseFailed bool
	}
	tests := []row{
		{Scheme: Dpkg, A: " 1:2.30-1ubuntu1 ", B: "1:2.30-1ubuntu1.1"},
		{Scheme: RPM, A: "0:3.10.0-229.el7", B: "3.10.0-229.1.2.el7"},
		{Scheme: APK, A: "1.2.3-r4", B: "1.2.3_p1-r0"},
		{Scheme: PEP440, A: "V1.0.POST1", B: "1.0.post2"},
		{Scheme: SemVer, A: "v2.0.0-rc.1+build", B: "2.0.0"},
		{Scheme: Go, A: "v1.22.0", B: "go1.22.1"},
		{Scheme: Maven, A: "1.0.RELEASE", B: "1.0-SP1"},
		{Scheme: RubyGems, A: "7.0.0.rc1", B: "7.0.0"},
		{Scheme: NuGet, A: "6.0.0-Preview.1", B: "6.0.0-preview.2"},
		{Scheme: Packagist, A: "v5.4.0-beta1", B: "5.4.0"},
		{Scheme: SemVer, A: "1.0.0", B: "not a version"},
	}
	want := []row{
		{Scheme: Dpkg, A: " 1:2.30-1ubuntu1 ", B: "1:2.30-1ubuntu1.1", StrA: "1:2.30-1ubuntu1", StrB: "1:2.30-1ubuntu1.1", Cmp: -1},
		{Scheme: RPM, A: "0:3.10.0-229.el7", B: "3.10.0-229.1.2.el7", StrA: "0:3.10.0-229.el7", StrB: "3.10.0-229.1.2.el7", Cmp: -1},
		{Scheme: APK, A: "1.2.3-r4", B: "1.2.3_p1-r0", StrA: "1.2.3-r4", StrB: "1.2.3_p1-r0", Cmp: -1},
		{Scheme: PEP440, A: "V1.0.POST1", B: "1.0.post2", StrA: "V1.0.POST1", StrB: "1.0.post2", Cmp: -1},
		{Scheme: SemVer, A: "v2.0.0-rc.1+build", B: "2.0.0", StrA: "v2.0.0-rc.1+build", StrB: "2.0.0", Cmp: -1},
		{Scheme: Go, A: "v1.22.0", B: "go1.22.1", StrA: "v1.22.0", StrB: "go1.22.1", Cmp: -1},
		{Scheme: Maven, A: "1.0.RELEASE", B: "1.0-SP1", StrA: "1.0.RELEASE", StrB: "1.0-SP1", Cmp: -1},
		{Scheme: RubyGems, A: "7.0.0.rc1", B: "7.0.0", StrA: "7.0.0.rc1", StrB: "7.0.0", Cmp: -1},
		{Scheme: NuGet, A: "6.0.0-Preview.1", B: "6.0.0-preview.2", StrA: "6.0.0-Preview.1", StrB: "6.0.0-preview.2", Cmp: -1},
		{Scheme: Packagist, A: "v5.4.0-beta1", B: "5.4.0", StrA: "v5.4.0-beta1", StrB: "5.4.0", Cmp: -1},
		{Scheme: SemVer, A: "1.0.0", B: "not a version", ParseFailed: true},
	}
	var got []row
	for _, tt := range tests {
		r := tt
		c, err := Compare(tt.Scheme, tt.A, tt.B)
		if err != nil {
			r.ParseFailed = true
			got = append(got, r)
			continue
		}
		r.Cmp = c
		a, _ := Parse(tt.Scheme, tt.A)
		b, _ := Parse(tt.Scheme, tt.B)
		r.StrA, r.StrB = a.String(), b.String()
		got = append(got, r)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestParseGoToolchain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"go1.22.0", "1.22.0"},
		{"go1.21rc2", "1.21.0-rc.2"},
		{"go1.20", "1.20.0"},
		{"go1", "1.0.0"},
		{"go1.19beta1", "1.19.0-beta.1"},
		{"go1.9.2rc2", "1.9.2-rc.2"},
		{"go1.8alpha1", "1.8.0-alpha.1"},
		{"1.21.3", "1.21.3"},
		{"1.21.0-rc.2", "1.21.0-rc.2"},
		{"1.13.0-0", "1.13.0-0"},
		{" go1.22.0 ", "1.22.0"},
		{"go", ""},
		{"go1.", ""},
		{"go1.2.3.4", ""},
		{"go1.21x1", ""},
		{"go1.21rc", ""},
		{"go01.2", ""},
		{"devel +abc", ""},
	}
	for _, tt := range tests {
		got, err := ParseGoToolchain(tt.in)
		var ie *InvalidVersionError
		if tt.want == "" {
			if !errors.As(err, &ie) || ie.Scheme != Go {
				t.Errorf("ParseGoToolchain(%q) = %q, %v; want *InvalidVersionError", tt.in, got, err)
			}
			continue
		}
		if got != tt.want || err != nil {
			t.Errorf("ParseGoToolchain(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestLenientInputs pins the documented leniency: inputs each scheme
// accepts although a strict reading of its format would not.
func TestLenientInputs(t *testing.T) {
	tests := []struct {
		scheme Scheme
		in     string
	}{
		{Dpkg, "abc3-0"},        // dpkg only warns about a non-digit start
		{RPM, "xyz.4"},          // rpm compares any string
		{APK, "1.0bc"},          // apk compares invalid versions too
		{PEP440, " v1.0\t\n"},   // packaging strips white space and "v"
		{SemVer, "= 1.2.3"},     // node-semver loose prefix
		{SemVer, "1.2"},         // partial version
		{SemVer, "01.2.3"},      // leading zero
		{Go, "1.2.3"},           // no "v"
		{Go, "1.21rc2"},         // toolchain without "go"
		{Maven, "1.0 final"},    // Maven reads any string
		{RubyGems, "\n1.0\n"},   // Gem::Version strips white space
		{NuGet, "1.0.01"},       // NuGet accepts leading zeros
		{Packagist, "dev-main"}, // a Composer branch
	}
	for _, tt := range tests {
		if _, err := Parse(tt.scheme, tt.in); err != nil {
			t.Errorf("Parse(%v, %q): %v", tt.scheme, tt.in, err)
		}
	}
}
