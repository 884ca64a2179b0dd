// Package osinfo recognises the operating system of a scanned root from its
// release files: os-release (/etc/os-release, /usr/lib/os-release) first,
// then the distribution's own files (/etc/alpine-release,
// /etc/debian_version, /etc/redhat-release, /etc/system-release,
// /etc/centos-release, /etc/lsb-release, /etc/SuSE-release) and the presence
// of a dpkg database (/var/lib/dpkg/status, or only status.d entries for
// distroless images).
//
// Required tells the walker which paths to collect; Detect turns their
// contents into a model.OS whose Ecosystem and Release name the OSV
// ecosystem of the distribution's packages ("Debian:12", "Ubuntu:22.04:LTS",
// "Alpine:v3.18", "Red Hat:9", "SUSE:Linux Enterprise Server 15 SP2",
// "openSUSE:Leap 15.2"). Releases are the major version for the Red Hat
// family, Fedora, Oracle Linux, Mageia and Azure Linux/CBL-Mariner ("9",
// "36", "8", "2"), the whole VERSION_ID for Amazon Linux ("2", "2023"),
// major.minor for Photon OS ("3.0"), and none for the rolling Wolfi and
// Chainguard. Alpine edge, whose VERSION_ID is the coming release's alpha
// ("3.19_alpha20230901"), is matched as that release ("v3.19"). CentOS
// Linux and Scientific Linux, which OSV does not cover, are matched as the
// Red Hat release they rebuild. Other distributions (Arch, Hummingbird,
// derivatives known only by ID_LIKE) are returned with Unknown set.
//
// osv-scalibr v0.5.3 was evaluated and not used: its extractors are bound to
// its own FS, ScanInput and walker and it adds about 140 modules, while
// vigil's walker streams image layers and offers single files. This code is
// vigil's own; scalibr was read for reference only.
package osinfo
