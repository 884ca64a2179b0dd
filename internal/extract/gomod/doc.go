// Package gomod extracts the module requirements of a Go project from its
// go.mod file, parsed with golang.org/x/mod/modfile.
//
// Every require line is reported (blocks and "// indirect" ones alike, as
// since Go 1.17 go.mod lists the whole build list); replace directives are
// applied, so a replaced requirement is reported under its replacement's
// path and version, and one replaced by a local directory (no version) is
// skipped. The module itself is not a dependency. The go and toolchain
// directives state the minimum Go version, not the one a build used, so no
// "stdlib" package is derived from them (Go binaries report the toolchain
// that built them). Versions are kept as Go writes them ("v1.2.3").
//
// go.mod files in module caches (…/pkg/mod/…) and vendor trees describe
// dependencies, not projects, and are not read.
//
// osv-scalibr v0.5.3 was evaluated and not used: its extractors are bound to
// its own FS, ScanInput and walker and it adds about 140 modules, while
// vigil's walker streams image layers and offers single files. This code is
// vigil's own; scalibr was read for reference only.
package gomod
