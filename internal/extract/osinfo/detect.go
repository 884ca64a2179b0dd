package osinfo

import (
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// Detect returns the operating system described by files, whose keys are
// the paths Required accepted and whose values are their contents (empty
// content is fine for the dpkg database paths). It returns nil when the
// files describe no operating system at all, and an OS with Unknown set when
// a distribution is present but not one vigil matches.
func Detect(files map[string][]byte) *model.OS {
	norm := make(map[string][]byte, len(files))
	hasStatus, hasStatusD := false, false
	for k, v := range files {
		k = normalize(k)
		norm[k] = v
		switch {
		case k == PathDpkgStatus:
			hasStatus = true
		case strings.HasPrefix(k, DirDpkgStatusD) && len(k) > len(DirDpkgStatusD):
			hasStatusD = true
		}
	}

	o := fromOSRelease(norm)
	if o == nil {
		o = fromReleaseFiles(norm)
	}
	if o == nil && (hasStatus || hasStatusD) {
		o = &model.OS{}
	}
	if o == nil {
		return nil
	}
	if o.ID == "debian" && o.VersionID == "" {
		if data, ok := norm[PathDebianVersion]; ok {
			applyDebianVersion(o, firstLine(data))
		}
	}
	o.Distroless = hasStatusD && !hasStatus
	classify(o)
	return o
}

// fromOSRelease reads /etc/os-release, falling back to /usr/lib/os-release.
func fromOSRelease(files map[string][]byte) *model.OS {
	for _, p := range []string{PathOSRelease, PathUsrOSRelease} {
		data, ok := files[p]
		if !ok {
			continue
		}
		kv := parseKeyValues(data)
		if kv["ID"] == "" {
			continue
		}
		o := &model.OS{
			ID:         strings.ToLower(kv["ID"]),
			VersionID:  kv["VERSION_ID"],
			Codename:   kv["VERSION_CODENAME"],
			PrettyName: kv["PRETTY_NAME"],
		}
		if o.Codename == "" {
			o.Codename = kv["UBUNTU_CODENAME"]
		}
		if o.Codename == "" {
			o.Codename = codenameFromVersion(o.ID, kv["VERSION"])
		}
		return o
	}
	return nil
}

// codenameFromVersion takes the codename from os-release's VERSION for
// Debian ("10 (buster)", "Debian GNU/Linux 10 (buster)") and Ubuntu
// ("16.04.7 LTS (Xenial Xerus)", "12.04.5 LTS, Precise Pangolin"), whose
// older releases have no VERSION_CODENAME.
func codenameFromVersion(id, version string) string {
	var part string
	switch id {
	case "debian", "ubuntu":
	default:
		return ""
	}
	if i := strings.IndexByte(version, '('); i >= 0 {
		part = strings.TrimSuffix(version[i+1:], ")")
	} else if i := strings.IndexByte(version, ','); i >= 0 && id == "ubuntu" {
		part = version[i+1:]
	}
	fields := strings.Fields(part)
	if len(fields) == 0 {
		return ""
	}
	return strings.ToLower(fields[0])
}
