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
// Language packages installed by the OS package manager are marked, not
// dropped. Each walk also reads which paths the OS packages own — dpkg's
// /var/lib/dpkg/info/*.list, the F:/R: lines of the apk database, the
// BASENAMES/DIRNAMES/DIRINDEXES of the rpm database's headers — into an
// fsx.OwnedSet (a 64-bit path hash and a 32-bit record index, 12 bytes a
// path: about 1.2 MB for a Debian root's 100 000 paths), cached with the
// layer's other results. Ownership is squashed by its database file: a
// record counts only while its .list file (or the apk/rpm database holding
// it) is still visible in the final tree, whatever layer the owned file
// came from. A package whose Manager is not OS and whose Path (the
// outermost file of a nested archive; for Python, also its .dist-info or
// .egg-info directory) is owned gets OwnedBy, the owning OS package's name
// (python3-idna for /usr/lib/python3/dist-packages/idna-3.3.egg-info/PKG-INFO).
// Such packages stay in the inventory, so SBOMs are complete, and
// internal/match does not match them against their own ecosystem: the
// distribution backports fixes into them and its advisories cover them
// through the OS package. Distroless images keep no dpkg file lists, so
// nothing is owned there.
//
// Failures never abort a scan: an extractor's error, a limit that is hit, a
// deadline, a broken layer become model.Issues and mark the inventory
// Partial.
package index
