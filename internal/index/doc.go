// Package index is the index stage: it turns a resolved source — a
// directory, a container image, a function package — into a precise
// model.Inventory, reading every file at most once.
//
// Images are read layer by layer from their blobs, streaming: never
// unpacked to disk. Layers are decompressed and walked in parallel (one
// goroutine per layer, up to GOMAXPROCS), each walk offering every file to
// every extractor (fsx.Walk). A layer's result — packages by path, the
// paths it holds, its whiteouts and opaque directories, its OS release
// files — is cached by (layer diff id, extractor name, extractor version)
// when Options.CacheDir is set, so a base layer shared by many images is
// read once. The results are then squashed top-down as a container runtime
// would: a path in a higher layer replaces the lower ones; whiteouts, opaque
// directories and non-directories over a parent delete what is below, and
// no package survives from a deleted file. Each package records the diff id
// of the layer that introduced it: the lowest layer of the consecutive run
// of layers in which the same (name, version) is present at its path (a dpkg
// status rewritten by every layer keeps the layer a package was installed
// in).
//
// Function packages are squashed the same way: their layer zips under
// /opt, in order, then the code zip under /var/task; a package from a layer
// zip records that zip's digest as its layer.
//
// The OS is detected (osinfo.Detect) from the squashed release files, and
// distribution packages are qualified with it (Debian vs Ubuntu ecosystem,
// purl distro qualifier). A lockfile and the installed node_modules it
// describes are the same packages: the installed package.json entry is
// kept, taking the lockfile's dev flag; the model has a single Path per
// package, so the lockfile's path is dropped.
//
// Failures never abort a scan: an extractor's error, a limit that is hit, a
// deadline, a broken layer become model.Issues and mark the inventory
// Partial.
package index
