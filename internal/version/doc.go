// Package version compares package versions exactly as each ecosystem's
// reference implementation orders them.
//
// A Scheme names one set of ordering rules; SchemeFor maps an OSV
// ecosystem string ("Debian:12", "Red Hat:enterprise_linux:9::appstream",
// "PyPI", …) to it. Parse turns a string into a Version once, and
// Version.Compare then orders two parsed versions without allocating, so
// the matcher can pre-parse every advisory event and compare quickly.
//
// # Schemes and their references
//
//   - Dpkg: dpkg's parseversion and verrevcmp (lib/dpkg/version.c): epoch,
//     upstream version, revision; '~' sorts before everything.
//   - RPM: rpm's parseEVR and rpmvercmp, including '~' and '^'; a missing
//     epoch is 0, a missing release compares as an empty one.
//   - APK: apk-tools 2.x apk_version_compare: digits, one letter, suffixes
//     _alpha/_beta/_pre/_rc (before the release) and _cvs/_svn/_git/_hg/_p
//     (after it), -rN revisions. Like apk, it also compares invalid versions.
//   - PEP440: pypa/packaging's Version, with its normalisations (case, "v"
//     prefix, separators, alternative spellings, implicit numbers and post
//     releases) and local versions. Legacy non-PEP 440 strings are invalid.
//   - SemVer: Semantic Versioning 2.0.0 precedence for npm, crates.io, Hex
//     and Pub (and OSV's SEMVER range type), with node-semver's loose
//     extras ("v"/"=" prefix, "1.2" for 1.2.0). Build metadata is ignored;
//     Pub's ordering of build metadata is not modelled.
//   - Go: golang.org/x/mod/semver with or without the "v", "+incompatible"
//     and pseudo-versions, plus Go toolchain names (see ParseGoToolchain).
//   - Maven: maven-artifact 3.9's ComparableVersion (items, sub-lists,
//     qualifiers alpha < beta < milestone < rc = cr < snapshot < "" = ga =
//     final = release < sp < others, combination items such as "rc1").
//   - RubyGems: Gem::Version (segments; a string segment marks a
//     prerelease and sorts before numbers).
//   - NuGet: NuGetVersion with VersionComparer.Default: four numbers,
//     case-insensitive pre-release labels, metadata ignored.
//   - Packagist: PHP's version_compare after stripping a "v" prefix. OSV's
//     Packagist records are compared this way by osv.dev and osv-scalibr,
//     not as strict SemVer, and Composer itself compares normalised
//     versions with version_compare.
//
// Each scheme is tested against its reference implementation's own test
// cases, kept as data in testdata/ with their sources, and against
// osv-scalibr's fixtures (including versions from real advisories ordered
// by each ecosystem's tools). Known deviations are listed in
// reference_test.go with their reasons.
//
// # The "0" sentinel
//
// OSV uses "introduced": "0" for "from the first version". Every scheme
// parses the literal "0" to a sentinel that sorts below every other
// version and equals only itself. This differs from the native order in
// one respect: versions a scheme considers equal to "0" ("0.0.0" in
// SemVer, "0.0" in Maven or PEP 440) sort after the sentinel, and
// versions the scheme would sort below "0" (Go pseudo-versions of v0.0.0,
// Debian's "0~git…", PEP 440's "0.dev1") sort above it, as OSV means.
//
// # Errors and leniency
//
// Parse never panics; an unacceptable input returns *InvalidVersionError
// (test with errors.As). Empty or white-space-only input is invalid in
// every scheme, and inputs longer than 1 KiB are rejected. dpkg, rpm, apk,
// Maven and Packagist compare almost any string, as their tools do; PEP
// 440, SemVer, Go, RubyGems and NuGet reject what their references reject.
// Comparing versions of different schemes orders them by scheme.
//
// # Why not osv-scalibr's semantic package
//
// github.com/google/osv-scalibr/semantic implements OSV's comparison per
// ecosystem and passes most of the same cases, but it would pull the whole
// scalibr module into vigil, and its API re-parses both strings on every
// comparison, which misses the allocation-free Compare the matcher relies
// on. vigil therefore has its own implementations and uses scalibr's test
// fixtures as data instead.
package version
