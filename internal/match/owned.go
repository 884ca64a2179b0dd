package match

import "github.com/vigilsec/vigil/internal/model"

// ownedByOS reports whether p is a language package whose file an OS
// package installed (model.Package.OwnedBy, set by the index stage). Such
// a package stays in the inventory, so SBOMs are complete, but is not
// matched against its own ecosystem's advisories: the distribution
// backports fixes into it, and its advisories cover it through the OS
// package that owns it.
func ownedByOS(p *model.Package) bool { return p.OwnedBy != "" }
