package npm

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/vigilsec/vigil/internal/model"
)

// readYarnClassic is an independent reading of a classic yarn.lock: the
// name of the first descriptor of each header and the version line after it.
func readYarnClassic(t *testing.T, file string) []nv {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	header := regexp.MustCompile(`^"?(@?[^@"]+)@[^:]*:$`)
	version := regexp.MustCompile(`^  version "([^"]+)"$`)
	set := map[[2]string]bool{}
	name := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := header.FindStringSubmatch(sc.Text()); m != nil {
			name = m[1]
		} else if m := version.FindStringSubmatch(sc.Text()); m != nil && name != "" {
			addDev(set, name, m[1], false)
			name = ""
		}
	}
	return fromSet(set)
}

// readYarnBerry is an independent reading of a berry yarn.lock, which is
// YAML: every entry but __metadata, named by its resolution, without the
// project's workspaces.
func readYarnBerry(t *testing.T, file string) []nv {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	set := map[[2]string]bool{}
	for key, e := range doc {
		if key == "__metadata" {
			continue
		}
		res := e["resolution"].(string)
		at := strings.Index(res[1:], "@") + 1
		if strings.HasPrefix(res[at+1:], "workspace:") {
			continue
		}
		addDev(set, res[:at], e["version"].(string), false)
	}
	return fromSet(set)
}

func TestYarnLockRealFiles(t *testing.T) {
	all := files(t, "yarn/*.lock")
	if len(all) != 3 {
		t.Fatalf("pkgdb/yarn has %d lockfiles, want 3", len(all))
	}
	counts := map[string]int{"yarn.v1.lock": 18, "yarn.berry.lock": 17, "yarn.v1-monorepo.lock": 11}
	for _, f := range all {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want := readYarnClassic(t, f)
			if strings.Contains(string(b), "\n__metadata:") {
				want = readYarnBerry(t, f)
			}
			got := run(t, NewYarnLock(), f, model.ManagerYarn)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("packages (-want +got):\n%s", diff)
			}
			if len(got) != counts[filepath.Base(f)] {
				t.Errorf("got %d packages, want %d", len(got), counts[filepath.Base(f)])
			}
		})
	}
}

func TestYarnLockDetails(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []nv
	}{
		{
			name: "classic golden subset",
			doc: `# yarn lockfile v1

"@babel/helper-regex@^7.0.0", "@babel/helper-regex@^7.4.4":
  version "7.4.4"
  dependencies:
    lodash "^4.17.11"

"js-tokens@^3.0.0 || ^4.0.0":
  version "4.0.0"

"string-width-cjs@npm:string-width@^4.2.0":
  version "4.2.3"
`,
			want: []nv{{"@babel/helper-regex", "7.4.4", false}, {"js-tokens", "4.0.0", false}, {"string-width", "4.2.3", false}},
		},
		{
			name: "berry protocols",
			doc: `__metadata:
  version: 6

"a@workspace:.":
  version: 0.0.0-use.local
  resolution: "a@workspace:."

"b@link:../b::locator=a%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "b@link:../b::locator=a%40workspace%3A."

"c@portal:../c::locator=a%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "c@portal:../c::locator=a%40workspace%3A."

"fsevents@patch:fsevents@^2.1.2#~builtin<compat/fsevents>":
  version: 2.1.3
  resolution: "fsevents@patch:fsevents@npm%3A2.1.3#~builtin<compat/fsevents>::version=2.1.3&hash=87eb42"

"fsevents@npm:^2.1.2":
  version: 2.1.3
  resolution: "fsevents@npm:2.1.3"

"sw@npm:string-width@^4":
  version: 4.2.3
  resolution: "string-width@npm:4.2.3"
`,
			want: []nv{{"fsevents", "2.1.3", false}, {"string-width", "4.2.3", false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkgs, err := ParseYarnLock(t.Context(), []byte(tt.doc))
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
	// Hand-checked against yarn.v1.lock.
	got := run(t, NewYarnLock(), filepath.Join(pkgdb, "yarn/yarn.v1.lock"), model.ManagerYarn)
	names := []string{}
	for _, p := range got {
		names = append(names, p.String())
	}
	want := []string{
		"@babel/helper-regex@7.4.4", "ansi-regex@2.1.1", "ansi-regex@3.0.0", "asap@2.0.6", "inherits@2.0.3",
		"is-fullwidth-code-point@2.0.0", "jquery@3.4.1", "js-tokens@4.0.0", "lodash@4.17.11", "promise@8.0.3",
		"safe-buffer@5.1.2", "safer-buffer@2.1.2", "statuses@1.5.0", "string-width@2.1.1", "strip-ansi@3.0.1",
		"strip-ansi@4.0.0", "whatwg-fetch@3.0.0", "wide-align@1.1.3",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("yarn.v1.lock (-want +got):\n%s", diff)
	}
}
