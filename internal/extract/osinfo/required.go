package osinfo

import "strings"

// Paths of the release files Detect reads.
const (
	PathOSRelease     = "/etc/os-release"
	PathUsrOSRelease  = "/usr/lib/os-release"
	PathAlpineRelease = "/etc/alpine-release"
	PathDebianVersion = "/etc/debian_version"
	PathRedHatRelease = "/etc/redhat-release"
	PathSystemRelease = "/etc/system-release"
	PathCentOSRelease = "/etc/centos-release"
	PathLSBRelease    = "/etc/lsb-release"
	PathSuSERelease   = "/etc/SuSE-release"
	PathDpkgStatus    = "/var/lib/dpkg/status"
	// DirDpkgStatusD holds one status stanza per package on distroless
	// images; only the presence of its entries matters.
	DirDpkgStatusD = "/var/lib/dpkg/status.d/"
)

// MaxFileSize bounds how much of each release file Detect reads; release
// files are a few hundred bytes.
const MaxFileSize = 64 << 10

var releaseFiles = map[string]bool{
	PathOSRelease:     true,
	PathUsrOSRelease:  true,
	PathAlpineRelease: true,
	PathDebianVersion: true,
	PathRedHatRelease: true,
	PathSystemRelease: true,
	PathCentOSRelease: true,
	PathLSBRelease:    true,
	PathSuSERelease:   true,
	PathDpkgStatus:    true,
}

// Required reports whether path (slash-separated, absolute within the
// scanned root) is a file Detect uses. For /var/lib/dpkg/status and the
// status.d entries only existence matters; the walker may pass them with
// empty content.
func Required(path string) bool {
	path = normalize(path)
	if releaseFiles[path] {
		return true
	}
	if name, ok := strings.CutPrefix(path, DirDpkgStatusD); ok {
		return name != "" && !strings.Contains(name, "/")
	}
	return false
}

// normalize gives path a single leading slash.
func normalize(path string) string {
	return "/" + strings.TrimLeft(path, "/")
}
