// Package gobinary extracts the Go modules compiled into Go executables
// from the build information the Go linker embeds (debug/buildinfo, the
// data `go version -m` prints).
//
// A binary yields: its main module, when it carries a version (not
// "(devel)"); every dependency, under its replacement's path and version
// when a replace directive applied (a replacement by a local directory has
// no version and is skipped); and the Go toolchain as the "stdlib" package
// with its version normalised to what OSV's Go ecosystem uses ("go1.22.0" →
// "1.22.0", "go1.21rc2" → "1.21.0-rc.2"). Module versions are kept as Go
// writes them ("v1.2.3", pseudo-versions, "+incompatible"); the Go version
// scheme accepts them with or without the "v".
//
// Required is cheap: a regular file that is executable or lies in a bin
// directory, of a plausible size. Files that are not Go executables, and
// garbage, give no packages and no error.
//
// osv-scalibr v0.5.3 was evaluated and not used: its extractors are bound to
// its own FS, ScanInput and walker and it adds about 140 modules, while
// vigil's walker streams image layers and offers single files. This code is
// vigil's own; scalibr was read for reference only.
package gobinary
