package npm

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// readLockGeneric is an independent reading of a package-lock: decode it
// into generic maps and collect name@version.
func readLockGeneric(t *testing.T, file string) []nv {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	set := map[[2]string]bool{}
	if pk, _ := doc["packages"].(map[string]any); len(pk) > 0 {
		for key, v := range pk {
			e := v.(map[string]any)
			parts := strings.Split(key, "node_modules/")
			if len(parts) < 2 || e["link"] == true {
				continue
			}
			name := parts[len(parts)-1]
			if n, ok := e["name"].(string); ok {
				name = n
			}
			addDev(set, name, e["version"].(string), e["dev"] == true)
		}
		return fromSet(set)
	}
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		for name, v := range m {
			e := v.(map[string]any)
			addDev(set, name, e["version"].(string), e["dev"] == true)
			if sub, ok := e["dependencies"].(map[string]any); ok {
				walk(sub)
			}
		}
	}
	deps, _ := doc["dependencies"].(map[string]any)
	walk(deps)
	return fromSet(set)
}

func TestPackageLockRealFiles(t *testing.T) {
	// Package and dev counts checked by hand (and with a one-off script)
	// against each file.
	counts := map[string][2]int{
		"collapse-white-space.package-lock.json": {790, 790},
		"npm-shrinkwrap.json":                    {2, 0},
		"package-lock.v1.json":                   {31, 2},
		"package-lock.v2.json":                   {31, 2},
		"package-lock.v3-workspace.json":         {4, 0},
		"package-lock.v3.json":                   {31, 2},
		"wrappy.package-lock.json":               {209, 209},
	}
	all := files(t, "npm/*.json")
	if len(all) != len(counts) {
		t.Fatalf("pkgdb/npm has %d files, the test knows %d", len(all), len(counts))
	}
	for _, f := range all {
		t.Run(filepath.Base(f), func(t *testing.T) {
			got := run(t, NewPackageLock(), f, model.ManagerNPM)
			if diff := cmp.Diff(readLockGeneric(t, f), got); diff != "" {
				t.Errorf("packages (-want +got):\n%s", diff)
			}
			dev := 0
			for _, p := range got {
				if p.Dev {
					dev++
				}
			}
			if c := counts[filepath.Base(f)]; c != [2]int{len(got), dev} {
				t.Errorf("got %d packages (%d dev), want %d (%d dev)", len(got), dev, c[0], c[1])
			}
		})
	}
}

func TestPackageLockDetails(t *testing.T) {
	tests := []struct {
		file string
		want []nv
	}{
		{
			// Workspace members and their links are the project itself; the
			// debug installed under a member's node_modules is a dependency.
			file: "npm/package-lock.v3-workspace.json",
			want: []nv{{"debug", "2.5.2", false}, {"debug", "2.6.9", false}, {"ms", "0.7.2", false}, {"ms", "2.0.0", false}},
		},
		{
			file: "npm/npm-shrinkwrap.json",
			want: []nv{{"supports-color", "5.5.0", false}, {"wrappy", "1.0.2", false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := run(t, NewPackageLock(), filepath.Join(pkgdb, tt.file), model.ManagerNPM)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// A scoped package, a dev package and a nested copy in the v2 file.
	got := run(t, NewPackageLock(), filepath.Join(pkgdb, "npm/package-lock.v2.json"), model.ManagerNPM)
	want := map[string]bool{"@babel/helper-string-parser@7.19.4": false, "debug@2.5.2": true, "ms@0.7.2": true, "debug@2.6.9": false}
	for _, p := range got {
		if dev, ok := want[p.String()]; ok {
			if p.Dev != dev {
				t.Errorf("%s: dev %v, want %v", p, p.Dev, dev)
			}
			delete(want, p.String())
		}
	}
	if len(want) != 0 {
		t.Errorf("missing %v", want)
	}
}

func TestPackageLockAliasesAndProtocols(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []nv
	}{
		{
			name: "v1 alias and file",
			doc:  `{"lockfileVersion":1,"dependencies":{"sw":{"version":"npm:string-width@4.2.3"},"local":{"version":"file:../local"},"g":{"version":"git+https://github.com/a/g.git#abc"}}}`,
			want: []nv{{"g", "git+https://github.com/a/g.git#abc", false}, {"string-width", "4.2.3", false}},
		},
		{
			name: "v3 alias by name field",
			doc:  `{"lockfileVersion":3,"packages":{"":{"name":"p"},"node_modules/sw":{"name":"string-width","version":"4.2.3","dev":true},"node_modules/@s/x":{"version":"1.0.0"}}}`,
			want: []nv{{"@s/x", "1.0.0", false}, {"string-width", "4.2.3", true}},
		},
		{
			name: "empty object",
			doc:  `{}`,
			want: []nv{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkgs, err := ParsePackageLock(t.Context(), []byte(tt.doc))
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
}

func TestPackageLockErrors(t *testing.T) {
	e := NewPackageLock()
	in := input(t, filepath.Join(pkgdb, "npm/SOURCES.md"), "/app/package-lock.json")
	_, err := e.Extract(t.Context(), in)
	var pe *extract.ParseError
	if !errorsAs(err, &pe) || pe.Extractor != PackageLockName || pe.Path != "/app/package-lock.json" {
		t.Fatalf("err = %v, want a ParseError", err)
	}
	deep := strings.Repeat(`{"dependencies":{"a":{"version":"1",`, maxDepth+2) + strings.Repeat("}}}", maxDepth+2)
	if _, err := ParsePackageLock(t.Context(), []byte(deep)); err == nil {
		t.Error("deep tree: no error")
	}
	big := input(t, filepath.Join(pkgdb, "npm/npm-shrinkwrap.json"), "/app/package-lock.json")
	big.Size = maxLockfileSize + 1
	var le *extract.LimitError
	if _, err := e.Extract(t.Context(), big); !errorsAs(err, &le) {
		t.Errorf("oversized: err = %v, want a LimitError", err)
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		e    extract.Extractor
		path string
		want bool
	}{
		{NewPackageLock(), "/app/package-lock.json", true},
		{NewPackageLock(), "/npm-shrinkwrap.json", true},
		{NewPackageLock(), "/app/node_modules/x/package-lock.json", false},
		{NewPackageLock(), "/app/package.json", false},
		{NewYarnLock(), "/app/yarn.lock", true},
		{NewYarnLock(), "/app/node_modules/x/yarn.lock", false},
		{NewPNPMLock(), "/app/pnpm-lock.yaml", true},
		{NewPNPMLock(), "/app/pnpm-lock.yml", false},
		{NewNodePackage(), "/app/node_modules/glob/package.json", true},
		{NewNodePackage(), "/app/node_modules/@npmcli/arborist/package.json", true},
		{NewNodePackage(), "/app/node_modules/a/node_modules/b/package.json", true},
		{NewNodePackage(), "/app/node_modules/glob/dist/esm/package.json", false},
		{NewNodePackage(), "/app/node_modules/@npmcli/package.json", false},
		{NewNodePackage(), "/app/node_modules/.package-lock.json", false},
		{NewNodePackage(), "/app/node_modules/.bin/package.json", false},
		{NewNodePackage(), "/app/package.json", false},
	}
	for _, tt := range tests {
		if got := tt.e.Required(extract.FileInfo{Path: tt.path}); got != tt.want {
			t.Errorf("%s.Required(%q) = %v, want %v", tt.e.Name(), tt.path, got, tt.want)
		}
	}
}

func TestProjectDirAndPURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/app/package-lock.json", "/app"},
		{"/app/node_modules/a/node_modules/b/package.json", "/app"},
		{"/node_modules/a/package.json", "/"},
		{"/yarn.lock", "/"},
	}
	for _, tt := range tests {
		if got := ProjectDir(tt.in); got != tt.want {
			t.Errorf("ProjectDir(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := PURL("@babel/core", "7.0.0"), "pkg:npm/%40babel/core@7.0.0"; got != want {
		t.Errorf("PURL = %q, want %q", got, want)
	}
	if got, want := PURL("JSONStream", "1.3.5"), "pkg:npm/jsonstream@1.3.5"; got != want {
		t.Errorf("PURL = %q, want %q", got, want)
	}
	if got, want := PURL("lodash", "4.17.21"), "pkg:npm/lodash@4.17.21"; got != want {
		t.Errorf("PURL = %q, want %q", got, want)
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, e := range []extract.Extractor{NewPackageLock(), NewYarnLock(), NewPNPMLock()} {
		f := map[string]string{
			PackageLockName: "npm/collapse-white-space.package-lock.json",
			YarnLockName:    "yarn/yarn.v1.lock",
			PNPMLockName:    "pnpm/pnpm-lock.v5.yaml",
		}[e.Name()]
		// Small files may finish before a check; the big package-lock must not.
		_, err := e.Extract(ctx, input(t, filepath.Join(pkgdb, f), "/app/x"))
		var pe *extract.ParseError
		if err != nil && (!errors.Is(err, context.Canceled) || errors.As(err, &pe)) {
			t.Errorf("%s: err = %v, want context.Canceled unwrapped", e.Name(), err)
		}
		if e.Name() == PackageLockName && err == nil {
			t.Errorf("%s: no error after cancel", e.Name())
		}
	}
}

func TestExtractorsNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Extractors() {
		if seen[e.Name()] || !strings.HasPrefix(e.Name(), "javascript/") || e.Version() < 1 {
			t.Errorf("extractor %q version %d", e.Name(), e.Version())
		}
		seen[e.Name()] = true
	}
	if len(seen) != 4 {
		t.Errorf("%d extractors, want 4", len(seen))
	}
}
