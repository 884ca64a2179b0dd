package rpm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/package-url/packageurl-go"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

const pkgdb = "../../../../shared/testdata/pkgdb/rpm"

// databases are the five real rpm databases, each with its golden listing
// (testdata/<name>.golden: name, version, arch, source name, source
// version, licence). The listings of the Berkeley DB and SQLite databases
// are checked against `rpm -qa` by TestAgainstRPM; the NDB listing has the
// 35 packages its 35 used slots and 35 blob headers hold (Debian's rpm is
// built without NDB support).
var databases = []struct {
	name, file, backend string
	count               int
}{
	{"bdb-libuuid", "bdb/libuuid/Packages", "bdb_ro", 1},
	{"bdb-scalibr-epoch", "bdb/scalibr-epoch/Packages", "bdb_ro", 1},
	{"bdb-syft", "bdb/syft/Packages", "bdb_ro", 1},
	{"ndb-sle15-bci", "ndb/sle15-bci/Packages.db", "ndb", 35},
	{"sqlite-cbl-mariner-2.0", "sqlite/cbl-mariner-2.0/rpmdb.sqlite", "sqlite", 129},
}

func input(t testing.TB, path string, data []byte) *extract.Input {
	lim := extract.DefaultLimits()
	return &extract.Input{
		FileInfo: extract.FileInfo{Path: path, Mode: 0o644, Size: int64(len(data))},
		Reader:   bytes.NewReader(data),
		ReaderAt: bytes.NewReader(data),
		Limits:   &lim,
		TempDir:  t.TempDir(),
	}
}

func extractDBFile(t testing.TB, file string) []model.Package {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(pkgdb, file))
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := New().Extract(context.Background(), input(t, "/var/lib/rpm/"+filepath.Base(file), data))
	if err != nil {
		t.Fatalf("Extract(%s): %v", file, err)
	}
	return pkgs
}

func listing(pkgs []model.Package) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, strings.Join([]string{p.Name, p.Version, p.Arch, p.SourceName, p.SourceVersion, strings.Join(p.Licenses, "|")}, "\t"))
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			got := extractDBFile(t, db.file)
			if len(got) != db.count {
				t.Errorf("got %d packages, want %d", len(got), db.count)
			}
			golden, err := os.ReadFile(filepath.Join("testdata", db.name+".golden"))
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Split(strings.TrimSuffix(string(golden), "\n"), "\n")
			if diff := cmp.Diff(want, listing(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for _, p := range got {
				u, err := packageurl.FromString(p.PURL)
				if err != nil || u.Type != "rpm" || u.Name != p.Name || p.Ecosystem != model.EcosystemRedHat || p.Manager != model.ManagerOS || p.Extractor != Name {
					t.Errorf("bad package fields %+v", p)
				}
			}
		})
	}
}

// TestAgainstRPM lists each database with rpm itself, when it is installed
// and supports the format.
func TestAgainstRPM(t *testing.T) {
	bin, err := exec.LookPath("rpm")
	if err != nil {
		t.Skip("rpm not installed: golden listings not cross-checked")
	}
	const qf = `%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\n`
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			dir := t.TempDir()
			data, err := os.ReadFile(filepath.Join(pkgdb, db.file))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(db.file)), data, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "--define", "_db_backend "+db.backend, "--dbpath", dir, "-qa", "--qf", qf)
			out, err := cmd.Output()
			if err != nil || len(out) == 0 {
				t.Skipf("rpm cannot read %s databases here (%v)", db.backend, err)
			}
			want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			var got []string
			for _, p := range extractDBFile(t, db.file) {
				vr := p.SourceVersion
				if _, after, ok := strings.Cut(vr, ":"); ok {
					vr = after
				}
				srpm := fmt.Sprintf("%s-%s.src.rpm", p.SourceName, vr)
				got = append(got, strings.Join([]string{p.Name, p.Version, p.Arch, srpm, strings.Join(p.Licenses, "")}, "\t"))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("differs from rpm -qa (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPackageFields(t *testing.T) {
	got := extractDBFile(t, "bdb/scalibr-epoch/Packages")
	want := []model.Package{{
		Ecosystem: model.EcosystemRedHat, Name: "hello", Version: "1:0.0.1-rls",
		SourceName: "hello", SourceVersion: "1:0.0.1-rls", Arch: "x86_64",
		PURL:    "pkg:rpm/hello@0.0.1-rls?arch=x86_64&epoch=1&upstream=hello-0.0.1-rls.src.rpm",
		Manager: model.ManagerOS, Extractor: Name, Licenses: []string{"GPL"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestQualify(t *testing.T) {
	base := extractDBFile(t, "bdb/scalibr-epoch/Packages")[0]
	tests := []struct {
		name string
		os   *model.OS
		eco  model.Ecosystem
		purl string
	}{
		{"nil", nil, model.EcosystemRedHat, base.PURL},
		{"rhel", &model.OS{ID: "rhel", VersionID: "9.0", Ecosystem: model.EcosystemRedHat}, model.EcosystemRedHat,
			"pkg:rpm/redhat/hello@0.0.1-rls?arch=x86_64&distro=rhel-9.0&epoch=1&upstream=hello-0.0.1-rls.src.rpm"},
		{"rocky", &model.OS{ID: "rocky", VersionID: "8.4", Ecosystem: model.EcosystemRocky}, model.EcosystemRocky,
			"pkg:rpm/rocky/hello@0.0.1-rls?arch=x86_64&distro=rocky-8.4&epoch=1&upstream=hello-0.0.1-rls.src.rpm"},
		{"sles", &model.OS{ID: "sles", VersionID: "15.2", Ecosystem: model.EcosystemSUSE}, model.EcosystemSUSE,
			"pkg:rpm/suse/hello@0.0.1-rls?arch=x86_64&distro=sles-15.2&epoch=1&upstream=hello-0.0.1-rls.src.rpm"},
		{"unknown photon", &model.OS{ID: "photon", VersionID: "2.0", Unknown: true}, model.EcosystemRedHat,
			"pkg:rpm/photon/hello@0.0.1-rls?arch=x86_64&distro=photon-2.0&epoch=1&upstream=hello-0.0.1-rls.src.rpm"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			Qualify(&p, tc.os)
			Qualify(&p, tc.os) // idempotent
			if diff := cmp.Diff([]string{string(tc.eco), tc.purl}, []string{string(p.Ecosystem), p.PURL}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSplitSourceRPM(t *testing.T) {
	tests := []struct{ in, name, vr string }{
		{"util-linux-2.32.1-42.el8_8.src.rpm", "util-linux", "2.32.1-42.el8_8"},
		{"glibc-2.34-2.cm2.src.rpm", "glibc", "2.34-2.cm2"},
		{"foo-1-2.nosrc.rpm", "foo", "1-2"},
		{"(none)", "", ""},
		{"x-1.src.rpm", "", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		name, vr, _ := splitSourceRPM(tc.in)
		if name != tc.name || vr != tc.vr {
			t.Errorf("splitSourceRPM(%q) = %q, %q; want %q, %q", tc.in, name, vr, tc.name, tc.vr)
		}
	}
}

func TestRequired(t *testing.T) {
	for path, want := range map[string]bool{
		"/var/lib/rpm/Packages": true, "/var/lib/rpm/Packages.db": true, "/var/lib/rpm/rpmdb.sqlite": true,
		"/usr/lib/sysimage/rpm/Packages": true, "/usr/lib/sysimage/rpm/rpmdb.sqlite": true,
		"/usr/lib/sysimage/rpm/Packages.db": true, "/var/lib/rpm/Name": false, "/var/lib/rpm/rpmdb.sqlite-shm": false,
	} {
		if got := New().Required(extract.FileInfo{Path: path}); got != want {
			t.Errorf("Required(%q) = %v, want %v", path, got, want)
		}
	}
}

// TestDamaged truncates and corrupts the real databases: every result must
// be a ParseError or a (possibly shorter) list, never a panic.
func TestDamaged(t *testing.T) {
	for _, db := range databases {
		data, err := os.ReadFile(filepath.Join(pkgdb, db.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 10, 100, 4096, len(data) / 2, len(data) - 1} {
			_, err := New().Extract(context.Background(), input(t, "/var/lib/rpm/Packages", data[:n]))
			var pe *extract.ParseError
			if err != nil && !errors.As(err, &pe) {
				t.Errorf("%s truncated to %d: %T %v", db.name, n, err, err)
			}
		}
	}
	_, err := New().Extract(context.Background(), input(t, "/var/lib/rpm/Packages", []byte("not a database at all")))
	if !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("garbage: %v", err)
	}
}

// TestBDBLoop points an overflow page of a real database back at itself.
func TestBDBLoop(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(pkgdb, "bdb/libuuid/Packages"))
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	looped := 0
	for pg := 1; (pg+1)*pageSize <= len(data); pg++ {
		page := data[pg*pageSize : (pg+1)*pageSize]
		if page[25] == bdbPageOverflow && binary.LittleEndian.Uint32(page[16:20]) != 0 {
			binary.LittleEndian.PutUint32(page[16:20], uint32(pg))
			looped++
			break
		}
	}
	if looped == 0 {
		t.Fatal("no chained overflow page in the database")
	}
	_, err = New().Extract(context.Background(), input(t, "/var/lib/rpm/Packages", data))
	var pe *extract.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("want ParseError for a looping chain, got %v", err)
	}
}

func BenchmarkSQLite(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(pkgdb, "sqlite/cbl-mariner-2.0/rpmdb.sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	in := input(b, "/var/lib/rpm/rpmdb.sqlite", data)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		in.ReaderAt = bytes.NewReader(data)
		pkgs, err := New().Extract(context.Background(), in)
		if err != nil || len(pkgs) != 129 {
			b.Fatalf("%d packages, %v", len(pkgs), err)
		}
	}
}

func BenchmarkNDB(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(pkgdb, "ndb/sle15-bci/Packages.db"))
	if err != nil {
		b.Fatal(err)
	}
	in := input(b, "/var/lib/rpm/Packages.db", data)
	for b.Loop() {
		pkgs, err := New().Extract(context.Background(), in)
		if err != nil || len(pkgs) != 35 {
			b.Fatalf("%d packages, %v", len(pkgs), err)
		}
	}
}
