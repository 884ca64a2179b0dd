// Package scan runs the two stages for standalone scans: it opens a target
// (image, directory, function package or SBOM), indexes it into an
// inventory, and matches the inventory against one loaded advisory index.
// One Engine serves many targets, so a CLI invocation with several targets
// loads the index once; the server reuses the same pieces.
package scan
