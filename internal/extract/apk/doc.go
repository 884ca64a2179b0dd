// Package apk extracts the packages installed on Alpine, Wolfi and
// Chainguard systems from the apk database /lib/apk/db/installed (or
// /usr/lib/apk/db/installed on merged-/usr systems with apk-tools 3).
//
// Each package is a paragraph of "X:value" lines; the extractor reads P
// (name), V (version, "1.2.4-r0"), A (architecture), o (origin, the source
// package: SourceName, with SourceVersion = Version) and L (the licence
// expression, kept whole as one Licenses entry). Packages carry Ecosystem
// Alpine and a pkg:apk/alpine purl; the index stage calls Qualify with the
// detected OS to move Wolfi and Chainguard packages to their ecosystems and
// to set the purl namespace and distro qualifier.
//
// Owner reads the same database's file lists (F: directories, R: files
// in the last directory) for the index stage, which marks the language
// packages those files are (model.Package.OwnedBy).
//
// osv-scalibr v0.5.3 was evaluated and not used: its extractors are bound to
// its own FS, ScanInput and walker and it adds about 140 modules, while
// vigil's walker streams image layers and offers single files. This parser
// is vigil's own; scalibr was read for reference only.
package apk
