package acceptance

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/version"
)

// This file is the test's own reading of the Alpine data, independent of
// internal/advisory/alpine and internal/extract/apk: a reader of secdb JSON
// files and of /lib/apk/db/installed. apk-tools is not available on this
// machine (nor packaged for Debian), so versions are ordered with
// internal/version's APK scheme, a port of apk-tools' apk_version_compare
// tested against apk-tools' own cases.

// apkFix is one (origin package, fixed version, issue) of a secdb file.
type apkFix struct {
	Origin, Fixed, Issue string
}

type secdbFile struct {
	DistroVersion string `json:"distroversion"`
	Packages      []struct {
		Pkg struct {
			Name     string              `json:"name"`
			Secfixes map[string][]string `json:"secfixes"`
		} `json:"pkg"`
	} `json:"packages"`
}

var (
	secdbCVE   = regexp.MustCompile(`^CVE[-_](\d{4})-(\d+)`)
	secdbOther = regexp.MustCompile(`^[A-Za-z]+(-[A-Za-z]+)*-\d[0-9-]*$`) // XSA-207, TALOS-2017-0488, wnpa-sec-2017-18
)

// issueID is the advisory id an entry stands for: its first word, a CVE id
// cut to CVE-YYYY-NNNN; "" when the first word is no advisory id.
func issueID(entry string) string {
	w := strings.Fields(entry)
	if len(w) == 0 {
		return ""
	}
	if m := secdbCVE.FindStringSubmatch(w[0]); m != nil {
		return fmt.Sprintf("CVE-%s-%s", m[1], m[2])
	}
	if secdbOther.MatchString(w[0]) {
		return w[0]
	}
	return ""
}

// secdbFixes reads main.json and community.json of one branch ("v3.11").
// The key "0" (never affected) is left out.
func secdbFixes(t *testing.T, branch string) []apkFix {
	t.Helper()
	var out []apkFix
	for _, repo := range []string{"main", "community"} {
		var f secdbFile
		if err := json.Unmarshal(readFile(t, filepath.Join(testdata, "alpine-secdb", branch, repo+".json")), &f); err != nil {
			t.Fatal(err)
		}
		if f.DistroVersion != branch {
			t.Fatalf("%s/%s.json: distroversion %q", branch, repo, f.DistroVersion)
		}
		for _, p := range f.Packages {
			for fixed, issues := range p.Pkg.Secfixes {
				if fixed == "0" {
					continue
				}
				for _, e := range issues {
					if id := issueID(e); id != "" {
						out = append(out, apkFix{Origin: p.Pkg.Name, Fixed: fixed, Issue: id})
					}
				}
			}
		}
	}
	return out
}

// apkPkg is one entry of /lib/apk/db/installed.
type apkPkg struct{ Name, Version, Origin string }

// readAPKInstalled parses an installed database: entries separated by blank
// lines, "P:" name, "V:" version, "o:" origin (the name when absent).
func readAPKInstalled(data []byte) []apkPkg {
	var out []apkPkg
	for _, entry := range strings.Split(string(data), "\n\n") {
		var p apkPkg
		for _, l := range strings.Split(entry, "\n") {
			switch {
			case strings.HasPrefix(l, "P:"):
				p.Name = l[2:]
			case strings.HasPrefix(l, "V:"):
				p.Version = l[2:]
			case strings.HasPrefix(l, "o:"):
				p.Origin = l[2:]
			}
		}
		if p.Name == "" {
			continue
		}
		if p.Origin == "" {
			p.Origin = p.Name
		}
		out = append(out, p)
	}
	return out
}

// apkExpect is why a pair is expected: the origin, the highest fixed
// version (the first that is not affected) and every fixed version of the
// issue above the installed one (a secdb may list an issue under several
// versions of a package, each an OSV range of its own).
type apkExpect struct {
	Origin, Fixed string
	Above         []string
}

// expectAlpine computes which installed packages the branch's secfixes
// affect: those whose version is below a fixed version of their origin.
// Keys use the issue id; vigil's records are "ALPINE-" + issue id.
func expectAlpine(t *testing.T, pkgs []apkPkg, fixes []apkFix) map[pkgAdv]apkExpect {
	t.Helper()
	byOrigin := map[string][]apkFix{}
	for _, f := range fixes {
		byOrigin[f.Origin] = append(byOrigin[f.Origin], f)
	}
	out := map[pkgAdv]apkExpect{}
	for _, p := range pkgs {
		for _, f := range byOrigin[p.Origin] {
			c, err := version.Compare(version.APK, p.Version, f.Fixed)
			if err != nil {
				t.Fatalf("compare %q %q: %v", p.Version, f.Fixed, err)
			}
			if c < 0 {
				k := pkgAdv{p.Name, f.Issue}
				e, ok := out[k]
				if c2, _ := version.Compare(version.APK, e.Fixed, f.Fixed); !ok || c2 < 0 {
					e.Origin, e.Fixed = p.Origin, f.Fixed
				}
				e.Above = append(e.Above, f.Fixed)
				out[k] = e
			}
		}
	}
	return out
}
