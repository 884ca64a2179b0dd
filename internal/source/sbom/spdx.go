package sbom

import (
	"bytes"
	"fmt"
	"strings"

	spdxjson "github.com/spdx/tools-golang/json"

	"github.com/vigilsec/vigil/internal/model"
)

// maxPackages bounds the SPDX packages read.
const maxPackages = 1_000_000

func readSPDX(data []byte) (*model.Inventory, error) {
	doc, err := spdxjson.Read(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if len(doc.Packages) > maxPackages {
		return nil, fmt.Errorf("more than %d packages", maxPackages)
	}
	b := newBuilder()
	for _, p := range doc.Packages {
		if p == nil {
			continue
		}
		if isOSPurpose(p.PrimaryPackagePurpose) && b.os == nil {
			b.os = osFromIDVersion(strings.ToLower(p.PackageName), p.PackageVersion)
		}
		purl := ""
		for _, ref := range p.PackageExternalReferences {
			if ref != nil && ref.RefType == "purl" {
				purl = ref.Locator
				break
			}
		}
		if purl == "" {
			if p.PackageVersion != "" && !isOSPurpose(p.PrimaryPackagePurpose) &&
				!strings.EqualFold(p.PrimaryPackagePurpose, "CONTAINER") && !strings.EqualFold(p.PrimaryPackagePurpose, "FILE") {
				b.skip(p.PackageName+"@"+p.PackageVersion, fmt.Errorf("no purl"))
			}
			continue
		}
		var lic []string
		for _, l := range []string{p.PackageLicenseDeclared, p.PackageLicenseConcluded} {
			if l != "" && l != "NOASSERTION" && l != "NONE" {
				lic = append(lic, l)
				break
			}
		}
		b.add(purl, nil, lic, spdxPath(p.PackageSourceInfo))
	}
	return b.inventory(), nil
}

// spdxPath pulls a path out of syft's sourceInfo ("acquired package info
// from installed python package manifest file: /usr/lib/...").
func spdxPath(info string) string {
	i := strings.LastIndex(info, ": /")
	if i < 0 {
		return ""
	}
	p := info[i+2:]
	if j := strings.IndexAny(p, ", "); j >= 0 {
		p = p[:j]
	}
	return p
}

// isOSPurpose reports whether a primaryPackagePurpose names an operating
// system: OPERATING-SYSTEM in the spec text and tag-value, OPERATING_SYSTEM
// in the released SPDX 2.3 JSON schema (which vigil writes).
func isOSPurpose(p string) bool {
	return strings.EqualFold(p, "OPERATING-SYSTEM") || strings.EqualFold(p, "OPERATING_SYSTEM")
}
