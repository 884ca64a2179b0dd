package sbom

import (
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// builder collects packages and what was skipped.
type builder struct {
	pkgs    []model.Package
	seen    map[string]bool
	os      *model.OS
	distro  string
	skipped []string
	count   int
}

func newBuilder() *builder { return &builder{seen: map[string]bool{}} }

// add adds the package a purl names; props are the component's tool
// properties (source package hints), lic its licences, path its file.
func (b *builder) add(purl string, props map[string]string, lic []string, path string) {
	p, distro, err := pkgFromPURL(purl)
	if err != nil {
		b.skip(purl, err)
		return
	}
	if distro != "" && b.distro == "" {
		b.distro = distro
	}
	if p.SourceName == "" {
		p.SourceName, p.SourceVersion = sourceFromProps(props)
	}
	p.Licenses = lic
	p.Path = path
	p.Extractor = "sbom"
	key := p.PURL + "\x00" + p.Path
	if b.seen[key] {
		return
	}
	b.seen[key] = true
	b.pkgs = append(b.pkgs, p)
}

func (b *builder) skip(what string, err error) {
	b.skipped = append(b.skipped, fmt.Sprintf("%s (%v)", what, err))
}

// sourceFromProps reads source-package hints written by vigil and trivy.
func sourceFromProps(props map[string]string) (string, string) {
	if n := props["vigil:package:source-name"]; n != "" {
		return n, props["vigil:package:source-version"]
	}
	n := props["aquasecurity:trivy:SrcName"]
	if n == "" {
		return "", ""
	}
	v := props["aquasecurity:trivy:SrcVersion"]
	if r := props["aquasecurity:trivy:SrcRelease"]; r != "" && v != "" {
		v += "-" + r
	}
	if e := props["aquasecurity:trivy:SrcEpoch"]; e != "" && e != "0" && v != "" {
		v = e + ":" + v
	}
	return n, v
}

func (b *builder) inventory() *model.Inventory {
	inv := &model.Inventory{Packages: b.pkgs}
	switch {
	case b.os != nil && !b.os.Unknown:
		inv.OS = b.os
	case b.distro != "":
		inv.OS = distroOS(b.distro)
	case b.os != nil:
		inv.OS = b.os
	}
	if inv.OS != nil && inv.OS.Ecosystem != "" {
		// Every distro package of the SBOM belongs to the detected
		// distribution; trust it over a purl namespace like "debian" on
		// an Ubuntu image.
		for i := range inv.Packages {
			p := &inv.Packages[i]
			if p.Manager == model.ManagerOS && distroFamily(p.Ecosystem) == distroFamily(inv.OS.Ecosystem) {
				p.Ecosystem = inv.OS.Ecosystem
			}
		}
	}
	if len(b.skipped) > 0 {
		const show = 5
		list := b.skipped
		more := ""
		if len(list) > show {
			more = fmt.Sprintf(" and %d more", len(list)-show)
			list = list[:show]
		}
		inv.Issues = append(inv.Issues, model.Issue{Plugin: "sbom",
			Reason: fmt.Sprintf("%d components not matched: %s%s", len(b.skipped), strings.Join(list, "; "), more)})
	}
	return inv
}

// distroFamily groups ecosystems that share a package format.
func distroFamily(e model.Ecosystem) string {
	switch e {
	case model.EcosystemDebian, model.EcosystemUbuntu:
		return "deb"
	case model.EcosystemAlpine, model.EcosystemWolfi, model.EcosystemChainguard:
		return "apk"
	case "":
		return ""
	}
	return "rpm"
}
