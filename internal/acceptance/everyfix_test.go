package acceptance

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The status files and apk databases of the test data touch few of the
// listed packages, so these tests also build one package database per
// release that holds, for every fix line of the lists (every secfixes key),
// the fixed version itself and the version before it: each must be judged
// against every fix of its source package, exactly as the independent
// reading says. Package names are made up; versions and source packages are
// the feeds' own.
//
// By default they cover the newest releases of each feed (Debian 10 and 11,
// Alpine v3.10 and v3.11); VIGIL_ACCEPTANCE_FULL=1 covers every release,
// and -short skips them.

// releases returns all when VIGIL_ACCEPTANCE_FULL is set, else the last n.
func releases(t *testing.T, all []string, n int) []string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the every-fix tests take a few seconds per release")
	}
	if os.Getenv("VIGIL_ACCEPTANCE_FULL") != "" {
		return all
	}
	t.Logf("only %v; set VIGIL_ACCEPTANCE_FULL=1 for %v", all[len(all)-n:], all)
	return all[len(all)-n:]
}

// TestDebianEveryListedFix covers every "[release] - source version" line
// of Debian 7–11 in the DSA and DLA lists (and the <unfixed> and
// <end-of-life> markers). Versions are ordered with dpkg's Dpkg::Version.
func TestDebianEveryListedFix(t *testing.T) {
	needDpkg(t)
	engine(t)
	fixes := trackerFixes(t)
	for _, rel := range releases(t, []string{"debian-7", "debian-8", "debian-9", "debian-10", "debian-11"}, 2) {
		t.Run(rel, func(t *testing.T) {
			osrFile := rel + ".os-release"
			codename := debianCodename(t, osRelease(t, filepath.Join(testdata, "pkgdb", "os-release", osrFile)))
			var b bytes.Buffer
			stanza := func(name, source, srcVer, ver string) {
				fmt.Fprintf(&b, "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nSource: %s (%s)\nVersion: %s\n\n", name, source, srcVer, ver)
			}
			lines, markers := 0, 0
			for i, f := range fixes {
				if f.Release != codename {
					continue
				}
				lines++
				switch {
				case f.Version != "":
					// At the fixed source version, with a binary version of
					// its own below it (as postgresql-client 11+200+deb10u5
					// is built from postgresql-common 200+deb10u5): the
					// source version decides.
					stanza(fmt.Sprintf("%s-fixed-%d", f.Source, i), f.Source, f.Version, "0.1-1")
					l := lowerDpkg(f.Version)
					stanza(fmt.Sprintf("%s-older-%d", f.Source, i), f.Source, l, l)
				case f.Marker == "unfixed" || f.Marker == "end-of-life":
					markers++
					stanza(fmt.Sprintf("%s-marker-%d", f.Source, i), f.Source, "0.0.1-1", "0.0.1-1")
				}
			}
			if lines == 0 {
				t.Fatalf("no fix lines for %s", codename)
			}
			// dpkg states: only installed ones (and those with triggers
			// outstanding) may be reported.
			for i, f := range fixes {
				if f.Release == codename && f.Version != "" {
					for _, st := range []string{"deinstall ok config-files", "install ok half-installed", "install ok unpacked", "install ok half-configured", "install ok triggers-pending", "install ok triggers-awaited", "hold ok installed"} {
						fmt.Fprintf(&b, "Package: %s-state-%d-%s\nStatus: %s\nArchitecture: amd64\nSource: %s\nVersion: 0.0.1-1\n\n",
							f.Source, i, strings.Fields(st)[2], st, f.Source)
					}
					break
				}
			}
			exp, hits := checkDebian(t, quickEngine(t), osrFile, b.Bytes(), fixes, perlDpkgLess)
			fixedReported := 0
			for k := range hits {
				if strings.Contains(k.Package, "-fixed-") {
					fixedReported++
				}
			}
			t.Logf("%s (%s): %d list lines (%d markers), %d packages, %d affected pairs expected, %d reported (%d on packages at a fixed version, affected by later advisories)",
				rel, codename, lines, markers, strings.Count(b.String(), "Package: "), len(exp), len(hits), fixedReported)
		})
	}
}

// TestAlpineEveryListedFix covers every secfixes key of the secdb branches
// v3.3–v3.11.
func TestAlpineEveryListedFix(t *testing.T) {
	engine(t)
	osr := map[string]string{
		"v3.3": "alpine-3.3.3", "v3.4": "alpine-3.4.6", "v3.5": "alpine-3.5.3", "v3.6": "alpine-3.6.5",
		"v3.7": "alpine-3.7.3", "v3.8": "alpine-3.8.5", "v3.9": "alpine-3.9.6", "v3.10": "alpine-3.10.9",
		"v3.11": "alpine-3.11.6",
	}
	for _, branch := range releases(t, []string{"v3.3", "v3.4", "v3.5", "v3.6", "v3.7", "v3.8", "v3.9", "v3.10", "v3.11"}, 2) {
		t.Run(branch, func(t *testing.T) {
			var b bytes.Buffer
			entry := func(name, origin, ver string) {
				fmt.Fprintf(&b, "P:%s\nV:%s\nA:x86_64\no:%s\n\n", name, ver, origin)
			}
			seen := map[[2]string]bool{}
			for _, f := range secdbFixes(t, branch) {
				k := [2]string{f.Origin, f.Fixed}
				if seen[k] {
					continue
				}
				seen[k] = true
				n := len(seen)
				entry(fmt.Sprintf("%s-fixed-%d", f.Origin, n), f.Origin, f.Fixed)
				if l := lowerAPK(f.Fixed); l != "" {
					entry(fmt.Sprintf("%s-older-%d", f.Origin, n), f.Origin, l)
				}
			}
			exp, hits := checkAlpine(t, quickEngine(t), osr[branch]+".os-release", b.Bytes())
			t.Logf("%s: %d fixed versions, %d packages, %d affected pairs expected, %d reported",
				branch, len(seen), strings.Count(b.String(), "P:"), len(exp), len(hits))
		})
	}
}
