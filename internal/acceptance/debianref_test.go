package acceptance

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// This file is the test's own reading of the Debian data, written from the
// formats' documentation and independent of internal/advisory/debian and
// internal/extract/dpkg: a parser of the security tracker's DSA/DLA lists, a
// parser of dpkg status files, and dpkg's own version comparison.

// debFix is one "[release] - source version" line of a tracker list.
type debFix struct {
	Advisory string // DSA-5380-1
	Release  string // codename: buster
	Source   string // source package
	Version  string // fixed version; empty with a marker
	Marker   string // unfixed, end-of-life, not-affected, …; empty with a version
}

var (
	trackerHeader = regexp.MustCompile(`^\[\d{1,2} [A-Za-z]{3} \d{4}\] ((?:DSA|DLA)-\d+(?:-\d+)?)\s`)
	trackerFix    = regexp.MustCompile(`^\[([a-z]+)\]\s+-\s+(\S+)\s+(\S+)`)
)

// readTrackerList reads one data/DSA/list or data/DLA/list file.
func readTrackerList(t *testing.T, path string) []debFix {
	t.Helper()
	var out []debFix
	adv := ""
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, path)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := trackerHeader.FindStringSubmatch(line); m != nil {
			adv = m[1]
			continue
		}
		l := strings.TrimSpace(line)
		m := trackerFix.FindStringSubmatch(l)
		if m == nil || adv == "" {
			continue // CVE list, NOTE, blank
		}
		f := debFix{Advisory: adv, Release: m[1], Source: m[2]}
		if strings.HasPrefix(m[3], "<") {
			f.Marker = strings.Trim(m[3], "<>")
		} else {
			f.Version = m[3]
		}
		out = append(out, f)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no fix lines read", path)
	}
	return out
}

// trackerFixes reads both lists of the test data.
func trackerFixes(t *testing.T) []debFix {
	t.Helper()
	dir := filepath.Join(testdata, "debian-security-tracker")
	return append(readTrackerList(t, filepath.Join(dir, "DSA-list")), readTrackerList(t, filepath.Join(dir, "DLA-list"))...)
}

// dpkgPkg is one stanza of a dpkg status file.
type dpkgPkg struct {
	Package, Version, Source, SourceVersion, Status string
}

// Installed tells whether dpkg considers the package installed: the third
// word of Status is "installed", or "triggers-awaited" or
// "triggers-pending" (unpacked and configured, triggers outstanding).
func (p dpkgPkg) Installed() bool {
	w := strings.Fields(p.Status)
	if len(w) != 3 {
		return false
	}
	switch w[2] {
	case "installed", "triggers-awaited", "triggers-pending":
		return true
	}
	return false
}

// readDpkgStatus parses a dpkg status file; the source package and version
// come from "Source: name (version)", else name = Package, version = Version.
func readDpkgStatus(t *testing.T, data []byte) []dpkgPkg {
	t.Helper()
	var out []dpkgPkg
	for _, stanza := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n\n") {
		f := map[string]string{}
		for _, l := range strings.Split(stanza, "\n") {
			if l == "" || l[0] == ' ' || l[0] == '\t' {
				continue
			}
			k, v, ok := strings.Cut(l, ":")
			if ok {
				f[k] = strings.TrimSpace(v)
			}
		}
		if f["Package"] == "" {
			continue
		}
		p := dpkgPkg{Package: f["Package"], Version: f["Version"], Status: f["Status"], Source: f["Package"], SourceVersion: f["Version"]}
		if s := f["Source"]; s != "" {
			name, ver, _ := strings.Cut(s, " ")
			p.Source = name
			if ver = strings.Trim(strings.TrimSpace(ver), "()"); ver != "" {
				p.SourceVersion = ver
			}
		}
		out = append(out, p)
	}
	return out
}

// osRelease reads the fields of an os-release file.
func osRelease(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range strings.Split(string(readFile(t, path)), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(l), "=")
		if ok {
			out[k] = strings.Trim(v, `"'`)
		}
	}
	return out
}

// debianCodename is the release codename an os-release file names
// (VERSION_CODENAME, or the word in parentheses of VERSION).
func debianCodename(t *testing.T, osr map[string]string) string {
	t.Helper()
	if c := osr["VERSION_CODENAME"]; c != "" {
		return c
	}
	if m := regexp.MustCompile(`\(([a-z]+)\)`).FindStringSubmatch(osr["VERSION"]); m != nil {
		return m[1]
	}
	t.Fatalf("no codename in os-release %v", osr)
	return ""
}

// pkgAdv is one (installed package, advisory) pair: the unit compared.
type pkgAdv struct{ Package, Advisory string }

// debExpect is why a pair is expected: the source package and version
// compared and the fixed version ("" for a marker).
type debExpect struct{ Source, SourceVersion, Fixed string }

// comparator answers "a < b" for many pairs at once.
type comparator func(t *testing.T, pairs [][2]string) map[[2]string]bool

// expectDebian computes which installed packages each list entry of the
// release affects: a version line affects a package of that source whose
// source version is lower; <unfixed> and <end-of-life> affect every version
// (no fix exists); other markers (<not-affected>) affect none.
func expectDebian(t *testing.T, pkgs []dpkgPkg, fixes []debFix, codename string, less comparator) map[pkgAdv]debExpect {
	t.Helper()
	bySource := map[string][]debFix{}
	for _, f := range fixes {
		if f.Release == codename {
			bySource[f.Source] = append(bySource[f.Source], f)
		}
	}
	var pairs [][2]string
	for _, p := range pkgs {
		if !p.Installed() {
			continue
		}
		for _, f := range bySource[p.Source] {
			if f.Version != "" {
				pairs = append(pairs, [2]string{p.SourceVersion, f.Version})
			}
		}
	}
	lt := less(t, pairs)
	out := map[pkgAdv]debExpect{}
	for _, p := range pkgs {
		if !p.Installed() {
			continue
		}
		for _, f := range bySource[p.Source] {
			affected := false
			switch {
			case f.Version != "":
				affected = lt[[2]string{p.SourceVersion, f.Version}]
			case f.Marker == "unfixed" || f.Marker == "end-of-life":
				affected = true
			}
			if affected {
				k := pkgAdv{p.Package, f.Advisory}
				e := debExpect{Source: p.Source, SourceVersion: p.SourceVersion, Fixed: f.Version}
				if old, ok := out[k]; ok && old.Fixed != "" && e.Fixed != "" && lt[[2]string{e.Fixed, old.Fixed}] {
					e = old // keep the highest fixed version of an advisory
				}
				out[k] = e
			}
		}
	}
	return out
}

// needDpkg skips the test when dpkg is not installed.
func needDpkg(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("dpkg is not installed: the reference Debian version comparison is not available")
	}
}

// dpkgAnswers caches dpkg's answers across the tests of this binary.
var dpkgAnswers = struct {
	sync.Mutex
	m map[[2]string]bool
}{m: map[[2]string]bool{}}

// dpkgLess asks `dpkg --compare-versions a lt b` for every pair (one
// process per distinct pair; use for a few dozen pairs).
func dpkgLess(t *testing.T, pairs [][2]string) map[[2]string]bool {
	t.Helper()
	needDpkg(t)
	out := map[[2]string]bool{}
	for _, p := range pairs {
		out[p] = dpkgLT(t, p[0], p[1])
	}
	return out
}

// dpkgLT is `dpkg --compare-versions a lt b`.
func dpkgLT(t *testing.T, a, b string) bool {
	t.Helper()
	k := [2]string{a, b}
	dpkgAnswers.Lock()
	v, ok := dpkgAnswers.m[k]
	dpkgAnswers.Unlock()
	if ok {
		return v
	}
	err := exec.Command("dpkg", "--compare-versions", a, "lt", b).Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		v = true
	case errors.As(err, &ee) && ee.ExitCode() == 1:
		v = false
	default:
		t.Fatalf("dpkg --compare-versions %q lt %q: %v", a, b, err)
	}
	dpkgAnswers.Lock()
	dpkgAnswers.m[k] = v
	dpkgAnswers.Unlock()
	return v
}

// perlDpkgLess orders many versions in one process with Dpkg::Version, the
// Perl implementation of dpkg's version comparison shipped by dpkg itself
// (libdpkg-perl): spawning dpkg for thousands of pairs would be too slow.
// The versions that appear together in pairs are grouped (one group per
// source package in practice), each group is sorted by version_compare,
// and a < b is read from the ranks.
func perlDpkgLess(t *testing.T, pairs [][2]string) map[[2]string]bool {
	t.Helper()
	needDpkg(t)
	if err := exec.Command("perl", "-MDpkg::Version", "-e", "1").Run(); err != nil {
		t.Skipf("perl with Dpkg::Version (libdpkg-perl) is not available: %v", err)
	}
	// union-find over the versions of the pairs
	parent := map[string]string{}
	var find func(string) string
	find = func(v string) string {
		p, ok := parent[v]
		if !ok {
			parent[v] = v
			return v
		}
		if p == v {
			return v
		}
		r := find(p)
		parent[v] = r
		return r
	}
	for _, p := range pairs {
		a, b := find(p[0]), find(p[1])
		if a != b {
			parent[a] = b
		}
	}
	var in bytes.Buffer
	for v := range parent {
		fmt.Fprintf(&in, "%s\t%s\n", find(v), v)
	}
	const script = `use Dpkg::Version;
my %g;
while (<STDIN>) { chomp; my ($k, $v) = split /\t/; push @{$g{$k}}, $v; }
for my $k (keys %g) {
	my @s = sort { version_compare($a, $b) } @{$g{$k}};
	my ($r, $prev) = (0, undef);
	for my $v (@s) {
		$r++ if defined $prev && version_compare($prev, $v) != 0;
		print "$v\t$r\n";
		$prev = $v;
	}
}`
	cmd := exec.Command("perl", "-e", script)
	cmd.Stdin = &in
	cmd.Stderr = os.Stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("perl Dpkg::Version: %v", err)
	}
	rank := map[string]int{}
	for _, l := range strings.Split(strings.TrimSuffix(string(res), "\n"), "\n") {
		v, r, ok := strings.Cut(l, "\t")
		n, err := strconv.Atoi(r)
		if !ok || err != nil {
			t.Fatalf("perl Dpkg::Version: bad line %q", l)
		}
		rank[v] = n
	}
	if len(rank) != len(parent) {
		t.Fatalf("perl Dpkg::Version ranked %d of %d versions", len(rank), len(parent))
	}
	out := map[[2]string]bool{}
	for _, p := range pairs {
		out[p] = rank[p[0]] < rank[p[1]]
	}
	return out
}
