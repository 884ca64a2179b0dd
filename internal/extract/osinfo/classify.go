package osinfo

import (
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// debianCodenames maps Debian codenames to release numbers, for
// debian_version files of testing/unstable ("trixie/sid").
var debianCodenames = map[string]string{
	"squeeze": "6", "wheezy": "7", "jessie": "8", "stretch": "9",
	"buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13",
	"forky": "14", "duke": "15",
}

// OSV ecosystems that model does not name.
const (
	ecosystemPhoton model.Ecosystem = "Photon OS" // "Photon OS:3.0"
	ecosystemMageia model.Ecosystem = "Mageia"    // "Mageia:9"
)

// classify sets Ecosystem and Release from ID and VersionID, or Unknown.
func classify(o *model.OS) {
	v := o.VersionID
	switch o.ID {
	case "debian":
		o.Ecosystem = model.EcosystemDebian
		o.Release = major(v)
		if o.Release == "" {
			o.Release = debianCodenames[o.Codename]
		}
	case "ubuntu":
		o.Ecosystem = model.EcosystemUbuntu
		o.Release = ubuntuRelease(v)
	case "alpine":
		o.Ecosystem = model.EcosystemAlpine
		if mm := majorMinor(v); mm != "" {
			o.Release = "v" + mm
		}
	case "rhel", "centos", "scientific":
		o.Ecosystem = model.EcosystemRedHat
		o.Release = major(v)
	case "almalinux":
		o.Ecosystem = model.EcosystemAlmaLinux
		o.Release = major(v)
	case "rocky":
		o.Ecosystem = model.EcosystemRocky
		o.Release = major(v)
	case "ol":
		o.Ecosystem = model.EcosystemOracle
		o.Release = major(v)
	case "amzn":
		o.Ecosystem = model.EcosystemAmazon
		o.Release = v
	case "fedora":
		o.Ecosystem = model.EcosystemFedora
		o.Release = major(v)
	case "mariner", "azurelinux":
		o.Ecosystem = model.EcosystemMariner
		o.Release = major(v)
	case "photon":
		o.Ecosystem = ecosystemPhoton
		o.Release = majorMinor(v)
	case "mageia":
		o.Ecosystem = ecosystemMageia
		o.Release = major(v)
	case "wolfi":
		o.Ecosystem = model.EcosystemWolfi
	case "chainguard":
		o.Ecosystem = model.EcosystemChainguard
	case "sles", "sled", "sles_sap", "sle-micro", "sl-micro":
		o.Ecosystem = model.EcosystemSUSE
		o.Release = suseRelease(o.ID, v)
	case "opensuse-leap", "opensuse-tumbleweed", "opensuse-leap-micro", "opensuse":
		o.Ecosystem = model.EcosystemOpenSUSE
		o.Release = openSUSERelease(o.ID, v)
	}
	if o.Ecosystem == "" {
		o.Unknown = true
	}
}

// ubuntuRelease gives "22.04:LTS" for LTS releases (April of an even year)
// and "24.10" otherwise.
func ubuntuRelease(v string) string {
	mm := majorMinor(v)
	y, m, ok := strings.Cut(mm, ".")
	if !ok || !allDigits(y) || !allDigits(m) {
		return mm
	}
	if m == "04" && (y[len(y)-1]-'0')%2 == 0 {
		return mm + ":LTS"
	}
	return mm
}

// suseRelease names a SUSE product as OSV does:
// "Linux Enterprise Server 15 SP2", "Linux Enterprise Micro 5.5".
func suseRelease(id, v string) string {
	product := map[string]string{
		"sles":      "Linux Enterprise Server",
		"sles_sap":  "Linux Enterprise Server for SAP Applications",
		"sled":      "Linux Enterprise Desktop",
		"sle-micro": "Linux Enterprise Micro",
		"sl-micro":  "Linux Micro",
	}[id]
	if v == "" {
		return product
	}
	if id == "sle-micro" || id == "sl-micro" {
		return product + " " + v
	}
	maj, minor, _ := strings.Cut(v, ".")
	if minor == "" || minor == "0" {
		return product + " " + maj
	}
	return product + " " + maj + " SP" + minor
}

// openSUSERelease gives "Leap 15.2", "Leap Micro 5.5" or "Tumbleweed".
func openSUSERelease(id, v string) string {
	switch id {
	case "opensuse-tumbleweed":
		return "Tumbleweed"
	case "opensuse-leap-micro":
		return strings.TrimSpace("Leap Micro " + v)
	case "opensuse-leap":
		return strings.TrimSpace("Leap " + v)
	}
	return v
}

// major returns the leading numeric component of a version ("9" of "9.0").
func major(v string) string {
	end := 0
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	return v[:end]
}

// majorMinor returns "3.18" of "3.18.4" and of "3.19_alpha20230901".
func majorMinor(v string) string {
	maj := major(v)
	if maj == "" {
		return ""
	}
	rest, ok := strings.CutPrefix(v[len(maj):], ".")
	if !ok {
		return maj
	}
	minor := major(rest)
	if minor == "" {
		return maj
	}
	return maj + "." + minor
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
