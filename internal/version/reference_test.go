package version

import (
	"strings"
	"testing"
)

// TestReferenceCases runs each ecosystem's own reference test cases,
// gathered as data under testdata/ (each file names its source). Every
// case passes; there are no deviations.
func TestReferenceCases(t *testing.T) {
	tests := []struct {
		scheme Scheme
		file   string
	}{
		{Dpkg, "testdata/dpkg.txt"},
		{RPM, "testdata/rpm.txt"},
		{APK, "testdata/apk.txt"},
		{PEP440, "testdata/pep440.txt"},
		{SemVer, "testdata/semver.txt"},
		{Go, "testdata/go.txt"},
		{Maven, "testdata/maven.txt"},
		{RubyGems, "testdata/rubygems.txt"},
		{NuGet, "testdata/nuget.txt"},
		{Packagist, "testdata/packagist.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.scheme.String(), func(t *testing.T) {
			runCaseFile(t, tt.scheme, tt.file, nil)
		})
	}
}

// Reasons for the known deviations from osv-scalibr's fixtures.
const (
	sentinelZero   = "OSV's \"0\" sorts below every other version in vigil, so it is not equal to versions the scheme calls equal to 0"
	specOrder      = "osv-scalibr's order follows the POM version-order specification (osv.dev's implementation); vigil follows maven-artifact 3.9 ComparableVersion"
	apkInvalidCase = "invalid apk version: vigil follows apk-tools 2.x version.c, osv-scalibr another apk-tools release (its fixture notes the two disagree)"
	legacyPyPI     = "legacy (non-PEP 440) version: packaging's Version rejects it, and so does vigil"
	notSemVer      = "not a SemVer version (more than three numbers): rejected"
	notGem         = "Gem::Version rejects it as a malformed version number string"
	emptyRelease   = "rpm's rpmvercmp makes no difference between a missing and an empty release"
	phpTrailing    = "'#' is a separator in PHP's canonical form, so \"1.2.3.#\" is \"1.2.3\" (vigil drops the trailing separator PHP keeps)"
	pubBuild       = "Pub (pub_semver) orders build metadata; vigil's SemVer scheme, shared with npm and crates.io, ignores it as SemVer 2.0.0 says"
)

// TestOSVScalibrCases runs the comparison fixtures of osv-scalibr's
// semantic package (OSV's own per-ecosystem comparison), including the
// "-generated" sets of versions taken from real advisories and ordered by
// each ecosystem's tool. Each known deviation is listed with its reason;
// a listed case that starts passing fails the test.
func TestOSVScalibrCases(t *testing.T) {
	const dir = "testdata/osv-scalibr/"
	tests := []struct {
		scheme     Scheme
		file       string
		deviations map[string]string
	}{
		{Dpkg, "debian-versions.txt", nil},
		{Dpkg, "debian-versions-generated.txt.gz", nil},
		{RPM, "redhat-versions.txt", map[string]string{"1 < 1-": emptyRelease}},
		{APK, "alpine-versions.txt", map[string]string{
			"1-r-0 < 1-r0":         apkInvalidCase,
			"1-r-1 < 1-r0":         apkInvalidCase,
			"0.r1 < 0r2":           apkInvalidCase,
			"0.8.21.r2 < 0.8.21r2": apkInvalidCase,
			"1.2.0A < 1.2.0d":      apkInvalidCase,
			"1.2.0D < 1.2.0d":      apkInvalidCase,
			"1 > 1-ruff":           apkInvalidCase,
			"1-ruff2 = 1--ruff1":   apkInvalidCase,
		}},
		{APK, "alpine-versions-generated.txt.gz", nil},
		{PEP440, "pypi-versions.txt", legacyDeviations(t, dir+"pypi-versions.txt")},
		{PEP440, "pypi-versions-generated.txt.gz", legacyDeviations(t, dir+"pypi-versions-generated.txt.gz")},
		{SemVer, "semver-versions.txt", map[string]string{"1.1.3.4.5 = 1.1.3.4.5": notSemVer}},
		{SemVer, "pub-versions.txt", map[string]string{
			"1.0.0-pre < 1.0.0-pre+build":              pubBuild,
			"1.0.0 < 1.0.0+build":                      pubBuild,
			"1.2.3+1 < 1.2.3+2":                        pubBuild,
			"1.2.3+1 < 1.2.3+a":                        pubBuild,
			"1.2.3+9 < 1.2.3+a":                        pubBuild,
			"1.2.3+900 < 1.2.3+a":                      pubBuild,
			"1.2.3+a1 > 1.2.3+a":                       pubBuild,
			"1.2.3+a1 < 1.2.3+a2":                      pubBuild,
			"1.2.3+a9 < 1.2.3+b2":                      pubBuild,
			"1.2.3+9a > 1.2.3+1z":                      pubBuild,
			"1.2.3+9d > 1.2.3+1z":                      pubBuild,
			"1.2.3-beta+build < 1.2.3-beta+otherbuild": pubBuild,
			"1.2.3+build < 1.2.3+otherbuild":           pubBuild,
			"v1.2.3+build < 1.2.3+otherbuild":          pubBuild,
			"1.1.3.4.5 = 1.1.3.4.5":                    notSemVer,
		}},
		{Maven, "maven-versions.txt", map[string]string{
			"1-1.foo-bar-1-baz-0.1 = 1-1.foo-bar1baz-.1": specOrder,
			"1-1 = 1-ga-1":    specOrder,
			"0.0.0 = 0":       sentinelZero,
			"0.0 = 0":         sentinelZero,
			"0.0.0-0.0.0 = 0": sentinelZero,
			"0-final-ga = 0":  sentinelZero,
		}},
		{Maven, "maven-versions-generated.txt.gz", map[string]string{
			"3.2.0rc2 < 3.2.0-rc.1":                         specOrder,
			"4.0.16.Final < 4.0.16.Final-jason1":            specOrder,
			"4.0.17.Final < 4.0.17.Final-wildfly-1":         specOrder,
			"1.1.3.RELEASE < 1.1.3.RELEASE-A":               specOrder,
			"1.0.0-RC16 < 1.0.0.RC8-beta":                   specOrder,
			"1.0.0-gradle-rework-beta3 < 1.0.0.RC7-3":       specOrder,
			"2.9.0-1 < 2.9.0.RC1":                           specOrder,
			"7.4.3.20 < 7.4.3.20-ga20":                      specOrder,
			"7.4.3.21 < 7.4.3.21-ga21":                      specOrder,
			"6.1.12.rc5 < 6.1.12rc1":                        specOrder,
			"1.0.0-beta11 < 1.0.0-beta.6":                   specOrder,
			"1.1.31.sec10 < 1.1.31_noneautotype":            specOrder,
			"1.1.34.sec10 < 1.1.34_noneautotype":            specOrder,
			"1.1.46.sec10 < 1.1.46_noneautotype":            specOrder,
			"1.2.8.sec10_noneautotype < 1.2.8_noneautotype": specOrder,
			"1.2.31.sec10 < 1.2.31_noneautotype":            specOrder,
			"1.2.48.sec10 < 1.2.48_noneautotype":            specOrder,
			"1.2.50.sec10 < 1.2.50_noneautotype":            specOrder,
			"1.2.54.sec10 < 1.2.54_noneautotype":            specOrder,
			"1.2.57.sec10 < 1.2.57_noneautotype":            specOrder,
			"1.2.60.sec10 < 1.2.60_noneautotype":            specOrder,
			"1.2.67.sec10 < 1.2.67_noneautotype":            specOrder,
			"1.0.0rc0 < 1.0.beta8":                          specOrder,
			"1.5.9.RC1 < 1.5.9-RC0":                         specOrder,
			"3.5.0-CR-2 < 3.5.0.Beta-1":                     specOrder,
			"1.1.0-01-glassfish < 1.1.0.Beta1":              specOrder,
			"v3.7.0rc2 < v3.7.0-rc.3":                       specOrder,
		}},
		{RubyGems, "rubygems-versions.txt", map[string]string{
			"1 > 1beta":  notGem,
			"1 > 1gamma": notGem,
		}},
		{RubyGems, "rubygems-versions-generated.txt.gz", nil},
		{NuGet, "nuget-versions.txt", nil},
		{Packagist, "packagist-versions.txt", map[string]string{
			"1.2.3.# = 1.2.3.1": phpTrailing,
		}},
		{Packagist, "packagist-versions-generated.txt.gz", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if testing.Short() && strings.HasSuffix(tt.file, ".gz") {
				t.Skip("large generated fixture; skipped with -short")
			}
			runCaseFile(t, tt.scheme, dir+tt.file, tt.deviations)
		})
	}
}

// legacyVersions are the versions in osv-scalibr's PyPI fixtures that are
// not PEP 440 versions; the fixtures were generated with a packaging
// release that still had LegacyVersion.
var legacyVersions = []string{
	"-class.-jw.util.version.Version-", "-class.-jw.util.version.version-pre",
	"-class.-jw.util.version.version-preview", "-class.-jw.util.version.version-dev",
	"0.0.1-test1", "0.1-bulbasaur", "0.1-charmander", "0.9-doduo", "0.9-eevee",
	"0.9-fearow", "0.9-gyarados", "0.9-horsea", "0.9-ivysaur",
	"0.3m1", "0.3m2", "0.3m3", "0.3m4", "0.3m5", "0.4m1", "0.4m2", "0.4m3", "0.4m4", "0.4m5",
	"0.7.1.fix1", "0.7.10p1", "0.7.11p1", "0.7.11p2", "0.7.11p3", "0.7.4.svn.r2010",
	"0.8.1p1", "0.8.3p1", "0.8.4p1", "0.8.4p2", "0.8.6p1", "0.8.7p1", "2.0.1rc2-git",
	"2013-01-21T20:33:09+0100", "2013-01-23T17:11:52+0100", "2013-02-01T20:50:46+0100",
	"2013-02-02T19:59:03+0100", "2013-02-02T20:23:17+0100", "2013-02-08T17:40:57+0000",
	"2013-03-27T16:32:26+0100", "2013-05-09T12:47:53+0200", "2013-05-10T17:55:56+0200",
	"2013-05-14T20:16:05+0200", "2013-06-01T10:32:51+0200", "2013-07-19T09:11:08+0000",
	"2013-08-12T21:48:56+0200", "2013-09-11T19-27-10", "2013-12-23T17-51-15",
	"2014-01-12T15-52-10", "trunk", "0.3.1-p1", "0.4.0-p1", "0.5m1", "0.5m2", "0.5m3",
	"0.5m4", "0.5m5", "0.6m1", "0.6m2", "0.6m3", "0.6m4", "0.6m5", "0.6m6", "1.0beta6.1",
	"1.3.1-STAGING", "2.0.0-final", "4.11-final", "5.0-final", "a3",
}

// legacyDeviations lists, as deviations, the cases of a PyPI fixture that
// involve a legacy version (runCaseFile then checks that each such case
// fails, so each legacy version is indeed rejected).
func legacyDeviations(t testing.TB, path string) map[string]string {
	t.Helper()
	legacy := map[string]bool{}
	for _, v := range legacyVersions {
		legacy[v] = true
	}
	dev := map[string]string{}
	for _, c := range loadCases(t, path) {
		if legacy[c.a] || legacy[c.b] {
			dev[c.key()] = legacyPyPI
		}
	}
	return dev
}
