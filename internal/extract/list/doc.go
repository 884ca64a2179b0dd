// Package list is the one place vigil's extractors are listed. Adding an
// extractor means adding its constructor to All; there is no init()
// registration. (It is a package of its own because the extractor packages
// import internal/extract, so the list cannot live there.)
package list
