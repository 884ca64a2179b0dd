// Package extract defines the extractor contract of the index stage and the
// explicit list of extractors vigil runs.
//
// Extractors never walk a file system. The index stage (internal/index)
// walks a root once — a directory, or an image's layers streamed from their
// blobs — and offers each regular file to every extractor's Required method
// (a cheap test on path, mode and size). A file that some extractor wants
// is read, within the limits, and handed to Extract with its content. An
// extractor is therefore pure: bytes in, packages out, and is table-tested
// on real files with a fuzz target.
package extract
