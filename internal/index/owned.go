package index

import (
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/extract/apk"
	"github.com/vigilsec/vigil/internal/extract/dpkg"
	"github.com/vigilsec/vigil/internal/extract/rpm"
	"github.com/vigilsec/vigil/internal/fsx"
	"github.com/vigilsec/vigil/internal/model"
)

// owners read the OS package databases' file lists.
var owners = []fsx.Owner{dpkg.Owner{}, apk.Owner{}, rpm.Owner{}}

// ownership answers which OS package owns a path of the squashed tree.
type ownership struct {
	layers []*layerResult
	// live[i][s] says whether source s of layer i's owned set is still
	// visible (its database file was not replaced or deleted above).
	live [][]bool
}

// newOwnership squashes the layers' owned sets: a record counts when its
// database file (a dpkg .list, the apk or rpm database) survives the
// layers above, as the packages it describes do.
func newOwnership(layers []*layerResult) *ownership {
	o := &ownership{layers: layers, live: make([][]bool, len(layers))}
	for i, l := range layers {
		set := l.meta.Owned
		if set.Len() == 0 {
			continue
		}
		live := make([]bool, len(set.Sources))
		vis := map[string]bool{}
		for s, src := range set.Sources {
			v, ok := vis[src.File]
			if !ok {
				v = visible(layers, i, src.File)
				vis[src.File] = v
			}
			live[s] = v
		}
		o.live[i] = live
	}
	return o
}

// owner returns the OS package that owns p in the final tree, or "".
func (o *ownership) owner(p string) string {
	for i := len(o.layers) - 1; i >= 0; i-- {
		set := o.layers[i].meta.Owned
		if s, ok := set.Lookup(p); ok && o.live[i] != nil && o.live[i][s] {
			return set.Sources[s].Package
		}
	}
	return ""
}

// markOwned sets OwnedBy on the language packages whose file an OS
// package installed: the package's path (for a nested archive, the
// outermost file) or, for Python distributions, their .dist-info or
// .egg-info directory.
func markOwned(pkgs []model.Package, layers []*layerResult) {
	o := newOwnership(layers)
	found := false
	for i := range layers {
		if o.live[i] != nil {
			found = true
		}
	}
	if !found {
		return
	}
	for i := range pkgs {
		p := &pkgs[i]
		if p.Manager == model.ManagerOS || p.Path == "" {
			continue
		}
		file, _, _ := strings.Cut(p.Path, "!")
		if by := o.owner(file); by != "" {
			p.OwnedBy = by
			continue
		}
		if dir := path.Dir(file); strings.HasSuffix(dir, ".dist-info") || strings.HasSuffix(dir, ".egg-info") {
			p.OwnedBy = o.owner(dir)
		}
	}
}
