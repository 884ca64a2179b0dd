package report

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/package-url/packageurl-go"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"

	"github.com/vigilsec/vigil/internal/model"
)

var spdxIDUnsafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9.\-]+`) })

// spdxPurposeOS is the primaryPackagePurpose of an operating system as the
// SPDX 2.3 JSON schema spells it. Tag-value SPDX writes OPERATING-SYSTEM,
// which the JSON schema's enumeration does not allow.
const spdxPurposeOS = "OPERATING_SYSTEM"

// SPDXDocument builds an SPDX 2.3 document of an inventory: the target as
// the described package, the OS as an OPERATING_SYSTEM package, and every
// package with its purl as a PACKAGE-MANAGER external reference, its file
// path in sourceInfo and its layer in a comment. Packages are CONTAINED_BY
// the target.
func SPDXDocument(inv *model.Inventory, gen Generator, now time.Time) *spdx.Document {
	doc := &spdx.Document{
		SPDXVersion:       spdx.Version,
		DataLicense:       spdx.DataLicense,
		SPDXIdentifier:    "DOCUMENT",
		DocumentName:      inv.Target.Name,
		DocumentNamespace: "https://vigil.dev/spdx/" + uuidFrom(inv.Target.Kind, inv.Target.Name, inv.Target.Digest, now.String()),
		CreationInfo: &spdx.CreationInfo{
			Created:  now.UTC().Format(time.RFC3339),
			Creators: []common.Creator{{CreatorType: "Tool", Creator: gen.Name + "-" + gen.Version}},
		},
	}
	purpose := "APPLICATION"
	if inv.Target.Kind == model.TargetImage {
		purpose = "CONTAINER"
	}
	root := &spdx.Package{
		PackageName: inv.Target.Name, PackageSPDXIdentifier: "target", PackageVersion: inv.Target.Digest,
		PackageDownloadLocation: "NOASSERTION", PrimaryPackagePurpose: purpose,
		PackageLicenseConcluded: "NOASSERTION", PackageLicenseDeclared: "NOASSERTION", PackageCopyrightText: "NOASSERTION",
	}
	doc.Packages = append(doc.Packages, root)
	doc.Relationships = append(doc.Relationships, &spdx.Relationship{
		RefA: common.MakeDocElementID("", "DOCUMENT"), RefB: common.MakeDocElementID("", "target"), Relationship: "DESCRIBES"})
	if inv.OS != nil && inv.OS.ID != "" {
		doc.Packages = append(doc.Packages, &spdx.Package{
			PackageName: inv.OS.ID, PackageSPDXIdentifier: "os", PackageVersion: inv.OS.VersionID,
			PackageDownloadLocation: "NOASSERTION", PrimaryPackagePurpose: spdxPurposeOS, PackageComment: inv.OS.PrettyName,
			PackageLicenseConcluded: "NOASSERTION", PackageLicenseDeclared: "NOASSERTION", PackageCopyrightText: "NOASSERTION",
		})
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA: common.MakeDocElementID("", "os"), RefB: common.MakeDocElementID("", "target"), Relationship: "CONTAINED_BY"})
	}
	for i := range inv.Packages {
		p := &inv.Packages[i]
		id := common.ElementID(fmt.Sprintf("pkg-%d-%s", i, spdxIDUnsafe().ReplaceAllString(p.Name, "-")))
		sp := &spdx.Package{
			PackageName: p.Name, PackageSPDXIdentifier: id, PackageVersion: p.Version,
			PackageDownloadLocation: "NOASSERTION", PrimaryPackagePurpose: "LIBRARY",
			PackageLicenseConcluded: "NOASSERTION", PackageLicenseDeclared: "NOASSERTION", PackageCopyrightText: "NOASSERTION",
		}
		if len(p.Licenses) > 0 {
			// Declared licences are not always valid SPDX expressions, so
			// they go in the comment rather than licenseDeclared.
			sp.PackageComment = "declared licences: " + strings.Join(p.Licenses, ", ")
		}
		if p.PURL != "" {
			sp.PackageExternalReferences = []*spdx.PackageExternalReference{{Category: "PACKAGE-MANAGER", RefType: "purl", Locator: withUpstream(p)}}
		}
		if p.Path != "" {
			sp.PackageSourceInfo = "found by vigil in file: " + p.Path
		}
		if p.Layer != "" {
			sp.PackageComment = joinComment(sp.PackageComment, "layer: "+p.Layer)
		}
		doc.Packages = append(doc.Packages, sp)
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA: common.MakeDocElementID("", string(id)), RefB: common.MakeDocElementID("", "target"), Relationship: "CONTAINED_BY"})
	}
	return doc
}

func joinComment(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// WriteSPDX writes an inventory as SPDX 2.3 JSON.
func WriteSPDX(w io.Writer, inv *model.Inventory, gen Generator, now time.Time) error {
	return spdxjson.Write(SPDXDocument(inv, gen, now), w, spdxjson.Indent("  "), spdxjson.EscapeHTML(false))
}

// WriteCycloneDXSBOM writes an inventory as a CycloneDX 1.6 JSON SBOM
// (components only, no vulnerabilities).
func WriteCycloneDXSBOM(w io.Writer, inv *model.Inventory, gen Generator, now time.Time) error {
	bom, _ := CycloneDXBOM(inv, gen, now)
	return encodeCycloneDX(w, bom)
}

// withUpstream adds the source package to a distro purl as the `upstream`
// qualifier (as syft writes it), since SPDX has no field for it and
// matching distro packages needs it.
func withUpstream(p *model.Package) string {
	if p.SourceName == "" || p.Manager != model.ManagerOS || strings.Contains(p.PURL, "upstream=") {
		return p.PURL
	}
	pu, err := packageurl.FromString(p.PURL)
	if err != nil {
		return p.PURL
	}
	up := p.SourceName
	if p.SourceVersion != "" {
		up += "@" + p.SourceVersion
	}
	pu.Qualifiers = append(pu.Qualifiers, packageurl.Qualifier{Key: "upstream", Value: up})
	return pu.ToString()
}
