package rpm

import (
	"strconv"

	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/model"
)

// purl builds pkg:rpm/<namespace>/name@version-release with arch, epoch,
// distro and upstream (source rpm file name) qualifiers.
func purl(p *model.Package, h header, namespace, distro string) string {
	var q packageurl.Qualifiers
	if h.arch != "" {
		q = append(q, packageurl.Qualifier{Key: "arch", Value: h.arch})
	}
	if distro != "" {
		q = append(q, packageurl.Qualifier{Key: "distro", Value: distro})
	}
	if h.hasEpoch && h.epoch > 0 {
		q = append(q, packageurl.Qualifier{Key: "epoch", Value: strconv.FormatInt(h.epoch, 10)})
	}
	if h.sourceRPM != "" {
		q = append(q, packageurl.Qualifier{Key: "upstream", Value: h.sourceRPM})
	}
	q.Normalize()
	return packageurl.NewPackageURL(packageurl.TypeRPM, namespace, p.Name, joinVR(h.version, h.release), q, "").ToString()
}

// purlNamespaces maps os-release IDs to the rpm purl namespaces in use.
var purlNamespaces = map[string]string{
	"rhel":                "redhat",
	"ol":                  "oracle",
	"amzn":                "amazon",
	"sles":                "suse",
	"sled":                "suse",
	"sles_sap":            "suse",
	"sle-micro":           "suse",
	"opensuse-leap":       "opensuse",
	"opensuse-tumbleweed": "opensuse",
	"azurelinux":          "azurelinux",
}

// Qualify completes an rpm package once the OS is known: the package takes
// the OS's ecosystem (Rocky Linux, SUSE, Azure Linux, …; it stays "Red Hat"
// when the OS has none), and the purl gets the distribution as namespace
// ("redhat", "rocky", "suse") and a distro qualifier "<id>-<version id>".
func Qualify(p *model.Package, os *model.OS) {
	if p == nil || os == nil || os.ID == "" {
		return
	}
	if os.Ecosystem != "" {
		p.Ecosystem = os.Ecosystem
	}
	ns := purlNamespaces[os.ID]
	if ns == "" {
		ns = os.ID
	}
	distro := os.ID
	if os.VersionID != "" {
		distro += "-" + os.VersionID
	}
	u, err := packageurl.FromString(p.PURL)
	if err != nil || u.Type != packageurl.TypeRPM {
		return
	}
	u.Namespace = ns
	q := u.Qualifiers[:0:0]
	for _, kv := range u.Qualifiers {
		if kv.Key != "distro" {
			q = append(q, kv)
		}
	}
	q = append(q, packageurl.Qualifier{Key: "distro", Value: distro})
	q.Normalize()
	u.Qualifiers = q
	p.PURL = u.ToString()
}
