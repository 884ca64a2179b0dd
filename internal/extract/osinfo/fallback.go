package osinfo

import (
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// fromReleaseFiles recognises a distribution without os-release from its
// own release files.
func fromReleaseFiles(files map[string][]byte) *model.OS {
	if data, ok := files[PathAlpineRelease]; ok {
		if v := firstLine(data); v != "" {
			return &model.OS{ID: "alpine", VersionID: v}
		}
	}
	if data, ok := files[PathLSBRelease]; ok {
		kv := parseKeyValues(data)
		if id := strings.ToLower(kv["DISTRIB_ID"]); id != "" {
			return &model.OS{
				ID:         id,
				VersionID:  kv["DISTRIB_RELEASE"],
				Codename:   kv["DISTRIB_CODENAME"],
				PrettyName: kv["DISTRIB_DESCRIPTION"],
			}
		}
	}
	for _, p := range []string{PathSystemRelease, PathRedHatRelease, PathCentOSRelease} {
		if data, ok := files[p]; ok {
			if o := fromRedHatLine(firstLine(data)); o != nil {
				return o
			}
		}
	}
	if data, ok := files[PathSuSERelease]; ok {
		if o := fromSuSERelease(data); o != nil {
			return o
		}
	}
	if data, ok := files[PathDebianVersion]; ok {
		if line := firstLine(data); line != "" {
			o := &model.OS{ID: "debian"}
			applyDebianVersion(o, line)
			return o
		}
	}
	return nil
}

// applyDebianVersion reads /etc/debian_version: "12.4" on a stable release,
// "trixie/sid" on testing and unstable.
func applyDebianVersion(o *model.OS, line string) {
	if line == "" {
		return
	}
	if major(line) != "" {
		o.VersionID = line
		return
	}
	codename, _, _ := strings.Cut(line, "/")
	if o.Codename == "" {
		o.Codename = strings.ToLower(codename)
	}
}

// redHatNames maps the product names of redhat-release style files to
// os-release IDs, most specific first.
var redHatNames = []struct{ prefix, id string }{
	{"red hat enterprise linux", "rhel"},
	{"centos", "centos"},
	{"rocky linux", "rocky"},
	{"almalinux", "almalinux"},
	{"oracle linux", "ol"},
	{"amazon linux", "amzn"},
	{"fedora", "fedora"},
	{"scientific linux", "scientific"},
}

// fromRedHatLine reads "<Product> release <version> (<codename>)".
func fromRedHatLine(line string) *model.OS {
	lower := strings.ToLower(line)
	for _, n := range redHatNames {
		if !strings.HasPrefix(lower, n.prefix) {
			continue
		}
		o := &model.OS{ID: n.id, PrettyName: line}
		if _, rest, ok := strings.Cut(lower, " release "); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				o.VersionID = f[0]
			}
		}
		return o
	}
	return nil
}

// fromSuSERelease reads the old /etc/SuSE-release: a product line, then
// "VERSION = 12" and "PATCHLEVEL = 3".
func fromSuSERelease(data []byte) *model.OS {
	line := firstLine(data)
	kv := parseKeyValues(data)
	v := kv["VERSION"]
	lower := strings.ToLower(line)
	switch {
	case strings.HasPrefix(lower, "suse linux enterprise server"):
		if pl := kv["PATCHLEVEL"]; pl != "" && pl != "0" {
			v += "." + pl
		}
		return &model.OS{ID: "sles", VersionID: v, PrettyName: line}
	case strings.HasPrefix(lower, "suse linux enterprise desktop"):
		if pl := kv["PATCHLEVEL"]; pl != "" && pl != "0" {
			v += "." + pl
		}
		return &model.OS{ID: "sled", VersionID: v, PrettyName: line}
	case strings.HasPrefix(lower, "opensuse"):
		id := "opensuse"
		if strings.Contains(lower, "leap") {
			id = "opensuse-leap"
		}
		return &model.OS{ID: id, VersionID: v, Codename: kv["CODENAME"], PrettyName: line}
	}
	return nil
}
