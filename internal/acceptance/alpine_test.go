package acceptance

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
	"github.com/vigilsec/vigil/internal/version"
)

// alpineCase is one real apk database and the release it belongs to.
type alpineCase struct {
	installed string // file in pkgdb/apk
	osRelease string // file in pkgdb/os-release
	why       string
}

// alpineCases assigns every apk database of the test data to a release.
// Only the first is a branch the secdb (v3.3–v3.11) covers.
var alpineCases = []alpineCase{
	{"installed.syft-image-pkg-coverage", "alpine-3.11.6.os-release",
		"musl 1.1.24-r2 and libc-utils 0.7.2-r0 are Alpine 3.11's"},
	{"installed.syft-multiple-2", "alpine-3.16.0.os-release",
		"openssl 1.1.1q-r0, busybox 1.35.0-r17, musl 1.2.3-r0 are Alpine 3.16's"},
	{"installed.scalibr", "alpine-3.18.4.os-release",
		"openssl 3.1.0-r4, busybox 1.36.0-r9, musl 1.2.4-r0, apk-tools 2.14.0-r0 are Alpine 3.18's"},
	{"installed.syft-multiple-1", "alpine-3.19_alpha20230901.os-release",
		"bash 5.2.21-r0, musl 1.2.4_git20230717-r4 are Alpine 3.19's (the only 3.19 os-release of the test data is an alpha)"},
}

// alpineBranch is the secdb branch of an os-release VERSION_ID: "v3.11"
// for "3.11.6".
func alpineBranch(versionID string) string {
	parts := strings.SplitN(versionID, ".", 3)
	if len(parts) < 2 {
		return ""
	}
	minor := parts[1]
	if i := strings.IndexFunc(minor, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minor = minor[:i]
	}
	return "v" + parts[0] + "." + minor
}

// checkAlpine scans a root holding the apk database under the given
// os-release and compares vigil's distro findings with the independent
// expectation from the secdb of the branch.
func checkAlpine(t *testing.T, e *scan.Engine, osReleaseFile string, installed []byte) (map[pkgAdv]apkExpect, map[pkgAdv]hit) {
	t.Helper()
	osrPath := filepath.Join(testdata, "pkgdb", "os-release", osReleaseFile)
	root := makeRoot(t, map[string][]byte{
		"etc/os-release": readFile(t, osrPath),
		apkInstalledPath: installed,
	})
	inv, ms := scanRoot(t, e, root)
	pkgs := readAPKInstalled(installed)

	var want, got []string
	for _, p := range pkgs {
		want = append(want, p.Name+" "+p.Version+" "+p.Origin)
	}
	for _, p := range inv.Packages {
		if p.Path == "/"+apkInstalledPath {
			src := p.SourceName
			if src == "" {
				src = p.Name
			}
			got = append(got, p.Name+" "+p.Version+" "+src)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("installed packages (-database +inventory):\n%s", d)
	}

	branch := alpineBranch(osRelease(t, osrPath)["VERSION_ID"])
	if inv.OS == nil || inv.OS.Ecosystem != "Alpine" || inv.OS.Release != branch {
		t.Errorf("detected OS %+v, want Alpine %s", inv.OS, branch)
	}
	expected := map[pkgAdv]apkExpect{}
	if _, err := os.Stat(filepath.Join(testdata, "alpine-secdb", branch)); err == nil {
		expected = expectAlpine(t, pkgs, secdbFixes(t, branch))
	}
	hits := distroHits(t, ms)
	multi := 0
	defer func() {
		if multi > 0 {
			t.Logf("%d pairs are affected through more than one fixed version of the same issue", multi)
		}
	}()
	if d := cmp.Diff(sortedKeys(expected), sortedKeys(hits)); d != "" {
		t.Errorf("(package, issue) pairs (-expected by the secdb +reported by vigil):\n%s", d)
	}
	for k, h := range hits {
		e, ok := expected[k]
		if !ok {
			continue
		}
		if h.Ev.Ecosystem != "Alpine:"+branch || h.Ev.Package != e.Origin {
			t.Errorf("%v: evidence %+v, want ecosystem Alpine:%s, origin %s", k, h.Ev, branch, e.Origin)
		}
		if !slices.ContainsFunc(e.Above, func(f string) bool { return strings.Contains(h.Ev.Range, "fixed "+f+")") }) {
			t.Errorf("%v: evidence range %q names none of the fixed versions %v", k, h.Ev.Range, e.Above)
		}
		if h.Vuln.FixedIn == nil || *h.Vuln.FixedIn != e.Fixed || h.Vuln.FixState != model.FixStateFixed {
			t.Errorf("%v: fixState %s fixedIn %s, want fixed in %s", k, h.Vuln.FixState, deref(h.Vuln.FixedIn), e.Fixed)
		}
		if len(e.Above) > 1 {
			multi++
		}
	}
	return expected, hits
}

// TestAlpineDatabases scans every real apk database of the test data under
// the os-release of its release and checks that vigil reports exactly the
// (package, issue) pairs the secdb of that branch says are affected.
func TestAlpineDatabases(t *testing.T) {
	engine(t)
	dir := filepath.Join(testdata, "pkgdb", "apk")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files, cases []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "installed") {
			files = append(files, e.Name())
		}
	}
	for _, c := range alpineCases {
		cases = append(cases, c.installed)
	}
	slices.Sort(cases)
	if d := cmp.Diff(files, cases); d != "" {
		t.Errorf("apk databases without a release assigned (-files +cases):\n%s", d)
	}
	for _, c := range alpineCases {
		t.Run(c.installed, func(t *testing.T) {
			exp, _ := checkAlpine(t, engine(t), c.osRelease, readFile(t, filepath.Join(dir, c.installed)))
			t.Logf("%s as %s (%s): %d affected (package, issue) pairs", c.installed, c.osRelease, c.why, len(exp))
		})
	}
}

// lowerAPK returns the revision before fixed ("1.1.23-r2" → "1.1.23-r1"),
// or "" when fixed is a first revision.
func lowerAPK(fixed string) string {
	i := strings.LastIndex(fixed, "-r")
	if i < 0 {
		return ""
	}
	n, err := strconv.Atoi(fixed[i+2:])
	if err != nil || n == 0 {
		return ""
	}
	return fmt.Sprintf("%s-r%d", fixed[:i], n-1)
}

// TestAlpineFixedVersionIsNotReported picks, from the real Alpine 3.11
// database, a package of another origin whose version is at or above a
// fixed version of its origin in the secdb (must not be reported), then
// lowers it below that fix in a copy of the database: the older version
// must be reported, matched through the origin, with the fixed version.
func TestAlpineFixedVersionIsNotReported(t *testing.T) {
	engine(t)
	c := alpineCases[0]
	installed := readFile(t, filepath.Join(testdata, "pkgdb", "apk", c.installed))
	branch := alpineBranch(osRelease(t, filepath.Join(testdata, "pkgdb", "os-release", c.osRelease))["VERSION_ID"])
	fixes := secdbFixes(t, branch)

	var pick apkPkg
	var fix apkFix
	for _, p := range readAPKInstalled(installed) {
		if p.Origin == p.Name {
			continue
		}
		for _, f := range fixes {
			if f.Origin != p.Origin || lowerAPK(f.Fixed) == "" {
				continue
			}
			if c, _ := version.Compare(version.APK, p.Version, f.Fixed); c < 0 {
				continue
			}
			if fix.Fixed == "" {
				pick, fix = p, f
			} else if c, _ := version.Compare(version.APK, fix.Fixed, f.Fixed); c < 0 {
				pick, fix = p, f
			}
		}
		if fix.Fixed != "" {
			break
		}
	}
	if fix.Fixed == "" {
		t.Fatalf("%s: no installed package of another origin with a fixed version at or below it", c.installed)
	}
	t.Logf("%s %s (origin %s) is at or above the fixed version %s of %s in %s", pick.Name, pick.Version, pick.Origin, fix.Fixed, fix.Issue, branch)

	_, hits := checkAlpine(t, engine(t), c.osRelease, installed)
	if h, ok := hits[pkgAdv{pick.Name, fix.Issue}]; ok {
		t.Errorf("%s %s reported for %s although the fixed version %s is installed: %+v", pick.Name, pick.Version, fix.Issue, fix.Fixed, h.Ev)
	}

	lower := lowerAPK(fix.Fixed)
	lowered := setStanzaField(t, installed, "P:"+pick.Name, "V:", lower)
	exp, hits := checkAlpine(t, engine(t), c.osRelease, lowered)
	k := pkgAdv{pick.Name, fix.Issue}
	if _, ok := exp[k]; !ok {
		t.Fatalf("independent expectation does not hold %v", k)
	}
	h, ok := hits[k]
	if !ok {
		t.Fatalf("%s %s (below the fixed %s) not reported for %s", pick.Name, lower, fix.Fixed, fix.Issue)
	}
	t.Logf("lowered to %s: reported as %s, fixedIn %v, evidence %+v", lower, h.Vuln.ID, deref(h.Vuln.FixedIn), h.Ev)
	if h.Ev.MatchedBy != "source" || h.Ev.Package != pick.Origin || h.Ev.Version != lower {
		t.Errorf("evidence %+v, want matchedBy source, package %s, version %s", h.Ev, pick.Origin, lower)
	}
	if h.Vuln.FixState != model.FixStateFixed || h.Vuln.FixedIn == nil || *h.Vuln.FixedIn != fix.Fixed {
		t.Errorf("fixState %s fixedIn %v, want fixed in %s", h.Vuln.FixState, deref(h.Vuln.FixedIn), fix.Fixed)
	}
}
