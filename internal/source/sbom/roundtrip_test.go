package sbom

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/report"
)

// inventory is shaped like an image inventory: Debian packages with source
// packages, an npm lockfile, a Go binary and a Maven jar.
func inventory() *model.Inventory {
	return &model.Inventory{
		Target: model.Target{Kind: model.TargetImage, Name: "app:1"},
		OS:     &model.OS{ID: "debian", VersionID: "12", Ecosystem: model.EcosystemDebian, Release: "12"},
		Packages: []model.Package{
			{Ecosystem: model.EcosystemDebian, Name: "libssl3", Version: "3.0.11-1~deb12u1", SourceName: "openssl", SourceVersion: "3.0.11-1~deb12u1",
				Arch: "amd64", PURL: "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12", Manager: model.ManagerOS, Path: "/var/lib/dpkg/status"},
			{Ecosystem: model.EcosystemDebian, Name: "tzdata", Version: "2024a-0+deb12u1",
				PURL: "pkg:deb/debian/tzdata@2024a-0+deb12u1?arch=all&distro=debian-12", Arch: "all", Manager: model.ManagerOS, Path: "/var/lib/dpkg/status"},
			{Ecosystem: model.EcosystemNPM, Name: "@babel/core", Version: "7.20.0", PURL: "pkg:npm/%40babel/core@7.20.0", Manager: model.ManagerNPM, Path: "/app/package-lock.json"},
			{Ecosystem: model.EcosystemGo, Name: "golang.org/x/net", Version: "v0.17.0", PURL: "pkg:golang/golang.org/x/net@v0.17.0", Manager: model.ManagerGoBinary, Path: "/usr/bin/app"},
			{Ecosystem: model.EcosystemMaven, Name: "org.apache.logging.log4j:log4j-core", Version: "2.14.1",
				PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", Manager: model.ManagerJar, Path: "/usr/share/java/log4j-core.jar"},
			{Ecosystem: model.EcosystemPyPI, Name: "pyyaml", Version: "6.0", PURL: "pkg:pypi/pyyaml@6.0", Manager: model.ManagerPython, Path: "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	inv := inventory()
	gen := report.Generator{Name: "vigil", Version: "test"}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer) error
		// upstream is the purl SPDX carries for libssl3: SPDX has no
		// source-package field, so the writer adds syft's qualifier.
		upstream string
	}{
		{"cyclonedx", func(b *bytes.Buffer) error { return report.WriteCycloneDXSBOM(b, inv, gen, now) }, ""},
		{"spdx", func(b *bytes.Buffer) error { return report.WriteSPDX(b, inv, gen, now) }, "&upstream=openssl%403.0.11-1~deb12u1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.write(&buf); err != nil {
				t.Fatal(err)
			}
			got, err := Read("bom.json", &buf)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(inv.OS, got.OS, cmpopts.IgnoreFields(model.OS{}, "PrettyName", "Codename")); diff != "" {
				t.Errorf("OS (-want +got):\n%s", diff)
			}
			want := append([]model.Package(nil), inv.Packages...)
			want[0].PURL += tc.upstream
			opts := []cmp.Option{cmpopts.IgnoreFields(model.Package{}, "Extractor", "Manager"),
				cmpopts.SortSlices(func(a, b model.Package) bool { return a.PURL < b.PURL })}
			if diff := cmp.Diff(want, got.Packages, opts...); diff != "" {
				t.Errorf("packages (-want +got):\n%s", diff)
			}
			if len(got.Issues) != 0 {
				t.Errorf("issues: %v", got.Issues)
			}
		})
	}
}

func TestPURLs(t *testing.T) {
	tests := []struct {
		purl   string
		want   model.Package
		distro string
	}{
		{"pkg:deb/ubuntu/libc6@2.35-0ubuntu3.6?arch=amd64&distro=ubuntu-22.04&upstream=glibc",
			model.Package{Ecosystem: model.EcosystemUbuntu, Name: "libc6", Version: "2.35-0ubuntu3.6", Arch: "amd64", SourceName: "glibc", Manager: model.ManagerOS}, "ubuntu-22.04"},
		{"pkg:rpm/almalinux/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm&distro=almalinux-9.4",
			model.Package{Ecosystem: model.EcosystemAlmaLinux, Name: "openssl-libs", Version: "1:3.0.7-27.el9", Arch: "x86_64", SourceName: "openssl", SourceVersion: "3.0.7-27.el9", Manager: model.ManagerOS}, "almalinux-9.4"},
		{"pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&upstream=openssl&distro=alpine-3.19.1",
			model.Package{Ecosystem: model.EcosystemAlpine, Name: "libcrypto3", Version: "3.1.4-r5", Arch: "x86_64", SourceName: "openssl", Manager: model.ManagerOS}, "alpine-3.19.1"},
		{"pkg:golang/stdlib@go1.22.0", model.Package{Ecosystem: model.EcosystemGo, Name: "stdlib", Version: "1.22.0", Manager: model.ManagerGoBinary}, ""},
		{"pkg:composer/symfony/http-kernel@v5.4.0", model.Package{Ecosystem: model.EcosystemPackagist, Name: "symfony/http-kernel", Version: "v5.4.0", Manager: model.ManagerComposer}, ""},
	}
	for _, tc := range tests {
		got, distro, err := pkgFromPURL(tc.purl)
		if err != nil {
			t.Errorf("%s: %v", tc.purl, err)
			continue
		}
		tc.want.PURL = tc.purl
		if diff := cmp.Diff(tc.want, got); diff != "" || distro != tc.distro {
			t.Errorf("%s: distro %q (-want +got):\n%s", tc.purl, distro, diff)
		}
	}
	for _, bad := range []string{"pkg:npm/left-pad", "pkg:generic/openssl@1.1", "not a purl", "pkg:deb/mint/foo@1"} {
		if _, _, err := pkgFromPURL(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestRejectsOtherJSON(t *testing.T) {
	for _, doc := range []string{`{"hello":"world"}`, `[1,2]`, `not json`, ``} {
		if _, err := Read("x.json", bytes.NewBufferString(doc)); err == nil {
			t.Errorf("%q accepted as an SBOM", doc)
		}
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	_ = report.WriteCycloneDXSBOM(&buf, inventory(), report.Generator{Name: "vigil", Version: "fuzz"}, time.Unix(0, 0))
	f.Add(buf.Bytes())
	buf.Reset()
	_ = report.WriteSPDX(&buf, inventory(), report.Generator{Name: "vigil", Version: "fuzz"}, time.Unix(0, 0))
	f.Add(buf.Bytes())
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","version":"1","purl":"pkg:npm/a@1"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Read("fuzz.json", bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, p := range inv.Packages {
			if p.Name == "" || p.Version == "" || p.Ecosystem == "" {
				t.Fatalf("package without identity: %+v", p)
			}
		}
	})
}
