package version

import "testing"

// TestReferenceCases runs each ecosystem's own reference test cases,
// gathered as data under testdata/ (each file names its source).
func TestReferenceCases(t *testing.T) {
	tests := []struct {
		scheme     Scheme
		file       string
		deviations map[string]string
	}{
		{Dpkg, "testdata/dpkg.txt", nil},
		{RPM, "testdata/rpm.txt", nil},
		{APK, "testdata/apk.txt", nil},
		{PEP440, "testdata/pep440.txt", nil},
		{SemVer, "testdata/semver.txt", nil},
		{Go, "testdata/go.txt", nil},
		{Maven, "testdata/maven.txt", nil},
		{RubyGems, "testdata/rubygems.txt", nil},
		{NuGet, "testdata/nuget.txt", nil},
		{Packagist, "testdata/packagist.txt", nil},
	}
	for _, tt := range tests {
		t.Run(tt.scheme.String(), func(t *testing.T) {
			runCaseFile(t, tt.scheme, tt.file, tt.deviations)
		})
	}
}

// TestOSVScalibrCases runs the comparison fixtures of osv-scalibr's
// semantic package (OSV's own per-ecosystem comparison), including the
// "-generated" sets of versions taken from real advisories and ordered by
// each ecosystem's tool.
func TestOSVScalibrCases(t *testing.T) {
	const dir = "testdata/osv-scalibr/"
	tests := []struct {
		scheme     Scheme
		file       string
		deviations map[string]string
	}{
		{Dpkg, "debian-versions.txt", nil},
		{Dpkg, "debian-versions-generated.txt.gz", nil},
		{RPM, "redhat-versions.txt", nil},
		{APK, "alpine-versions.txt", nil},
		{APK, "alpine-versions-generated.txt.gz", nil},
		{PEP440, "pypi-versions.txt", nil},
		{PEP440, "pypi-versions-generated.txt.gz", nil},
		{SemVer, "semver-versions.txt", nil},
		{Maven, "maven-versions.txt", nil},
		{Maven, "maven-versions-generated.txt.gz", nil},
		{RubyGems, "rubygems-versions.txt", nil},
		{RubyGems, "rubygems-versions-generated.txt.gz", nil},
		{NuGet, "nuget-versions.txt", nil},
		{Packagist, "packagist-versions.txt", nil},
		{Packagist, "packagist-versions-generated.txt.gz", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			runCaseFile(t, tt.scheme, dir+tt.file, tt.deviations)
		})
	}
}
