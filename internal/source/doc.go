// Package source resolves what the user names — an image reference, an
// OCI layout, a docker archive, a function package, a directory — into
// something the index stage can walk, with the target's metadata.
//
// Images are read through go-containerregistry and never unpacked to disk:
// each Layer opens a stream of its blob (compressed as stored in a registry
// or an OCI layout; uncompressed from a docker archive, whose layers are
// usually stored plain), which the index stage decompresses and walks once.
package source
