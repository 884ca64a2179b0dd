// Package alpine converts the Alpine Linux security database (secdb) into
// OSV records.
//
// # Upstream format
//
// secdb (https://secdb.alpinelinux.org/, e.g.
// https://secdb.alpinelinux.org/v3.10/main.json; the older YAML form lives
// in https://github.com/alpinelinux/alpine-secdb) has one file per branch
// and repository, built from the "secfixes" comments of the aports
// APKBUILDs:
//
//	{"distroversion": "v3.10", "reponame": "main", "packages": [
//	  {"pkg": {"name": "apache2", "secfixes": {"2.4.41-r0": ["CVE-2019-9517", …]}}}]}
//
// Each secfixes key is the first apk version (pkgver-rN) of the origin
// (source) package that fixes the listed issues. The key "0" means the
// issues never affected the branch.
//
// # Mapping to OSV
//
// As osv.dev does for its ALPINE-CVE records:
//
//   - one record per issue id per file, id "ALPINE-" + issue id
//     ("ALPINE-CVE-2019-9517", "ALPINE-XSA-207"), with upstream = the issue
//     id; one affected entry per (package, fixed version) listing it, with
//     ecosystem "Alpine:<distroversion>", package = the origin package name
//     (purl pkg:apk/alpine/<name>?arch=source) and an ECOSYSTEM range
//     introduced "0" → fixed <key>;
//   - an entry is read by its first word: "CVE-2016-9932 XSA-200" gives
//     record ALPINE-CVE-2016-9932 with upstream [CVE-2016-9932, XSA-200];
//     a CVE id is cut to CVE-YYYY-NNNN ("CVE-2017-8073.patch",
//     "CVE-2017-17434-1") and "CVE_" is read as "CVE-"; entries whose first
//     word is not an advisory id ("CVE-????-?????", "CVE 2018-16859") and
//     keys that are not versions are skipped;
//   - records carry no dates (secdb has none): Modified is zero and the
//     feed must set it (from the download's Last-Modified, say).
//
// MergeSecDB joins the records of many files (main and community of every
// branch) so that each id appears once, with all its affected entries.
//
// Input is untrusted: file size, package count and entries are bounded
// (MaxFileSize, MaxPackages, MaxFixes); structural problems are a
// *ParseError, never a panic.
package alpine
