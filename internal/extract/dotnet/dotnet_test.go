package dotnet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

const pkgdb = "../../../../shared/testdata/pkgdb/dotnet/"

func input(t testing.TB, path string, b []byte) *extract.Input {
	t.Helper()
	l := extract.DefaultLimits()
	return &extract.Input{
		FileInfo: extract.FileInfo{Path: path, Mode: 0o644, Size: int64(len(b))},
		Reader:   bytes.NewReader(b), ReaderAt: bytes.NewReader(b), Limits: &l,
	}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func nuget(name, version string, m model.PackageManager) model.Package {
	return model.Package{Ecosystem: model.EcosystemNuGet, Name: name, Version: version,
		PURL: "pkg:nuget/" + name + "@" + version, Manager: m}
}

// naiveLock reads a packages.lock.json through untyped JSON, independently
// of the extractor's structs.
func naiveLock(t *testing.T, b []byte) []model.Package {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[[2]string]bool{}
	var out []model.Package
	for _, fw := range doc["dependencies"].(map[string]any) {
		for name, d := range fw.(map[string]any) {
			dep := d.(map[string]any)
			k := [2]string{name, dep["resolved"].(string)}
			if dep["type"] == "Project" || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, nuget(k[0], k[1], model.ManagerNuGet))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Version < out[j].Version
	})
	return out
}

func TestLockRealFiles(t *testing.T) {
	tests := []struct {
		file  string
		count int // counted with a separate script over the JSON
		exact []model.Package
	}{
		{file: "packages.lock.json", count: 51},
		{file: "packages.lock.scalibr.json", count: 8, exact: []model.Package{
			nuget("Another.Longer.Name.Dep", "4.5.4", model.ManagerNuGet),
			nuget("Core.Dep", "1.24.0", model.ManagerNuGet),
			nuget("Some.Dep.Five", "4.7.2", model.ManagerNuGet),
			nuget("Some.Dep.Four", "4.5.0", model.ManagerNuGet),
			nuget("Some.Dep.One", "1.1.1", model.ManagerNuGet),
			nuget("Some.Dep.Three", "1.0.2", model.ManagerNuGet),
			nuget("Some.Dep.Two", "4.6.0", model.ManagerNuGet),
			nuget("Some.Longer.Name.Dep", "4.7.2", model.ManagerNuGet),
		}},
		{file: "packages.lock.trivy.json", count: 2, exact: []model.Package{
			nuget("Newtonsoft.Json", "12.0.3", model.ManagerNuGet),
			nuget("NuGet.Frameworks", "5.7.0", model.ManagerNuGet),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b := readFile(t, pkgdb+tc.file)
			got, err := NewLock().Extract(context.Background(), input(t, "/src/packages.lock.json", b))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(naiveLock(t, b), got); diff != "" {
				t.Errorf("naive reading (-want +got):\n%s", diff)
			}
			if len(got) != tc.count {
				t.Errorf("got %d, want %d", len(got), tc.count)
			}
			if tc.exact != nil {
				if diff := cmp.Diff(tc.exact, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestLockSkipsProjectsAndDedupes(t *testing.T) {
	// Built from the real trivy lockfile's entries, with a second framework
	// repeating one of them and a Project reference added.
	data := []byte(`{"version":1,"dependencies":{
	  ".NETCoreApp,Version=v5.0":{"Newtonsoft.Json":{"type":"Direct","requested":"[12.0.3, )","resolved":"12.0.3"},
	    "MyLib":{"type":"Project"}},
	  "net6.0":{"Newtonsoft.Json":{"type":"Direct","requested":"[12.0.3, )","resolved":"12.0.3"}}}}`)
	got, err := NewLock().Extract(context.Background(), input(t, "/packages.lock.json", data))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]model.Package{nuget("Newtonsoft.Json", "12.0.3", model.ManagerNuGet)}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDepsRealFile(t *testing.T) {
	got, err := NewDeps().Extract(context.Background(), input(t, "/app/TestLibrary.deps.json", readFile(t, "testdata/valid.deps.json")))
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Package{
		nuget("AWSSDK.Core", "3.7.10.6", model.ManagerDotnet),
		nuget("Microsoft.Extensions.DependencyInjection", "6.0.0", model.ManagerDotnet),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestErrors(t *testing.T) {
	for _, e := range []extract.Extractor{NewLock(), NewDeps()} {
		_, err := e.Extract(context.Background(), input(t, "/x.deps.json", []byte(`{"dependencies": 5, "libraries": 5}`)))
		var pe *extract.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want ParseError", e.Name(), err)
		}
		in := input(t, "/x.deps.json", readFile(t, pkgdb+"packages.lock.json"))
		in.Limits.MaxFileSize = 10
		_, err = e.Extract(context.Background(), in)
		var le *extract.LimitError
		if !errors.As(err, &le) {
			t.Errorf("%s: err = %v, want LimitError", e.Name(), err)
		}
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		e    extract.Extractor
		path string
		want bool
	}{
		{NewLock(), "/src/App/packages.lock.json", true},
		{NewLock(), "/src/App/package-lock.json", false},
		{NewDeps(), "/app/App.deps.json", true},
		{NewDeps(), "/app/.deps.json", false},
		{NewDeps(), "/app/App.runtimeconfig.json", false},
	}
	for _, tc := range tests {
		if got := tc.e.Required(extract.FileInfo{Path: tc.path}); got != tc.want {
			t.Errorf("%s.Required(%q) = %v, want %v", tc.e.Name(), tc.path, got, tc.want)
		}
	}
}

func FuzzDotnet(f *testing.F) {
	for _, n := range []string{"packages.lock.json", "packages.lock.scalibr.json", "packages.lock.trivy.json"} {
		f.Add(readFile(f, pkgdb+n))
	}
	f.Add(readFile(f, "testdata/valid.deps.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = NewLock().Extract(context.Background(), input(t, "/packages.lock.json", b))
		_, _ = NewDeps().Extract(context.Background(), input(t, "/a.deps.json", b))
	})
}
