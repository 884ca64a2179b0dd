package java

import (
	"bufio"
	"bytes"
	"path"
	"strings"
	"unicode"

	"github.com/vigilsec/vigil/internal/model"
)

// pomProperties holds the coordinates of a pom.properties file.
type pomProperties struct {
	group, artifact, version string
}

// parsePomProperties reads groupId, artifactId and version from a Java
// properties file (key=value or key:value, # and ! comments).
func parsePomProperties(b []byte) (pomProperties, bool) {
	var pp pomProperties
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), maxMetaSize)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i < 0 {
			continue
		}
		k, v := strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:])
		switch k {
		case "groupId":
			pp.group = v
		case "artifactId":
			pp.artifact = v
		case "version":
			pp.version = v
		}
	}
	ok := validCoord(pp.group) && validCoord(pp.artifact) && validCoord(pp.version)
	return pp, ok
}

// parseManifest reads the main section of a MANIFEST.MF: "Key: value"
// lines, continuation lines starting with one space, ending at the first
// blank line.
func parseManifest(b []byte) map[string]string {
	m := map[string]string{}
	last := ""
	for _, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimRight(raw, "\r")
		if line == "" {
			break
		}
		if line[0] == ' ' {
			if last != "" {
				m[last] += line[1:]
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			last = ""
			continue
		}
		last = strings.TrimSpace(k)
		m[last] = strings.TrimSpace(v)
	}
	return m
}

// identify returns the packages an archive declares about itself, from the
// most confident source available (see the package documentation).
func identify(props []pomProperties, manifest map[string]string, archivePath string) []model.Package {
	var out []model.Package
	seen := map[pomProperties]bool{}
	for _, pp := range props {
		if seen[pp] {
			continue
		}
		seen[pp] = true
		out = append(out, newPackage(pp.group, pp.artifact, pp.version, model.ManagerJar))
	}
	if len(out) > 0 {
		return out
	}
	fileArtifact, fileVersion := splitFileName(archivePath)
	if g, a, v, ok := fromManifest(manifest, fileArtifact); ok {
		return []model.Package{newPackage(g, a, v, model.ManagerJar)}
	}
	if validCoord(fileArtifact) && validCoord(fileVersion) {
		return []model.Package{newPackage("", fileArtifact, fileVersion, model.ManagerJar)}
	}
	return nil
}

// fromManifest derives coordinates from manifest headers; fileArtifact is
// the artifact read from the file name, or "".
func fromManifest(m map[string]string, fileArtifact string) (group, artifact, version string, ok bool) {
	if len(m) == 0 {
		return "", "", "", false
	}
	for _, k := range []string{"Implementation-Version", "Bundle-Version", "Specification-Version"} {
		if v := m[k]; validCoord(v) {
			version = v
			break
		}
	}
	if version == "" {
		return "", "", "", false
	}
	bsn, _, _ := strings.Cut(m["Bundle-SymbolicName"], ";")
	bsn = strings.TrimSpace(bsn)
	group = m["Implementation-Vendor-Id"]
	if !validCoord(group) {
		group = ""
	}
	switch {
	case group != "" && strings.HasPrefix(bsn, group+".") && validCoord(bsn[len(group)+1:]):
		artifact = bsn[len(group)+1:]
	case fileArtifact != "":
		artifact = fileArtifact
		if group == "" && strings.HasSuffix(bsn, "."+fileArtifact) {
			group = strings.TrimSuffix(bsn, "."+fileArtifact)
		}
	case validCoord(m["Implementation-Title"]):
		artifact = m["Implementation-Title"]
	}
	if !validCoord(artifact) || (group != "" && !validCoord(group)) {
		return "", "", "", false
	}
	return group, artifact, version, true
}

// splitFileName splits "name-1.2.3.jar" at the first '-' followed by a
// digit: ("name", "1.2.3"). Either part may be empty.
func splitFileName(p string) (artifact, version string) {
	// The last element of a nested path "/a.war!/WEB-INF/lib/x-1.jar".
	base := path.Base(p[strings.LastIndex(p, "!")+1:])
	base = strings.TrimSuffix(base, path.Ext(base))
	for i := 0; i+1 < len(base); i++ {
		if base[i] == '-' && unicode.IsDigit(rune(base[i+1])) {
			return base[:i], base[i+1:]
		}
	}
	return base, ""
}
