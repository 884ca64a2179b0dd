// Package fsx is the walking layer of the index stage.
//
// Every kind of file tree vigil reads — a directory or live root file
// system, an image layer streamed as a tar, a zip (function packages and
// their layers) — is a Source: something that yields its entries once, in
// order, each regular file with a way to open its content. Walk drives one
// pass over a Source: it offers every regular file's FileInfo to every
// extractor's Required, reads only the files some extractor wants (into
// memory up to a threshold, spilled to a temporary file above it, never more
// than Limits.MaxFileSize), and calls Extract. Whiteouts, opaque
// directories, the set of paths a layer holds, the OS identification
// files and the paths OS packages own (Options.Owners: dpkg's .list files,
// the apk and rpm databases' file lists, kept as 12-byte hashed entries in
// an OwnedSet) are recorded for the caller, which squashes image layers.
//
// Untrusted input: entry names are cleaned and names escaping the root are
// rejected, symlinks and hardlinks are never followed out of their root,
// every count, size and ratio is bounded by a shared Budget, and a limit
// that is hit becomes a model.Issue with Limit set — never silence.
package fsx
