package acceptance

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

// syftRelationship is one of syft's artifact relationships.
type syftRelationship struct {
	Parent string `json:"parent"`
	Child  string `json:"child"`
	Type   string `json:"type"`
}

// compareOwnership checks model.Package.OwnedBy against syft's
// "ownership-by-file-overlap" relationships (an OS package whose file list
// holds the file a language package was found in): for every language
// package both tools report, the OS packages owning it agree.
func compareOwnership(t *testing.T, doc *syftDoc, inv *model.Inventory) {
	t.Helper()
	byID := map[string]*syftArtifact{}
	for i := range doc.Artifacts {
		byID[doc.Artifacts[i].ID] = &doc.Artifacts[i]
	}
	owners := func(m map[syftKey][]string, k syftKey, by string) {
		if !slices.Contains(m[k], by) {
			m[k] = append(m[k], by)
			slices.Sort(m[k])
		}
	}
	syftOwned, vigilOwned := map[syftKey][]string{}, map[syftKey][]string{}
	inSyft, inVigil := map[syftKey]bool{}, map[syftKey]bool{}
	for _, a := range doc.Artifacts {
		inSyft[keyOfSyft(a)] = true
	}
	for _, r := range doc.Relationships {
		parent, child := byID[r.Parent], byID[r.Child]
		if r.Type != "ownership-by-file-overlap" || parent == nil || child == nil || !syftOSTypes[parent.Type] {
			continue
		}
		owners(syftOwned, keyOfSyft(*child), parent.Name)
	}
	owned := 0
	for _, p := range inv.Packages {
		k := keyOfVigil(p)
		inVigil[k] = true
		if p.OwnedBy != "" {
			owned++
			owners(vigilOwned, k, p.OwnedBy)
		}
	}
	for _, m := range []map[syftKey][]string{syftOwned, vigilOwned} {
		for k := range m {
			if !inSyft[k] || !inVigil[k] {
				delete(m, k) // reported by one tool only: listed in syft-differences.yaml
			}
		}
	}
	if d := cmp.Diff(syftOwned, vigilOwned, cmp.AllowUnexported(syftKey{})); d != "" {
		t.Errorf("owning OS packages differ (-syft +vigil):\n%s", d)
	}
	t.Logf("%d packages owned by OS packages (%d distinct compared with syft)", owned, len(vigilOwned))
}
