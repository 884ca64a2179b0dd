package npm

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

// readPNPMLines is an independent, line-based reading of a pnpm 5.x or 6.x
// lockfile: each "  /key:" line under "packages:" and the "dev:" line of
// its block.
func readPNPMLines(t *testing.T, file string) []nv {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v5 := regexp.MustCompile(`^  /((?:@[^/]+/)?[^/]+)/([0-9][^_/]*)(?:_.*)?:$`)
	v6 := regexp.MustCompile(`^  /((?:@[^/@]+/)?[^/@]+)@([0-9][^(]*)(?:\(.*)?:$`)
	set := map[[2]string]bool{}
	var cur [2]string
	dev := false
	flush := func() {
		if cur[0] != "" {
			addDev(set, cur[0], cur[1], dev)
		}
		cur, dev = [2]string{}, false
	}
	inPackages := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "packages:":
			inPackages = true
		case !inPackages:
		case strings.HasPrefix(line, "  /"):
			flush()
			m := v5.FindStringSubmatch(line)
			if m == nil {
				m = v6.FindStringSubmatch(line)
			}
			if m == nil {
				t.Fatalf("unexpected key line %q", line)
			}
			cur = [2]string{m[1], m[2]}
		case line == "    dev: true":
			dev = true
		}
	}
	flush()
	return fromSet(set)
}

func TestPNPMLockRealFiles(t *testing.T) {
	all := files(t, "pnpm/*.yaml")
	if len(all) != 3 {
		t.Fatalf("pkgdb/pnpm has %d lockfiles, want 3", len(all))
	}
	for _, f := range all {
		if strings.HasSuffix(f, "v9.yaml") {
			continue // TestPNPMLockV9 checks it against a hand-made list
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			want := readPNPMLines(t, f)
			got := run(t, NewPNPMLock(), f, model.ManagerPNPM)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("packages (-want +got):\n%s", diff)
			}
			if len(got) < 50 {
				t.Errorf("only %d packages", len(got))
			}
		})
	}
}

// TestPNPMLockV9 checks the 9.0 file against a list made by reading it:
// every "packages:" key, with the version field for tarball and file
// references, without the package1 directory (no version). Dev packages are
// reachable only from the importers' devDependencies.
func TestPNPMLockV9(t *testing.T) {
	want := []nv{
		{"@babel/helper-string-parser", "7.24.1", false},
		{"asap", "2.0.6", false},
		{"asynckit", "0.4.0", false},
		{"await-sleep", "0.0.1", true},
		{"debug", "4.3.4", false},
		{"debug", "4.3.5", false},
		{"ee-first", "1.1.1", false},
		{"encodeurl", "1.0.2", false},
		{"escape-html", "1.0.3", false},
		{"finalhandler", "1.1.1", false},
		{"is-negative", "2.0.1", false},
		{"jquery", "3.6.0", true},
		{"lodash", "4.17.21", true},
		{"ms", "2.0.0", false},
		{"ms", "2.1.2", false},
		{"on-finished", "2.3.0", false},
		{"parseurl", "1.3.3", false},
		{"promise", "8.1.0", false},
		{"sleep-utils", "1.0.3", false},
		{"statuses", "1.4.0", false},
		{"unpipe", "1.0.0", false},
	}
	got := run(t, NewPNPMLock(), filepath.Join(pkgdb, "pnpm/pnpm-lock.v9.yaml"), model.ManagerPNPM)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPNPMKey(t *testing.T) {
	tests := []struct {
		key           string
		major         int
		name, version string
		ok            bool
	}{
		{"/@babel/runtime/7.18.3", 5, "@babel/runtime", "7.18.3", true},
		{"/debug/4.3.4_supports-color@8.1.1", 5, "debug", "4.3.4", true},
		{"github.com/a/b/0123abc", 5, "", "", false},
		{"/debug@4.3.4(supports-color@8.1.1)", 6, "debug", "4.3.4", true},
		{"/@babel/runtime@7.22.3", 6, "@babel/runtime", "7.22.3", true},
		{"debug@4.3.4(supports-color@8.1.1)", 9, "debug", "4.3.4", true},
		{"lodash@file:foo/bar/lodash.tgz", 9, "lodash", "file:foo/bar/lodash.tgz", true},
		{"/lodash/4.17.21", 0, "lodash", "4.17.21", true},
		{"x", 9, "", "", false},
	}
	for _, tt := range tests {
		n, v, ok := pnpmKey(tt.key, tt.major)
		if ok != tt.ok || (ok && (n != tt.name || v != tt.version)) {
			t.Errorf("pnpmKey(%q, %d) = %q, %q, %v; want %q, %q, %v", tt.key, tt.major, n, v, ok, tt.name, tt.version, tt.ok)
		}
	}
}

func TestAppendRef(t *testing.T) {
	tests := []struct{ name, version, want string }{
		{"debug", "4.3.4(supports-color@8.1.1)", "debug@4.3.4(supports-color@8.1.1)"},
		{"sw", "string-width@4.2.3", "string-width@4.2.3"},
		{"sw", "@s/string-width@4.2.3", "@s/string-width@4.2.3"},
		{"a", "link:../a", ""},
		{"b", "https://github.com/b/b/tarball/1.0.0", "b@https://github.com/b/b/tarball/1.0.0"},
		{"c", "git+ssh://git@github.com/c/c.git", "c@git+ssh://git@github.com/c/c.git"},
	}
	for _, tt := range tests {
		got := appendRef(nil, tt.name, tt.version)
		if (tt.want == "" && len(got) != 0) || (tt.want != "" && (len(got) != 1 || got[0] != tt.want)) {
			t.Errorf("appendRef(%q, %q) = %q, want %q", tt.name, tt.version, got, tt.want)
		}
	}
}

func TestPNPMLockShapes(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []nv
	}{
		{
			name: "5.x workspace importers with plain versions, tarball package",
			doc: `lockfileVersion: 5.4
importers:
  .:
    specifiers:
      a: ^1.0.0
    dependencies:
      a: 1.0.0
packages:
  /a/1.0.0:
    dev: false
  github.com/user/b/0123abcd:
    name: b
    version: 2.0.0
    dev: true
  github.com/user/c/0123abcd:
    dev: true
`,
			want: []nv{{"a", "1.0.0", false}, {"b", "2.0.0", true}},
		},
		{
			name: "6.x peers and a package listed twice with different peers",
			doc: `lockfileVersion: '6.0'
packages:
  /x@1.0.0(react@17.0.0):
    dev: true
  /x@1.0.0(react@18.0.0):
    dev: false
  /@s/y@2.0.0:
    dev: true
`,
			want: []nv{{"@s/y", "2.0.0", true}, {"x", "1.0.0", false}},
		},
		{
			name: "9.x alias and optional root",
			doc: `lockfileVersion: '9.0'
importers:
  .:
    optionalDependencies:
      sw:
        specifier: npm:string-width@^4
        version: string-width@4.2.3
    devDependencies:
      d:
        specifier: ^1
        version: 1.0.0
packages:
  string-width@4.2.3: {}
  d@1.0.0: {}
  e@1.0.0: {}
snapshots:
  string-width@4.2.3: {}
  d@1.0.0:
    dependencies:
      e: 1.0.0
  e@1.0.0: {}
`,
			want: []nv{{"d", "1.0.0", true}, {"e", "1.0.0", true}, {"string-width", "4.2.3", false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkgs, err := ParsePNPMLock(t.Context(), []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			got := []nv{}
			for _, p := range pkgs {
				got = append(got, nv{p.Name, p.Version, p.Dev})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := ParsePNPMLock(t.Context(), []byte("packages: [1, 2]")); err == nil {
		t.Error("malformed packages: no error")
	}
}
