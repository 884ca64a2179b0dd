package dpkg

import (
	"bytes"
	"context"
	"errors"
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

const testdata = "../../../../shared/testdata/pkgdb/dpkg"

func extractFile(t testing.TB, file, path string) []model.Package {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := New().Extract(context.Background(), input(path, data))
	if err != nil {
		t.Fatalf("Extract(%s): %v", file, err)
	}
	return pkgs
}

func input(path string, data []byte) *extract.Input {
	lim := extract.DefaultLimits()
	return &extract.Input{
		FileInfo: extract.FileInfo{Path: path, Mode: 0o644, Size: int64(len(data))},
		Reader:   bytes.NewReader(data),
		ReaderAt: bytes.NewReader(data),
		Limits:   &lim,
		TempDir:  os.TempDir(),
	}
}

// row is the part of a package that dpkg-query can tell independently.
type row struct{ Name, Version, Arch, SourceName, SourceVersion string }

func rows(pkgs []model.Package) []row {
	var out []row
	for _, p := range pkgs {
		r := row{p.Name, p.Version, p.Arch, p.SourceName, p.SourceVersion}
		if r.SourceName == "" { // own source: dpkg-query prints the package
			r.SourceName, r.SourceVersion = p.Name, p.Version
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// dpkgQuery lists the installed packages of a status file with dpkg itself.
func dpkgQuery(t *testing.T, file string) []row {
	t.Helper()
	bin, err := exec.LookPath("dpkg-query")
	if err != nil {
		t.Skip("dpkg-query not installed: cannot cross-check status files")
	}
	admin := t.TempDir()
	for _, d := range []string{"updates", "info"} {
		if err := os.Mkdir(filepath.Join(admin, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(admin, "status"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--admindir="+admin, "-W", "-f",
		`${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n`)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dpkg-query: %v", err)
	}
	var want []row
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 6 {
			t.Fatalf("dpkg-query line %q", l)
		}
		if f[0] != "installed" {
			continue
		}
		want = append(want, row{f[1], f[2], f[3], f[4], f[5]})
	}
	sort.Slice(want, func(i, j int) bool { return want[i].Name < want[j].Name })
	return want
}

func TestStatusFilesAgainstDpkgQuery(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testdata, "status", "*.status"))
	if err != nil || len(files) != 5 {
		t.Fatalf("want 5 status files, got %d (%v)", len(files), err)
	}
	counts := map[string]int{
		"ubuntu-18.04-texlive.status": 357, "ubuntu-18.04-base.status": 90,
		"debian-10-postgresql.status": 3, "debian-small.status": 7,
		"syft-image-pkg-coverage.status": 1,
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			got := extractFile(t, f, StatusPath)
			if n := counts[filepath.Base(f)]; len(got) != n {
				t.Errorf("got %d packages, want %d", len(got), n)
			}
			if diff := cmp.Diff(dpkgQuery(t, f), rows(got)); diff != "" {
				t.Errorf("packages differ from dpkg-query (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatusDFiles(t *testing.T) {
	tests := []struct {
		file string
		want []model.Package
	}{
		{"status.d/distroless-debian/libsqlite3-0", []model.Package{
			deb("libsqlite3-0", "3.34.1-3", "arm64", "sqlite3", "3.34.1-3",
				"pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64&upstream=sqlite3"),
		}},
		{"status.d/image-pkg-coverage/dash", []model.Package{
			deb("dash", "0.5.8-2.4", "amd64", "", "", "pkg:deb/debian/dash@0.5.8-2.4?arch=amd64"),
		}},
		{"status.d/image-pkg-coverage/netbase", []model.Package{
			deb("netbase", "5.4", "all", "", "", "pkg:deb/debian/netbase@5.4?arch=all"),
		}},
		{"status.d/scalibr/foo", []model.Package{ // bar is deinstalled
			deb("foo", "1.2.3", "amd64", "", "", "pkg:deb/debian/foo@1.2.3?arch=amd64"),
		}},
		{"status.d/cataloger/deinstall", []model.Package{
			deb("linux-image-6.14.0-1012-aws", "6.14.0-1012.12~24.04.1", "amd64", "linux-signed-aws-6.14", "6.14.0-1012.12~24.04.1",
				"pkg:deb/debian/linux-image-6.14.0-1012-aws@6.14.0-1012.12~24.04.1?arch=amd64&upstream=linux-signed-aws-6.14"),
		}},
		{"status.d/cataloger/multiple", []model.Package{ // "Package:" and no-version have no version
			deb("tzdata", "2020a-0+deb10u1", "all", "tzdata-dev", "2020a-0+deb10u1",
				"pkg:deb/debian/tzdata@2020a-0%2Bdeb10u1?arch=all&upstream=tzdata-dev"),
			deb("util-linux", "2.33.1-0.1", "amd64", "", "", "pkg:deb/debian/util-linux@2.33.1-0.1?arch=amd64"),
		}},
		{"status.d/cataloger/libpam-runtime", []model.Package{ // the other stanzas are bare names
			deb("libpam-runtime", "1.5.2-6+deb12u1", "all", "pam", "1.5.2-6+deb12u1",
				"pkg:deb/debian/libpam-runtime@1.5.2-6%2Bdeb12u1?arch=all&upstream=pam"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got := extractFile(t, filepath.Join(testdata, tc.file), StatusDir+"/"+filepath.Base(tc.file))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Extract mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func deb(name, version, arch, src, srcVersion, purl string) model.Package {
	return model.Package{
		Ecosystem: model.EcosystemDebian, Name: name, Version: version, Arch: arch,
		SourceName: src, SourceVersion: srcVersion, PURL: purl,
		Manager: model.ManagerOS, Extractor: Name,
	}
}

// TestStatusDAllFiles checks every status.d stanza file against a plain
// reading: stanzas split on blank lines, a package for each one with a name,
// a version and no Status or an installed one.
func TestStatusDAllFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testdata, "status.d", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		path := StatusDir + "/" + filepath.Base(f)
		if !New().Required(extract.FileInfo{Path: path}) {
			continue
		}
		checked++
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, para := range strings.Split(strings.ReplaceAll(string(data), "\r", ""), "\n\n") {
			fields := map[string]string{}
			for _, l := range strings.Split(para, "\n") {
				if k, v, ok := strings.Cut(l, ":"); ok && !strings.HasPrefix(l, " ") {
					fields[k] = strings.TrimSpace(v)
				}
			}
			st := fields["Status"]
			if fields["Package"] != "" && fields["Version"] != "" && (st == "" || strings.HasSuffix(st, " installed")) {
				want = append(want, fields["Package"]+"="+fields["Version"])
			}
		}
		var got []string
		for _, p := range extractFile(t, f, path) {
			got = append(got, p.Name+"="+p.Version)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", f, diff)
		}
	}
	if checked != 10 {
		t.Errorf("checked %d stanza files, want 10 (12 files less 2 .md5sums)", checked)
	}
}

func TestSourceAndEpoch(t *testing.T) {
	got := extractFile(t, filepath.Join(testdata, "status.d/cataloger/coreutils-relationships"), StatusDir+"/coreutils")
	byName := map[string]model.Package{}
	for _, p := range got {
		byName[p.Name] = p
	}
	tests := []struct{ name, version, src, srcVersion, purl string }{
		{"libselinux1", "3.4-1+b6", "libselinux", "3.4-1", "pkg:deb/debian/libselinux1@3.4-1%2Bb6?arch=arm64&upstream=libselinux%403.4-1"},
		{"libattr1", "1:2.5.1-4", "attr", "1:2.5.1-4", "pkg:deb/debian/libattr1@1:2.5.1-4?arch=arm64&upstream=attr"},
		{"libgmp10", "2:6.2.1+dfsg1-1.1", "gmp", "2:6.2.1+dfsg1-1.1", "pkg:deb/debian/libgmp10@2:6.2.1%2Bdfsg1-1.1?arch=arm64&upstream=gmp"},
		{"coreutils", "9.1-1", "", "", "pkg:deb/debian/coreutils@9.1-1?arch=arm64"},
	}
	for _, tc := range tests {
		p, ok := byName[tc.name]
		if !ok {
			t.Errorf("%s missing", tc.name)
			continue
		}
		got := []string{p.Version, p.SourceName, p.SourceVersion, p.PURL}
		if diff := cmp.Diff([]string{tc.version, tc.src, tc.srcVersion, tc.purl}, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestQualify(t *testing.T) {
	base := deb("libselinux1", "3.4-1+b6", "amd64", "libselinux", "3.4-1", "")
	tests := []struct {
		name    string
		os      *model.OS
		wantEco model.Ecosystem
		purl    string
	}{
		{"nil os", nil, model.EcosystemDebian, ""},
		{"debian", &model.OS{ID: "debian", VersionID: "12", Ecosystem: model.EcosystemDebian}, model.EcosystemDebian,
			"pkg:deb/debian/libselinux1@3.4-1%2Bb6?arch=amd64&distro=debian-12&upstream=libselinux%403.4-1"},
		{"ubuntu", &model.OS{ID: "ubuntu", VersionID: "22.04", Ecosystem: model.EcosystemUbuntu}, model.EcosystemUbuntu,
			"pkg:deb/ubuntu/libselinux1@3.4-1%2Bb6?arch=amd64&distro=ubuntu-22.04&upstream=libselinux%403.4-1"},
		{"unknown derivative", &model.OS{ID: "pop", Unknown: true}, model.EcosystemDebian,
			"pkg:deb/pop/libselinux1@3.4-1%2Bb6?arch=amd64&distro=pop&upstream=libselinux%403.4-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			Qualify(&p, tc.os)
			if diff := cmp.Diff([]string{string(tc.wantEco), tc.purl}, []string{string(p.Ecosystem), p.PURL}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/var/lib/dpkg/status", true},
		{"/var/lib/dpkg/status.d/libc6", true},
		{"/var/lib/dpkg/status.d/libgtk2.0-0", true},
		{"/var/lib/dpkg/status.d/libc6.md5sums", false},
		{"/var/lib/dpkg/status.d/.hidden", false},
		{"/var/lib/dpkg/status.d/a/b", false},
		{"/var/lib/dpkg/status-old", false},
		{"/var/lib/dpkg/available", false},
		{"/x/var/lib/dpkg/status", false},
	}
	for _, tc := range tests {
		if got := New().Required(extract.FileInfo{Path: tc.path}); got != tc.want {
			t.Errorf("Required(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestBadInput(t *testing.T) {
	_, err := New().Extract(context.Background(), input(StatusPath, []byte("Package: a\nthis is not a field\n")))
	var pe *extract.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("want ParseError, got %v", err)
	}
	long := "Package: a\nVersion: 1\nStatus: install ok installed\nDescription: x\n " + strings.Repeat("y", 1<<20) + "\n"
	got, err := New().Extract(context.Background(), input(StatusPath, []byte(long)))
	if err != nil || len(got) != 1 {
		t.Fatalf("long continuation line: %d packages, %v", len(got), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	big := bytes.Repeat([]byte("Package: a\nVersion: 1\n\n"), 10000)
	if _, err := New().Extract(ctx, input(StatusPath, big)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestFieldNamesCaseInsensitive(t *testing.T) {
	got, err := New().Extract(context.Background(), input(StatusPath, []byte("package: a\nVERSION: 1:2-3\nstatus: install ok installed\narchitecture: all\n")))
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Package{deb("a", "1:2-3", "all", "", "", "pkg:deb/debian/a@1:2-3?arch=all")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func BenchmarkStatusTexlive(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(testdata, "status", "ubuntu-18.04-texlive.status"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		pkgs, err := New().Extract(context.Background(), input(StatusPath, data))
		if err != nil || len(pkgs) != 357 {
			b.Fatalf("%d packages, %v", len(pkgs), err)
		}
	}
}

func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(testdata, "status", "*.status"))
	more, _ := filepath.Glob(filepath.Join(testdata, "status.d", "*", "*"))
	for _, name := range append(files, more...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 64<<10 {
			data = data[:64<<10]
		}
		f.Add(data, strings.HasPrefix(filepath.Base(filepath.Dir(name)), "status"))
	}
	f.Fuzz(func(t *testing.T, data []byte, statusFile bool) {
		path := StatusDir + "/x"
		if statusFile {
			path = StatusPath
		}
		pkgs, err := New().Extract(context.Background(), input(path, data))
		if err != nil && pkgs != nil {
			t.Error("packages returned with an error")
		}
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" || p.PURL == "" {
				t.Errorf("incomplete package %+v", p)
			}
		}
	})
}
