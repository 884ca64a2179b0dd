// Package cargo extracts Rust crates: from Cargo.lock files (lockfile
// versions 1 to 4) and from binaries built with cargo-auditable, which embed
// their dependency list in a zlib-compressed JSON section (".dep-v0" in ELF
// and PE, "__dep_v0" in Mach-O).
//
// Packages have Ecosystem crates.io, Manager CARGO and a pkg:cargo purl.
//
// Local crates are skipped: a Cargo.lock [[package]] without a "source"
// (the workspace members and path dependencies) and an auditable entry whose
// source is "local" are the project's own code, not something published on
// crates.io, and matching them by name against crates.io advisories yields
// false positives. osv-scanner reports them; vigil does not. Registry and git
// sources are reported. Build-only dependencies of an auditable binary
// (kind "build") are reported with Dev set: they ran at build time but are
// not linked into the binary.
//
// osv-scalibr v0.5.3 was evaluated and not used: its extractors are bound to
// its own FS, ScanInput and walker and it adds about 140 modules, while
// vigil's walker streams image layers and offers single files. These parsers
// are vigil's own; scalibr was read for reference only.
package cargo
