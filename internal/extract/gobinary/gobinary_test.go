package gobinary

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

const goBinary = "../../../../shared/testdata/pkgdb/go/binary/binary_with_module_replacement-linux-amd64"

func input(path string, data []byte) *extract.Input {
	lim := extract.DefaultLimits()
	return &extract.Input{
		FileInfo: extract.FileInfo{Path: path, Mode: 0o755, Size: int64(len(data))},
		Reader:   bytes.NewReader(data),
		ReaderAt: bytes.NewReader(data),
		Limits:   &lim,
		TempDir:  os.TempDir(),
	}
}

func extractFile(t *testing.T, file string) []model.Package {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := New().Extract(context.Background(), input("/usr/local/bin/app", data))
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// goVersionM derives the expected packages from `go version -m`: the main
// module when versioned, each dep or its "=>" replacement when that has a
// version, and the toolchain as stdlib.
func goVersionM(t *testing.T, file string) []string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not installed: cannot derive the expected modules")
	}
	out, err := exec.Command(gobin, "version", "-m", file).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	var want []string
	lines := strings.Split(string(out), "\n")
	_, toolchain, _ := strings.Cut(lines[0], ": ")
	for _, l := range lines[1:] {
		f := strings.Split(strings.TrimPrefix(l, "\t"), "\t")
		switch {
		case len(f) >= 3 && f[0] == "mod" && f[2] != "(devel)":
			want = append(want, f[1]+"@"+f[2])
		case len(f) >= 3 && f[0] == "dep":
			want = append(want, f[1]+"@"+f[2])
		case len(f) >= 2 && f[0] == "=>":
			want = want[:len(want)-1]
			if len(f) >= 3 && f[2] != "" {
				want = append(want, f[1]+"@"+f[2])
			}
		}
	}
	want = append(want, "stdlib@"+strings.TrimPrefix(strings.TrimSpace(toolchain), "go"))
	sort.Strings(want)
	return want
}

func names(pkgs []model.Package) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, p.Name+"@"+p.Version)
	}
	sort.Strings(out)
	return out
}

func TestAgainstGoVersionM(t *testing.T) {
	files := []string{goBinary}
	if self, err := os.Executable(); err == nil {
		files = append(files, self) // this test binary: many real modules
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want := goVersionM(t, f)
			got := extractFile(t, f)
			if diff := cmp.Diff(want, names(got)); diff != "" {
				t.Errorf("differs from go version -m (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplacedModule(t *testing.T) {
	want := []model.Package{
		{
			Ecosystem: model.EcosystemGo, Name: "github.com/golang/xerrors", Version: "v0.0.0-20220907171357-04be3eba64a2",
			PURL:    "pkg:golang/github.com/golang/xerrors@v0.0.0-20220907171357-04be3eba64a2",
			Manager: model.ManagerGoBinary, Extractor: Name,
		},
		{
			Ecosystem: model.EcosystemGo, Name: "stdlib", Version: "1.22.0", PURL: "pkg:golang/stdlib@1.22.0",
			Manager: model.ManagerGoBinary, Extractor: Name,
		},
	}
	if diff := cmp.Diff(want, extractFile(t, goBinary)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNotGo(t *testing.T) {
	files, _ := filepath.Glob("../../../../shared/testdata/pkgdb/rpm/*/*/*")
	files = append(files, "../../../../shared/testdata/pkgdb/maven/jar/jackson-annotations-2.15.0-rc2.jar")
	for _, sys := range []string{"/bin/sh", "/usr/bin/dpkg-query"} {
		if _, err := os.Stat(sys); err == nil {
			files = append(files, sys) // real non-Go executables
		}
	}
	data, err := os.ReadFile(goBinary)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		got := extractFile(t, f)
		if len(got) != 0 {
			t.Errorf("%s: %d packages from a non-Go file", f, len(got))
		}
	}
	for _, n := range []int{0, 4, 64, 4096, len(data) / 2} {
		got, err := New().Extract(context.Background(), input("/bin/x", data[:n]))
		if err != nil || len(got) != 0 {
			t.Errorf("truncated to %d: %d packages, %v", n, len(got), err)
		}
	}
}

func TestToolchainVersion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"go1.22.0", "1.22.0"},
		{"go1.20", "1.20.0"},
		{"go1.9.2", "1.9.2"},
		{"go1.21rc2", "1.21.0-rc.2"},
		{"go1.18beta1", "1.18.0-beta.1"},
		{"go1.22.0 X:boringcrypto", "1.22.0"},
		{"go1.22.3-bigcorp", "1.22.3"},
		{"devel go1.23-4f2f3c1 Tue Jan 2 2024", ""},
		{"go1", ""},
		{"go1.x", ""},
		{"1.22.0", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := ToolchainVersion(tc.in); got != tc.want {
			t.Errorf("ToolchainVersion(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		path string
		mode os.FileMode
		size int64
		want bool
	}{
		{"/app/server", 0o755, 10 << 20, true},
		{"/usr/local/bin/kubectl", 0o644, 40 << 20, true},
		{"/opt/tool/bin/tool", 0o644, 5 << 20, true},
		{"/app/server.exe", 0o644, 5 << 20, true},
		{"/app/data.bin", 0o644, 5 << 20, false},
		{"/usr/bin/script.sh", 0o755, 5 << 20, false},
		{"/app/tiny", 0o755, 100, false},
		{"/app/huge", 0o755, 1 << 30, false},
		{"/app/dir", os.ModeDir | 0o755, 5 << 20, false},
		{"/app/link", os.ModeSymlink | 0o777, 5 << 20, false},
	}
	for _, tc := range tests {
		got := New().Required(extract.FileInfo{Path: tc.path, Mode: tc.mode, Size: tc.size})
		if got != tc.want {
			t.Errorf("Required(%s, %v, %d) = %v, want %v", tc.path, tc.mode, tc.size, got, tc.want)
		}
	}
}

func FuzzExtract(f *testing.F) {
	data, err := os.ReadFile(goBinary)
	if err != nil {
		f.Fatal(err)
	}
	// The whole 2 MB binary makes each run take ~60 ms; its ELF header and
	// the build information blob give the fuzzer the structures to mutate.
	f.Add(data[:4096])
	if i := bytes.Index(data, []byte("\xff Go buildinf:")); i >= 0 {
		f.Add(data[i:min(len(data), i+4096)])
	}
	f.Add([]byte("\x7fELF garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := New().Extract(context.Background(), input("/bin/x", data))
		if err != nil && pkgs != nil {
			t.Error("packages with an error")
		}
	})
}
