package index

import (
	"slices"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/fsx"
	"github.com/vigilsec/vigil/internal/model"
)

// maxLinkHops bounds symlink chains among OS release files.
const maxLinkHops = 8

// deletes reports whether layer l deletes p from the layers below it: a
// whiteout of p or of a parent, an opaque parent, or a parent that l
// holds as something other than a directory.
func (l *layerResult) deletes(p string) bool {
	if l.whiteouts[p] {
		return true
	}
	hit := false
	fsx.Ancestors(p, func(dir string) bool {
		if l.whiteouts[dir] || l.opaques[dir] || l.paths.HasNonDir(dir) {
			hit = true
			return false
		}
		return true
	})
	return hit
}

// hides reports whether layer l replaces or deletes p of the layers below.
func (l *layerResult) hides(p string) bool {
	return l.paths.Has(p) || l.deletes(p)
}

// visible reports whether p as held by layer i survives the layers above.
func visible(layers []*layerResult, i int, p string) bool {
	for j := i + 1; j < len(layers); j++ {
		if layers[j].hides(p) {
			return false
		}
	}
	return true
}

// introducedBy returns the index of the lowest layer of the consecutive run
// of layers, ending at layer i, in which the package is present at path p
// (found by the same extractor).
func introducedBy(layers []*layerResult, i int, p, extractor string, pkg *model.Package) int {
	at := i
	if layers[i].deletes(p) {
		return at
	}
	for j := i - 1; j >= 0; j-- {
		l := layers[j]
		if e := l.ext[extractor]; e != nil {
			if pkgs, ok := e.Packages[p]; ok {
				if !slices.ContainsFunc(pkgs, func(q model.Package) bool { return q.Name == pkg.Name && q.Version == pkg.Version }) {
					return at
				}
				at = j
				if l.deletes(p) {
					return at
				}
				continue
			}
		}
		if l.hides(p) {
			return at
		}
	}
	return at
}

// squash merges layer results, bottom first, into the packages of the
// final tree (each with its layer) and its OS release files.
func squash(layers []*layerResult, exs []extract.Extractor) ([]model.Package, map[string][]byte) {
	n, groups := 0, 0
	var only []model.Package
	for _, l := range layers {
		for _, ex := range exs {
			if e := l.ext[ex.Name()]; e != nil {
				for _, pkgs := range e.Packages {
					n += len(pkgs)
					if len(pkgs) > 0 {
						groups, only = groups+1, pkgs
					}
				}
			}
		}
	}
	if groups == 1 && len(layers) == 1 {
		// One file of one layer (a lockfile in a directory): its packages
		// are the result, without a copy. The layer result is not read
		// after squashing.
		for i := range only {
			only[i].Layer = layers[0].id
		}
		return only, squashOSFiles(layers)
	}
	out := make([]model.Package, 0, n) // grown once, not doubled
	for i, l := range layers {
		for _, ex := range exs {
			e := l.ext[ex.Name()]
			if e == nil {
				continue
			}
			paths := make([]string, 0, len(e.Packages))
			for p := range e.Packages {
				paths = append(paths, p)
			}
			slices.Sort(paths)
			for _, p := range paths {
				if !visible(layers, i, p) {
					continue
				}
				for _, pkg := range e.Packages[p] {
					pkg.Layer = layers[introducedBy(layers, i, p, ex.Name(), &pkg)].id
					out = append(out, pkg)
				}
			}
		}
	}
	return out, squashOSFiles(layers)
}

// squashOSFiles returns the OS release files of the final tree, with
// symlinks among them resolved.
func squashOSFiles(layers []*layerResult) map[string][]byte {
	files := map[string][]byte{}
	links := map[string]string{}
	seen := map[string]bool{}
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		for p, b := range l.meta.OSFiles {
			if !seen[p] && visible(layers, i, p) {
				seen[p] = true
				files[p] = b
			}
		}
		for p, t := range l.meta.Symlinks {
			if !seen[p] && visible(layers, i, p) {
				seen[p] = true
				links[p] = t
			}
		}
	}
	for p, t := range links {
		for hop := 0; hop < maxLinkHops; hop++ {
			if b, ok := files[t]; ok {
				files[p] = b
				break
			}
			next, ok := links[t]
			if !ok {
				break
			}
			t = next
		}
	}
	return files
}
