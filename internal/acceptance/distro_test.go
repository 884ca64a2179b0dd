package acceptance

import (
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
)

const (
	dpkgStatusPath   = "var/lib/dpkg/status"
	apkInstalledPath = "lib/apk/db/installed"
)

// hit is one (package, advisory) vigil reported from a distro feed.
type hit struct {
	Pkg  model.Package
	Vuln model.Vulnerability
	Ev   model.Evidence
}

// distroHits collects the evidence of distro records (ecosystem
// "Debian:…" or "Alpine:…"). Alpine record ids ("ALPINE-CVE-…") are keyed
// by their issue id, as the test's own secdb reader names them.
func distroHits(t *testing.T, ms []model.Match) map[pkgAdv]hit {
	t.Helper()
	out := map[pkgAdv]hit{}
	for _, m := range ms {
		for _, v := range m.Vulnerabilities {
			for _, ev := range v.Evidence {
				if !strings.HasPrefix(ev.Ecosystem, "Debian:") && !strings.HasPrefix(ev.Ecosystem, "Alpine:") {
					t.Errorf("%s: evidence from a feed that was not imported: %+v", m.Package.Name, ev)
					continue
				}
				k := pkgAdv{m.Package.Name, strings.TrimPrefix(ev.Advisory, "ALPINE-")}
				if _, dup := out[k]; dup {
					t.Errorf("%s reported twice for %s", k.Package, ev.Advisory)
				}
				out[k] = hit{Pkg: m.Package, Vuln: v, Ev: ev}
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[pkgAdv]V) []pkgAdv {
	ks := slices.Collect(maps.Keys(m))
	sort.Slice(ks, func(i, j int) bool {
		if ks[i].Package != ks[j].Package {
			return ks[i].Package < ks[j].Package
		}
		return ks[i].Advisory < ks[j].Advisory
	})
	return ks
}

// debianCase is one real dpkg status file and the release it belongs to.
type debianCase struct {
	status    string // file in pkgdb/dpkg/status
	osRelease string // file in pkgdb/os-release
	why       string
}

// debianCases assigns every status file of the test data to a release.
var debianCases = []debianCase{
	{"debian-10-postgresql.status", "debian-10.os-release",
		"versions 200+deb10u5 and 11.22-0+deb10u2 (+deb10uN: a buster update); SOURCES.md: Debian 10 (buster)"},
	{"syft-image-pkg-coverage.status", "debian-10.os-release",
		"apt 1.8.2 is the apt release of buster"},
	{"debian-small.status", "debian-12.os-release",
		"adduser 3.131, util-linux 2.38.1-5+b1, accountsservice 22.08.8-6 are bookworm's versions"},
	{"ubuntu-18.04-base.status", "ubuntu-18.04.os-release",
		"versions …ubuntu…18.04; SOURCES.md: Ubuntu 18.04 base image"},
	{"ubuntu-18.04-texlive.status", "ubuntu-18.04.os-release",
		"versions …ubuntu…18.04; SOURCES.md: Ubuntu 18.04 (bionic)"},
}

func debianRoot(t *testing.T, osReleaseFile string, status []byte) string {
	t.Helper()
	return makeRoot(t, map[string][]byte{
		"etc/os-release": readFile(t, filepath.Join(testdata, "pkgdb", "os-release", osReleaseFile)),
		dpkgStatusPath:   status,
	})
}

// checkDebian scans a root holding status under the given os-release and
// compares vigil's distro findings with the independent expectation. It
// returns both for further checks.
func checkDebian(t *testing.T, e *scan.Engine, osReleaseFile string, status []byte, fixes []debFix, less comparator) (map[pkgAdv]debExpect, map[pkgAdv]hit) {
	t.Helper()
	return checkDebianRoot(t, e, debianRoot(t, osReleaseFile, status), fixes, less)
}

// checkDebianRoot scans a root file system with a dpkg status file and
// compares vigil's distro findings with the independent expectation.
func checkDebianRoot(t *testing.T, e *scan.Engine, root string, fixes []debFix, less comparator) (map[pkgAdv]debExpect, map[pkgAdv]hit) {
	t.Helper()
	inv, ms := scanRoot(t, e, root)
	pkgs := rootDpkgPackages(t, root)
	osr := osRelease(t, inRoot(t, root, "etc/os-release"))

	// The inventory holds exactly the installed packages.
	var want, got []string
	for _, p := range pkgs {
		if p.Installed() {
			want = append(want, p.Package+" "+p.Version)
		}
	}
	for _, p := range inv.Packages {
		if strings.HasPrefix(p.Path, "/"+dpkgStatusPath) { // status and status.d/
			got = append(got, p.Name+" "+p.Version)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("installed packages (-status file +inventory):\n%s", d)
	}

	if inv.OS == nil || !strings.EqualFold(string(inv.OS.Ecosystem), osr["ID"]) {
		t.Errorf("detected OS %+v, want ecosystem %s", inv.OS, osr["ID"])
	} else if osr["ID"] == "debian" && inv.OS.Release != osr["VERSION_ID"] {
		t.Errorf("detected release %q, want %q", inv.OS.Release, osr["VERSION_ID"])
	}
	expected := map[pkgAdv]debExpect{}
	ecosystem := ""
	if osr["ID"] == "debian" {
		expected = expectDebian(t, pkgs, fixes, debianCodename(t, osr), less)
		ecosystem = "Debian:" + osr["VERSION_ID"]
	} // other distributions (Ubuntu): the Debian lists do not apply
	hits := distroHits(t, ms)
	if d := cmp.Diff(sortedKeys(expected), sortedKeys(hits)); d != "" {
		t.Errorf("(package, advisory) pairs (-expected by the lists and dpkg +reported by vigil):\n%s", d)
	}
	for k, h := range hits {
		e, ok := expected[k]
		if !ok {
			continue
		}
		if h.Ev.Ecosystem != ecosystem || h.Ev.Package != e.Source || h.Ev.Version != e.SourceVersion {
			t.Errorf("%v: evidence %+v, want ecosystem %s, source %s %s", k, h.Ev, ecosystem, e.Source, e.SourceVersion)
		}
		if e.Fixed != "" && !strings.Contains(h.Ev.Range, e.Fixed) {
			t.Errorf("%v: evidence range %q does not name the fixed version %s", k, h.Ev.Range, e.Fixed)
		}
	}
	checkDebianFixedIn(t, expected, hits, less)
	return expected, hits
}

// checkDebianFixedIn checks each reported vulnerability's fixed version: a
// vulnerability may merge several records (DSA and DLA sharing CVE ids); the
// package stops being affected only at the highest of their fixed versions,
// and has no fix when one of them has none.
func checkDebianFixedIn(t *testing.T, expected map[pkgAdv]debExpect, hits map[pkgAdv]hit, less comparator) {
	t.Helper()
	type vulnKey struct{ Package, ID string }
	fixedOf := map[vulnKey][]string{}
	noFix := map[vulnKey]bool{}
	got := map[vulnKey]*string{}
	var pairs [][2]string
	for k, h := range hits {
		e, ok := expected[k]
		if !ok {
			continue
		}
		vk := vulnKey{k.Package, h.Vuln.ID}
		got[vk] = h.Vuln.FixedIn
		if e.Fixed == "" {
			noFix[vk] = true
			continue
		}
		for _, f := range fixedOf[vk] {
			pairs = append(pairs, [2]string{f, e.Fixed}, [2]string{e.Fixed, f})
		}
		fixedOf[vk] = append(fixedOf[vk], e.Fixed)
	}
	lt := less(t, pairs)
	merged := 0
	for vk, fs := range fixedOf {
		want := fs[0]
		for _, f := range fs[1:] {
			if lt[[2]string{want, f}] {
				want = f
			}
		}
		if len(fs) > 1 {
			merged++
		}
		if noFix[vk] {
			if got[vk] != nil {
				t.Errorf("%v: fixedIn %s, want none (a merged record has no fix)", vk, *got[vk])
			}
			continue
		}
		if got[vk] == nil || *got[vk] != want {
			t.Errorf("%v: fixedIn %s, want %s (the highest of %v)", vk, deref(got[vk]), want, fs)
		}
	}
	if merged > 0 {
		t.Logf("%d vulnerabilities merge records with different fixed versions", merged)
	}
}

// TestDebianStatusFiles scans every real dpkg status file of the test data
// under the os-release of its release and checks that vigil reports exactly
// the (package, DSA/DLA) pairs that the tracker lists and dpkg's version
// comparison say are affected.
func TestDebianStatusFiles(t *testing.T) {
	needDpkg(t)
	engine(t)
	dir := filepath.Join(testdata, "pkgdb", "dpkg", "status")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files, cases []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	for _, c := range debianCases {
		cases = append(cases, c.status)
	}
	slices.Sort(cases)
	if d := cmp.Diff(files, cases); d != "" {
		t.Errorf("status files without a release assigned (-files +cases):\n%s", d)
	}
	fixes := trackerFixes(t)
	total := 0
	for _, c := range debianCases {
		t.Run(c.status, func(t *testing.T) {
			exp, _ := checkDebian(t, engine(t), c.osRelease, readFile(t, filepath.Join(dir, c.status)), fixes, dpkgLess)
			t.Logf("%s as %s (%s): %d affected (package, advisory) pairs", c.status, c.osRelease, c.why, len(exp))
			total += len(exp)
		})
	}
	t.Logf("%d affected pairs over %d status files", total, len(debianCases))
}

// lowerDpkg returns a version just below fixed for dpkg: the last number
// decreased by one when it is positive ("200+deb10u3" → "200+deb10u2"),
// else fixed + "~" (dpkg sorts "~" before the end of the string).
func lowerDpkg(fixed string) string {
	i := len(fixed)
	for i > 0 && fixed[i-1] >= '0' && fixed[i-1] <= '9' {
		i--
	}
	if n, err := strconv.Atoi(fixed[i:]); err == nil && n > 0 {
		return fixed[:i] + strconv.Itoa(n-1)
	}
	return fixed + "~"
}

// setStanzaField replaces field of the stanza of package pkg in a dpkg
// status file or apk database (field "Version: " or "V:").
func setStanzaField(t *testing.T, data []byte, nameLine, field, value string) []byte {
	t.Helper()
	stanzas := strings.Split(string(data), "\n\n")
	n := 0
	for i, s := range stanzas {
		lines := strings.Split(s, "\n")
		if !slices.Contains(lines, nameLine) {
			continue
		}
		for j, l := range lines {
			if strings.HasPrefix(l, field) {
				lines[j] = field + value
				n++
			}
		}
		stanzas[i] = strings.Join(lines, "\n")
	}
	if n != 1 {
		t.Fatalf("%d %q fields changed for %q, want 1", n, field, nameLine)
	}
	return []byte(strings.Join(stanzas, "\n\n"))
}

// TestDebianBackportedFixIsNotReported picks, from the real buster status
// file, an installed binary package of another source package whose
// version is at or above a fixed version of that source in the lists (a
// fixed backport: must not be reported), then lowers it below that fix in a
// copy of the file: the older version must be reported, matched through the
// source package, with the fixed version in the evidence.
func TestDebianBackportedFixIsNotReported(t *testing.T) {
	needDpkg(t)
	engine(t)
	bp := debianBackport(t)
	_, hits := checkDebian(t, engine(t), bp.osRelease, bp.status, bp.fixes, dpkgLess)
	if h, ok := hits[pkgAdv{bp.pick.Package, bp.fix.Advisory}]; ok {
		t.Errorf("%s %s reported for %s although the fixed version %s is installed: %+v", bp.pick.Package, bp.pick.Version, bp.fix.Advisory, bp.fix.Version, h.Ev)
	}

	exp, hits := checkDebian(t, engine(t), bp.osRelease, bp.lowered, bp.fixes, dpkgLess)
	k := pkgAdv{bp.pick.Package, bp.fix.Advisory}
	if _, ok := exp[k]; !ok {
		t.Fatalf("independent expectation does not hold %v", k)
	}
	h, ok := hits[k]
	if !ok {
		t.Fatalf("%s %s (below the fixed %s) not reported for %s", bp.pick.Package, bp.lower, bp.fix.Version, bp.fix.Advisory)
	}
	t.Logf("lowered to %s: reported as %s, fixedIn %v, evidence %+v", bp.lower, h.Vuln.ID, deref(h.Vuln.FixedIn), h.Ev)
	if h.Ev.MatchedBy != "source" || h.Ev.Package != bp.pick.Source || h.Ev.Version != bp.lower {
		t.Errorf("evidence %+v, want matchedBy source, package %s, version %s", h.Ev, bp.pick.Source, bp.lower)
	}
	if h.Vuln.FixState != model.FixStateFixed || h.Vuln.FixedIn == nil || *h.Vuln.FixedIn != bp.fix.Version {
		t.Errorf("fixState %s fixedIn %v, want fixed in %s", h.Vuln.FixState, deref(h.Vuln.FixedIn), bp.fix.Version)
	}
}

// backport is a real status file with a package at or above a fixed
// version of its source, and a copy with that package lowered below it.
type backport struct {
	osRelease       string
	status, lowered []byte
	fixes           []debFix
	pick            dpkgPkg
	fix             debFix
	lower           string
}

// debianBackport picks the package from the buster status file: a binary
// package of another source, whose source version is its version (so
// lowering Version lowers the source version), with a version line of the
// release for that source at or below the installed version (the highest
// such line). The lowered version is the highest earlier fixed version of
// the list (a version that was really shipped), else one made just below.
func debianBackport(t *testing.T) backport {
	t.Helper()
	c := debianCases[0]
	bp := backport{osRelease: c.osRelease, fixes: trackerFixes(t)}
	bp.status = readFile(t, filepath.Join(testdata, "pkgdb", "dpkg", "status", c.status))
	codename := debianCodename(t, osRelease(t, filepath.Join(testdata, "pkgdb", "os-release", c.osRelease)))
	var older []string // the source's fixed versions of the release below fix
	for _, p := range readDpkgStatus(t, bp.status) {
		if !p.Installed() || p.Source == p.Package || p.SourceVersion != p.Version {
			continue
		}
		var all []string
		for _, f := range bp.fixes {
			if f.Release != codename || f.Source != p.Source || f.Version == "" {
				continue
			}
			all = append(all, f.Version)
			if !dpkgLT(t, p.Version, f.Version) && (bp.fix.Version == "" || dpkgLT(t, bp.fix.Version, f.Version)) {
				bp.pick, bp.fix = p, f
			}
		}
		if bp.fix.Version != "" {
			for _, v := range all {
				if dpkgLT(t, v, bp.fix.Version) {
					older = append(older, v)
				}
			}
			break
		}
	}
	if bp.fix.Version == "" {
		t.Fatalf("%s: no installed package with a fixed version of its source at or below it", c.status)
	}
	t.Logf("%s %s (source %s) is at or above %s's fixed version %s in %s", bp.pick.Package, bp.pick.Version, bp.pick.Source, bp.fix.Advisory, bp.fix.Version, codename)
	for _, v := range older {
		if bp.lower == "" || dpkgLT(t, bp.lower, v) {
			bp.lower = v
		}
	}
	if bp.lower == "" {
		bp.lower = lowerDpkg(bp.fix.Version)
	}
	if !dpkgLT(t, bp.lower, bp.fix.Version) {
		t.Fatalf("dpkg says %s is not below %s", bp.lower, bp.fix.Version)
	}
	bp.lowered = setStanzaField(t, bp.status, "Package: "+bp.pick.Package, "Version: ", bp.lower)
	return bp
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// inRoot resolves a slash path inside root, following symbolic links
// (absolute ones relative to root, as in an image: etc/os-release is often a
// link to /usr/lib/os-release).
func inRoot(t *testing.T, root, p string) string {
	t.Helper()
	for range 16 {
		full := filepath.Join(root, filepath.FromSlash(p))
		fi, err := os.Lstat(full)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			return full
		}
		target, err := os.Readlink(full)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(target, "/") {
			p = target
		} else {
			p = path.Join(path.Dir(p), target)
		}
	}
	t.Fatalf("%s: too many links", p)
	return ""
}

// rootDpkgPackages reads the dpkg database of a root: var/lib/dpkg/status
// and the distroless var/lib/dpkg/status.d/<package> files, whose stanzas
// count as installed when they have no Status.
func rootDpkgPackages(t *testing.T, root string) []dpkgPkg {
	t.Helper()
	var out []dpkgPkg
	if _, err := os.Stat(filepath.Join(root, dpkgStatusPath)); err == nil {
		out = readDpkgStatus(t, readFile(t, inRoot(t, root, dpkgStatusPath)))
	}
	entries, _ := os.ReadDir(filepath.Join(root, dpkgStatusPath+".d"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || strings.HasSuffix(e.Name(), ".md5sums") || e.IsDir() {
			continue
		}
		for _, p := range readDpkgStatus(t, readFile(t, filepath.Join(root, dpkgStatusPath+".d", e.Name()))) {
			if p.Status == "" {
				p.Status = "install ok installed"
			}
			out = append(out, p)
		}
	}
	return out
}

// TestDebianDistrolessStatusD scans the distroless-style status.d folders
// of the test data whose packages belong to one release.
func TestDebianDistrolessStatusD(t *testing.T) {
	needDpkg(t)
	engine(t)
	fixes := trackerFixes(t)
	for _, c := range []struct{ dir, osRelease, why string }{
		{"distroless-debian", "debian-11-distroless.os-release", "libsqlite3-0 3.34.1-3 is bullseye's"},
		{"image-pkg-coverage", "debian-9-distroless.os-release", "dash 0.5.8-2.4 and netbase 5.4 are stretch's"},
	} {
		t.Run(c.dir, func(t *testing.T) {
			files := map[string][]byte{
				"etc/os-release": readFile(t, filepath.Join(testdata, "pkgdb", "os-release", c.osRelease)),
			}
			src := filepath.Join(testdata, "pkgdb", "dpkg", "status.d", c.dir)
			entries, err := os.ReadDir(src)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				files[dpkgStatusPath+".d/"+e.Name()] = readFile(t, filepath.Join(src, e.Name()))
			}
			exp, _ := checkDebianRoot(t, engine(t), makeRoot(t, files), fixes, dpkgLess)
			t.Logf("%s as %s (%s): %d affected pairs", c.dir, c.osRelease, c.why, len(exp))
		})
	}
}
