package python

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

// readPoetryLines is an independent, line-based reading of a poetry.lock:
// the name, version, category and groups lines of each [[package]] block.
func readPoetryLines(t *testing.T, file string) []nv {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := regexp.MustCompile(`^(name|version|category|groups) = (.*)$`)
	set := map[[2]string]bool{}
	var cur map[string]string
	flush := func() {
		if cur == nil {
			return
		}
		dev := cur["category"] == `"dev"` || (cur["groups"] != "" && !strings.Contains(cur["groups"], `"main"`))
		addDev(set, strings.Trim(cur["name"], `"`), strings.Trim(cur["version"], `"`), dev)
		cur = nil
	}
	inPackage := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "[[package]]":
			flush()
			cur, inPackage = map[string]string{}, true
		case strings.HasPrefix(line, "["):
			inPackage = false
		case inPackage:
			if m := kv.FindStringSubmatch(line); m != nil {
				cur[m[1]] = m[2]
			}
		}
	}
	flush()
	return fromSet(set)
}

func TestPoetryLockRealFiles(t *testing.T) {
	counts := map[string][2]int{ // packages, dev, counted by hand
		"poetry.v1-flask.lock":    {15, 7},
		"poetry.v2-flask.lock":    {15, 7},
		"poetry.with-groups.lock": {22, 0}, // this generator recorded no category
	}
	all := glob(t, "poetry/*.lock")
	if len(all) != len(counts) {
		t.Fatalf("%d files, the test knows %d", len(all), len(counts))
	}
	for _, f := range all {
		t.Run(filepath.Base(f), func(t *testing.T) {
			got := run(t, NewPoetryLock(), f, "/app/poetry.lock", model.ManagerPoetry)
			if diff := cmp.Diff(readPoetryLines(t, f), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			dev := 0
			for _, p := range got {
				if p.Dev {
					dev++
				}
			}
			if c := counts[filepath.Base(f)]; c != [2]int{len(got), dev} {
				t.Errorf("%d packages (%d dev), want %v", len(got), dev, c)
			}
		})
	}
}

// readPipfileGeneric is an independent reading of a Pipfile.lock through
// generic JSON maps.
func readPipfileGeneric(t *testing.T, file string) []nv {
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
	for _, section := range []string{"default", "develop"} {
		m, _ := doc[section].(map[string]any)
		for name, v := range m {
			ver, _ := v.(map[string]any)["version"].(string)
			if strings.HasPrefix(ver, "==") {
				addDev(set, name, ver[2:], section == "develop")
			}
		}
	}
	return fromSet(set)
}

func TestPipfileLockRealFiles(t *testing.T) {
	counts := map[string][2]int{ // packages, dev; django-postgres-extra is a git checkout
		"Pipfile.lock":      {85, 31}, // 54 default + 37 develop, 6 in both (not dev)
		"Pipfile-many.lock": {24, 0},
	}
	all := glob(t, "pipenv/*.lock")
	if len(all) != len(counts) {
		t.Fatalf("%d files, the test knows %d", len(all), len(counts))
	}
	for _, f := range all {
		t.Run(filepath.Base(f), func(t *testing.T) {
			got := run(t, NewPipfileLock(), f, "/app/Pipfile.lock", model.ManagerPipenv)
			if diff := cmp.Diff(readPipfileGeneric(t, f), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			dev := 0
			for _, p := range got {
				if p.Dev {
					dev++
				}
			}
			if c := counts[filepath.Base(f)]; c != [2]int{len(got), dev} {
				t.Errorf("%d packages (%d dev), want %v", len(got), dev, c)
			}
		})
	}
}

// TestUVLockRealFile checks uv.lock against its packages read by hand: the
// virtual project "uv-test" is not a dependency.
func TestUVLockRealFile(t *testing.T) {
	want := []nv{{"click", "8.1.3", false}, {"colorama", "0.4.6", false}, {"werkzeug", "0.11.1", false}}
	got := run(t, NewUVLock(), filepath.Join(pkgdb, "uv/uv.lock"), "/app/uv.lock", model.ManagerUV)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestUVLockSources(t *testing.T) {
	doc := `version = 1
[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "member"
version = "0.2.0"
source = { editable = "packages/member" }

[[package]]
name = "Some_Lib"
version = "1.0"
source = { git = "https://github.com/a/b?rev=1#abc" }

[[package]]
name = "dynamic"
source = { registry = "https://pypi.org/simple" }
`
	pkgs, err := ParseUVLock(t.Context(), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 || pkgs[0].Name != "Some_Lib" || pkgs[0].PURL != "pkg:pypi/some-lib@1.0" {
		t.Errorf("got %+v", pkgs)
	}
}

func TestUVLockDev(t *testing.T) {
	doc := `version = 1

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "requests" }]

[package.optional-dependencies]
socks = [{ name = "pysocks" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }, { name = "requests" }]

[[package]]
name = "requests"
version = "2.31.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "urllib3", version = "2.0.0" }]

[[package]]
name = "urllib3"
version = "1.26.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "urllib3"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "PySocks"
version = "1.7.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "iniconfig" }, { name = "urllib3", version = "1.26.0" }]

[[package]]
name = "iniconfig"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }
`
	pkgs, err := ParseUVLock(t.Context(), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got := []nv{}
	for _, p := range pkgs {
		got = append(got, nv{p.Name, p.Version, p.Dev})
	}
	want := []nv{
		{"iniconfig", "2.0.0", true}, {"PySocks", "1.7.1", false}, {"pytest", "8.0.0", true},
		{"requests", "2.31.0", false}, {"urllib3", "1.26.0", true}, {"urllib3", "2.0.0", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestTOMLDepth(t *testing.T) {
	deep := "a = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	for _, parse := range []func([]byte) error{
		func(b []byte) error { _, err := ParsePoetryLock(t.Context(), b); return err },
		func(b []byte) error { _, err := ParseUVLock(t.Context(), b); return err },
	} {
		if err := parse([]byte(deep)); err == nil {
			t.Error("deeply nested TOML accepted")
		}
	}
	// Brackets inside strings and comments do not count.
	ok := "a = \"[[[[\" # {{{{\nb = '{{{{'\nc = [[1], [2]]\n"
	if d := tomlDepth([]byte(strings.Repeat(ok, 50))); d != 2 {
		t.Errorf("tomlDepth = %d, want 2", d)
	}
}

func TestErrorsAreTyped(t *testing.T) {
	bad := filepath.Join(pkgdb, "requirements/requirements.txt") // not TOML, not JSON
	for _, e := range []extract.Extractor{NewPoetryLock(), NewUVLock(), NewPipfileLock()} {
		_, err := e.Extract(t.Context(), input(t, bad, "/app/x"))
		var pe *extract.ParseError
		if !errorsAs(err, &pe) || pe.Extractor != e.Name() || pe.Path != "/app/x" {
			t.Errorf("%s: err = %v, want a ParseError", e.Name(), err)
		}
	}
	in := input(t, bad, "/app/requirements.txt")
	in.Size = maxFileSize + 1
	var le *extract.LimitError
	if _, err := NewRequirements().Extract(t.Context(), in); !errorsAs(err, &le) {
		t.Errorf("oversized: err = %v, want a LimitError", err)
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		e    extract.Extractor
		path string
		want bool
	}{
		{NewMetadata(), "/usr/lib/python3/site-packages/Flask-2.0.0.dist-info/METADATA", true},
		{NewMetadata(), "/usr/lib/python3/site-packages/setuptools-51.3.3-py3.8.egg-info/PKG-INFO", true},
		{NewMetadata(), "/src/pkg-1.0/PKG-INFO", true},
		{NewMetadata(), "/src/METADATA", false},
		{NewMetadata(), "/usr/lib/python3/dist-packages/six-1.16.0.egg-info", true},
		{NewRequirements(), "/app/requirements.txt", true},
		{NewRequirements(), "/app/requirements-dev.txt", true},
		{NewRequirements(), "/app/dev-requirements.txt", true},
		{NewRequirements(), "/app/requirements.in", false},
		{NewRequirements(), "/app/notes.txt", false},
		{NewPoetryLock(), "/app/poetry.lock", true},
		{NewPipfileLock(), "/app/Pipfile.lock", true},
		{NewPipfileLock(), "/app/Pipfile", false},
		{NewUVLock(), "/app/uv.lock", true},
	}
	for _, tt := range tests {
		if got := tt.e.Required(extract.FileInfo{Path: tt.path}); got != tt.want {
			t.Errorf("%s.Required(%q) = %v, want %v", tt.e.Name(), tt.path, got, tt.want)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	tests := map[string]string{"Flask": "flask", "Foo.Bar__baz": "foo-bar-baz", "python-gitlab": "python-gitlab", "A-_.b": "a-b"}
	for in, want := range tests {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExtractorsNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Extractors() {
		if seen[e.Name()] || !strings.HasPrefix(e.Name(), "python/") || e.Version() < 1 {
			t.Errorf("extractor %q version %d", e.Name(), e.Version())
		}
		seen[e.Name()] = true
	}
	if len(seen) != 5 {
		t.Errorf("%d extractors, want 5", len(seen))
	}
}
