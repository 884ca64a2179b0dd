package gomod

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

const testdata = "../../../../shared/testdata/pkgdb/go"

func input(data []byte) *extract.Input {
	lim := extract.DefaultLimits()
	return &extract.Input{
		FileInfo: extract.FileInfo{Path: "/src/go.mod", Mode: 0o644, Size: int64(len(data))},
		Reader:   bytes.NewReader(data),
		ReaderAt: bytes.NewReader(data),
		Limits:   &lim,
		TempDir:  os.TempDir(),
	}
}

func extractData(t *testing.T, data []byte) []model.Package {
	t.Helper()
	pkgs, err := New().Extract(context.Background(), input(data))
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// goModEdit lists a go.mod's requirements with `go mod edit -json`, with
// its replace directives applied.
func goModEdit(t *testing.T, file string) []string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not installed: cannot derive the expected requirements")
	}
	out, err := exec.Command(gobin, "mod", "edit", "-json", file).Output()
	if err != nil {
		t.Fatalf("go mod edit -json: %v", err)
	}
	type mod struct{ Path, Version string }
	var f struct {
		Require []mod
		Replace []struct{ Old, New mod }
	}
	if err := json.Unmarshal(out, &f); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range f.Require {
		for _, rep := range f.Replace {
			if rep.Old.Path == r.Path && (rep.Old.Version == "" || rep.Old.Version == r.Version) {
				r = rep.New
			}
		}
		if r.Version != "" {
			want = append(want, r.Path+"@"+r.Version)
		}
	}
	return want
}

func TestAgainstGoModEdit(t *testing.T) {
	for _, dir := range []string{"module", "go116"} {
		t.Run(dir, func(t *testing.T) {
			file, err := filepath.Abs(filepath.Join(testdata, dir, "go.mod"))
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range extractData(t, data) {
				got = append(got, p.Name+"@"+p.Version)
			}
			want := goModEdit(t, file)
			if n := map[string]int{"module": 18, "go116": 2}[dir]; len(want) != n {
				t.Errorf("go mod edit lists %d requirements, the file has %d require lines", len(want), n)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPackageFields(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdata, "go116", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Package{
		{
			Ecosystem: model.EcosystemGo, Name: "github.com/aquasecurity/go-dep-parser", Version: "v0.0.0-20211224170007-df43bca6b6ff",
			PURL:    "pkg:golang/github.com/aquasecurity/go-dep-parser@v0.0.0-20211224170007-df43bca6b6ff",
			Manager: model.ManagerGoMod, Extractor: Name,
		},
		{
			Ecosystem: model.EcosystemGo, Name: "gopkg.in/yaml.v3", Version: "v3.0.0-20210107192922-496545a6307b",
			PURL:    "pkg:golang/gopkg.in/yaml.v3@v3.0.0-20210107192922-496545a6307b",
			Manager: model.ManagerGoMod, Extractor: Name,
		},
	}
	if diff := cmp.Diff(want, extractData(t, data)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestReplace adds replace directives to the real go116 go.mod.
func TestReplace(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdata, "go116", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, replace string
		want          []string
	}{
		{"none", "", []string{"github.com/aquasecurity/go-dep-parser@v0.0.0-20211224170007-df43bca6b6ff", "gopkg.in/yaml.v3@v3.0.0-20210107192922-496545a6307b"}},
		{"all versions", "replace gopkg.in/yaml.v3 => github.com/fork/yaml v3.0.1\n",
			[]string{"github.com/aquasecurity/go-dep-parser@v0.0.0-20211224170007-df43bca6b6ff", "github.com/fork/yaml@v3.0.1"}},
		{"exact version", "replace gopkg.in/yaml.v3 v3.0.0-20210107192922-496545a6307b => gopkg.in/yaml.v3 v3.0.1\n",
			[]string{"github.com/aquasecurity/go-dep-parser@v0.0.0-20211224170007-df43bca6b6ff", "gopkg.in/yaml.v3@v3.0.1"}},
		{"other version", "replace gopkg.in/yaml.v3 v3.0.0 => gopkg.in/yaml.v3 v3.0.1\n",
			[]string{"github.com/aquasecurity/go-dep-parser@v0.0.0-20211224170007-df43bca6b6ff", "gopkg.in/yaml.v3@v3.0.0-20210107192922-496545a6307b"}},
		{"local directory", "replace (\n\tgithub.com/aquasecurity/go-dep-parser => ../go-dep-parser\n)\n",
			[]string{"gopkg.in/yaml.v3@v3.0.0-20210107192922-496545a6307b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range extractData(t, append(append([]byte(nil), data...), tc.replace...)) {
				got = append(got, p.Name+"@"+p.Version)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	for name, data := range map[string][]byte{
		"syntax":    []byte("module x\nrequire (\n"),
		"too large": bytes.Repeat([]byte("// comment\n"), MaxSize/10),
	} {
		_, err := New().Extract(context.Background(), input(data))
		var pe *extract.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: want ParseError, got %v", name, err)
		}
	}
}

func TestRequired(t *testing.T) {
	for path, want := range map[string]bool{
		"/src/app/go.mod": true, "/go.mod": true, "/src/app/go.sum": false,
		"/root/go/pkg/mod/github.com/x/y@v1.0.0/go.mod": false, "/src/app/vendor/github.com/x/go.mod": false,
		"/src/app/go.mod.bak": false,
	} {
		if got := New().Required(extract.FileInfo{Path: path, Size: 1000}); got != want {
			t.Errorf("Required(%q) = %v, want %v", path, got, want)
		}
	}
}

func FuzzExtract(f *testing.F) {
	for _, dir := range []string{"module", "go116"} {
		data, err := os.ReadFile(filepath.Join(testdata, dir, "go.mod"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("module m\nreplace a => b v1.0.0\nrequire a v0.1.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := New().Extract(context.Background(), input(data))
		if err != nil && pkgs != nil {
			t.Error("packages with an error")
		}
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" || !strings.HasPrefix(p.PURL, "pkg:golang/") {
				t.Errorf("incomplete package %+v", p)
			}
		}
	})
}
