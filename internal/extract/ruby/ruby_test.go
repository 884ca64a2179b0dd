package ruby

import (
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

const pkgdb = "../../../../shared/testdata/pkgdb/ruby/"

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

var naiveSpec = regexp.MustCompile(`^    ([^ ]+) \(([^)-]+)(?:-([^)]+))?\)$`)

// naiveLock is an independent reading: every 4-space "name (version)" line
// under a GEM or GIT header.
func naiveLock(b []byte) []model.Package {
	var out []model.Package
	section := ""
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && l[0] != ' ' {
			section = l
			continue
		}
		if m := naiveSpec.FindStringSubmatch(l); m != nil && (section == "GEM" || section == "GIT") {
			out = append(out, newPackage(m[1], m[2], m[3], model.ManagerBundler))
		}
	}
	return out
}

func TestGemfileLockRealFiles(t *testing.T) {
	tests := []struct {
		file  string
		count int // grep of spec lines minus PATH and BAD-SECTION entries
		check model.Package
	}{
		{file: "Gemfile.lock", count: 51, check: newPackage("turbolinks", "3.0.0", "", model.ManagerBundler)},
		{file: "Gemfile.rails.lock", count: 46, check: model.Package{
			Ecosystem: model.EcosystemRubyGems, Name: "nokogiri", Version: "1.13.3",
			PURL: "pkg:gem/nokogiri@1.13.3?platform=x86_64-linux", Manager: model.ManagerBundler,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b := readFile(t, pkgdb+tc.file)
			got, err := NewGemfileLock().Extract(context.Background(), input(t, "/app/Gemfile.lock", b))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(naiveLock(b), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(got) != tc.count {
				t.Errorf("got %d packages, want %d", len(got), tc.count)
			}
			found := false
			for _, p := range got {
				if p.Name == "google-cloud-errors" || strings.HasPrefix(p.Name, "bad-") {
					t.Errorf("PATH or unknown-section gem reported: %s", p.Name)
				}
				if cmp.Equal(p, tc.check) {
					found = true
				}
			}
			if !found {
				t.Errorf("missing %+v", tc.check)
			}
		})
	}
}

func TestGemfileLockMalformed(t *testing.T) {
	_, err := NewGemfileLock().Extract(context.Background(), input(t, "/Gemfile.lock",
		[]byte("GEM\n  specs:\n    broken-line\n")))
	var pe *extract.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want ParseError", err)
	}
}

func TestGemspecRealFiles(t *testing.T) {
	tests := []struct {
		file string
		want model.Package
	}{
		{"rss-0.2.9.gemspec", newPackage("rss", "0.2.9", "", model.ManagerGemspec)},
		{"yaml-0.2.1.gemspec", newPackage("yaml", "0.2.1", "", model.ManagerGemspec)},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := NewGemspec().Extract(context.Background(),
				input(t, "/usr/lib/ruby/gems/3.1.0/specifications/"+tc.file, readFile(t, "testdata/"+tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]model.Package{tc.want}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got[0].PURL != "pkg:gem/"+tc.want.Name+"@"+tc.want.Version {
				t.Errorf("purl %q", got[0].PURL)
			}
		})
	}
}

func TestGemspecComputedVersion(t *testing.T) {
	_, err := NewGemspec().Extract(context.Background(), input(t, "/specifications/x.gemspec",
		[]byte("Gem::Specification.new do |s|\n  s.name = \"x\"\n  s.version = X::VERSION\nend\n")))
	var pe *extract.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want ParseError", err)
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		e    extract.Extractor
		path string
		want bool
	}{
		{NewGemfileLock(), "/app/Gemfile.lock", true},
		{NewGemfileLock(), "/app/gems.locked", true},
		{NewGemfileLock(), "/app/Gemfile", false},
		{NewGemspec(), "/usr/lib/ruby/gems/3.1.0/specifications/rss-0.2.9.gemspec", true},
		{NewGemspec(), "/usr/lib/ruby/gems/3.1.0/specifications/default/yaml-0.2.1.gemspec", true},
		{NewGemspec(), "/src/rss/rss.gemspec", false},
		{NewGemspec(), "/src/default/rss.gemspec", false},
	}
	for _, tc := range tests {
		if got := tc.e.Required(extract.FileInfo{Path: tc.path}); got != tc.want {
			t.Errorf("%s.Required(%q) = %v, want %v", tc.e.Name(), tc.path, got, tc.want)
		}
	}
}

func FuzzGemfileLock(f *testing.F) {
	f.Add(readFile(f, pkgdb+"Gemfile.lock"))
	f.Add(readFile(f, pkgdb+"Gemfile.rails.lock"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = NewGemfileLock().Extract(context.Background(), input(t, "/Gemfile.lock", b))
	})
}

func FuzzGemspec(f *testing.F) {
	f.Add(readFile(f, "testdata/rss-0.2.9.gemspec"))
	f.Add(readFile(f, "testdata/yaml-0.2.1.gemspec"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = NewGemspec().Extract(context.Background(), input(t, "/specifications/x.gemspec", b))
	})
}
