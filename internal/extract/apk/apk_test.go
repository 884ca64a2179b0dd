package apk

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

const testdata = "../../../../shared/testdata/pkgdb/apk"

func input(data []byte) *extract.Input {
	lim := extract.DefaultLimits()
	return &extract.Input{
		FileInfo: extract.FileInfo{Path: InstalledPath, Mode: 0o644, Size: int64(len(data))},
		Reader:   bytes.NewReader(data),
		ReaderAt: bytes.NewReader(data),
		Limits:   &lim,
		TempDir:  os.TempDir(),
	}
}

func extractFile(t testing.TB, name string) []model.Package {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := New().Extract(context.Background(), input(data))
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func apkPkg(name, version, origin, license, purl string) model.Package {
	return model.Package{
		Ecosystem: model.EcosystemAlpine, Name: name, Version: version, Arch: "x86_64",
		SourceName: origin, SourceVersion: version, PURL: purl, Licenses: []string{license},
		Manager: model.ManagerOS, Extractor: Name,
	}
}

func TestExtractGolden(t *testing.T) {
	want := []model.Package{
		apkPkg("bash", "5.2.21-r0", "bash", "GPL-3.0-or-later", "pkg:apk/alpine/bash@5.2.21-r0?arch=x86_64"),
		apkPkg("busybox-binsh", "1.36.1-r15", "busybox", "GPL-2.0-only", "pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&upstream=busybox"),
		apkPkg("musl", "1.2.4_git20230717-r4", "musl", "MIT", "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64"),
		apkPkg("readline", "8.2.1-r2", "readline", "GPL-2.0-or-later", "pkg:apk/alpine/readline@8.2.1-r2?arch=x86_64"),
	}
	if diff := cmp.Diff(want, extractFile(t, "installed.syft-multiple-1")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestExtractAllFiles checks every database against a plain reading of
// its paragraphs.
func TestExtractAllFiles(t *testing.T) {
	counts := map[string]int{
		"installed.scalibr": 15, "installed.syft-image-pkg-coverage": 2,
		"installed.syft-multiple-1": 4, "installed.syft-multiple-2": 14,
	}
	for name, n := range counts {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(testdata, name))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, para := range strings.Split(strings.TrimSpace(string(data)), "\n\n") {
				f := map[byte]string{}
				for _, l := range strings.Split(para, "\n") {
					if len(l) > 2 && l[1] == ':' {
						f[l[0]] = l[2:]
					}
				}
				want = append(want, strings.Join([]string{f['P'], f['V'], f['A'], f['o'], f['L']}, "|"))
			}
			var got []string
			for _, p := range extractFile(t, name) {
				got = append(got, strings.Join([]string{p.Name, p.Version, p.Arch, p.SourceName, strings.Join(p.Licenses, "")}, "|"))
			}
			if len(got) != n {
				t.Errorf("got %d packages, want %d", len(got), n)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestQualify(t *testing.T) {
	tests := []struct {
		name string
		os   *model.OS
		eco  model.Ecosystem
		purl string
	}{
		{"nil", nil, model.EcosystemAlpine, "pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&upstream=busybox"},
		{"alpine", &model.OS{ID: "alpine", VersionID: "3.18.4", Ecosystem: model.EcosystemAlpine}, model.EcosystemAlpine,
			"pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&distro=alpine-3.18.4&upstream=busybox"},
		{"wolfi", &model.OS{ID: "wolfi", VersionID: "20220914", Ecosystem: model.EcosystemWolfi}, model.EcosystemWolfi,
			"pkg:apk/wolfi/busybox-binsh@1.36.1-r15?arch=x86_64&distro=wolfi-20220914&upstream=busybox"},
		{"chainguard", &model.OS{ID: "chainguard", Ecosystem: model.EcosystemChainguard}, model.EcosystemChainguard,
			"pkg:apk/chainguard/busybox-binsh@1.36.1-r15?arch=x86_64&distro=chainguard&upstream=busybox"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := apkPkg("busybox-binsh", "1.36.1-r15", "busybox", "GPL-2.0-only", "pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&upstream=busybox")
			Qualify(&p, tc.os)
			if diff := cmp.Diff([]string{string(tc.eco), tc.purl}, []string{string(p.Ecosystem), p.PURL}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequired(t *testing.T) {
	for path, want := range map[string]bool{
		"/lib/apk/db/installed": true, "/lib/apk/db/installed.bak": false,
		"/usr/lib/apk/db/installed": true, "/x/lib/apk/db/installed": false, "/lib/apk/db/scripts.tar": false,
	} {
		if got := New().Required(extract.FileInfo{Path: path}); got != want {
			t.Errorf("Required(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestBadInput(t *testing.T) {
	_, err := New().Extract(context.Background(), input([]byte("P:a\nnot a field\n")))
	var pe *extract.ParseError
	if !errors.As(err, &pe) {
		t.Errorf("want ParseError, got %v", err)
	}
	got, err := New().Extract(context.Background(), input([]byte("P:a\nV:1-r0\nT:"+strings.Repeat("x", 1<<20)+"\n")))
	if err != nil || len(got) != 1 {
		t.Errorf("long line: %d packages, %v", len(got), err)
	}
}

func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(testdata, "installed.*"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := New().Extract(context.Background(), input(data))
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
