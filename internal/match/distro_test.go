package match

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

// distroRecords are hand-written records in the shapes the distribution
// converters produce (Debian with fix_state, Alpine by origin, RPM kernel).
var distroRecords = []string{
	`{"id":"DEBIAN-CVE-2024-0001","modified":"2024-01-01T00:00:00Z","upstream":["CVE-2024-0001"],"affected":[
	  {"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.11-1~deb12u2"}]}],
	   "ecosystem_specific":{"urgency":"medium"}},
	  {"package":{"ecosystem":"Debian:11","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.1.1w-0+deb11u1"}]}]}]}`,
	`{"id":"DSA-5500-1","modified":"2024-01-01T00:00:00Z","upstream":["CVE-2024-0001"],"affected":[
	  {"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.11-1~deb12u2"}]}]}]}`,
	`{"id":"DEBIAN-CVE-2024-0002","modified":"2024-01-01T00:00:00Z","upstream":["CVE-2024-0002"],"affected":[
	  {"package":{"ecosystem":"Debian:12","name":"tiff"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}],
	   "ecosystem_specific":{"fix_state":"wont-fix","urgency":"unimportant"}}]}`,
	`{"id":"DEBIAN-CVE-2024-0003","modified":"2024-01-01T00:00:00Z","upstream":["CVE-2024-0003"],"affected":[
	  {"package":{"ecosystem":"Debian:12","name":"linux"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"6.1.76-1"}]}]}]}`,
	`{"id":"DEBIAN-CVE-2024-0004","modified":"2024-01-01T00:00:00Z","upstream":["CVE-2024-0004"],"affected":[
	  {"package":{"ecosystem":"Debian:12","name":"linux-pam"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.5.2-6+deb12u2"}]}]}]}`,
	`{"id":"ALPINE-CVE-2024-0005","modified":"2024-01-01T00:00:00Z","upstream":["CVE-2024-0005"],"affected":[
	  {"package":{"ecosystem":"Alpine:v3.18","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.1.4-r1"}]}]}]}`,
	`{"id":"RHSA-2024:0006","modified":"2024-01-01T00:00:00Z","summary":"Important: kernel security update","affected":[
	  {"package":{"ecosystem":"AlmaLinux:9","name":"kernel"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"5.14.0-362.13.1.el9_3"}]}]},
	  {"package":{"ecosystem":"AlmaLinux:9","name":"kernel-core"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"5.14.0-362.13.1.el9_3"}]}]}]}`,
	`{"id":"CGA-2024-0007","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2024-0007"],"affected":[
	  {"package":{"ecosystem":"Wolfi","name":"glibc"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.38-r6"}]}]}]}`,
	`{"id":"ALBA-2024:0008","modified":"2024-01-01T00:00:00Z","affected":[
	  {"package":{"ecosystem":"AlmaLinux:8","name":"oci-umount"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2:2.3.4-2.module_el8.3.0+2044+12421f43"}]}]},
	  {"package":{"ecosystem":"AlmaLinux:8","name":"oci-umount"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2:2.3.4-2.module_el8.5.0+119+9a9ec082"}]}]},
	  {"package":{"ecosystem":"AlmaLinux:8","name":"oci-umount"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2:2.3.4-2.module_el8.4.0+2496+12421f43"}]}]}]}`,
}

func TestDistributionRules(t *testing.T) {
	ix := buildJSON(t, distroRecords...)
	debian12 := &model.OS{ID: "debian", VersionID: "12", Ecosystem: model.EcosystemDebian, Release: "12"}
	debian12host := &model.OS{ID: "debian", VersionID: "12", Ecosystem: model.EcosystemDebian, Release: "12", Kernel: "6.1.0-13-amd64"}
	alpine := &model.OS{ID: "alpine", VersionID: "3.18.4", Ecosystem: model.EcosystemAlpine, Release: "v3.18"}
	alpineBare := &model.OS{ID: "alpine", VersionID: "3.18.4", Ecosystem: model.EcosystemAlpine, Release: "3.18.4"}
	alma9host := &model.OS{ID: "almalinux", VersionID: "9.3", Ecosystem: model.EcosystemAlmaLinux, Release: "9", Kernel: "5.14.0-362.8.1.el9_3.x86_64"}
	type result struct {
		ID, Severity, Source, FixedIn string
		FixState                      model.FixState
		Aliases                       []string
		MatchedBy, Package, Version   string
	}
	summarise := func(vulns []model.Vulnerability) []result {
		out := []result{}
		for _, v := range vulns {
			r := result{ID: v.ID, Severity: string(v.Severity), Source: v.SeveritySource, FixState: v.FixState, Aliases: v.Aliases}
			if v.FixedIn != nil {
				r.FixedIn = *v.FixedIn
			}
			r.MatchedBy, r.Package, r.Version = v.Evidence[0].MatchedBy, v.Evidence[0].Package, v.Evidence[0].Version
			out = append(out, r)
		}
		return out
	}
	tests := []struct {
		name string
		pkg  model.Package
		os   *model.OS
		opts Options
		want []result
	}{
		{"Debian binary by source name and version, records merged by upstream",
			model.Package{Ecosystem: "Debian", Name: "libssl3", Version: "3.0.11-1~deb12u1+b1", SourceName: "openssl", SourceVersion: "3.0.11-1~deb12u1"}, debian12, Options{},
			[]result{{ID: "CVE-2024-0001", Severity: "MEDIUM", Source: "vendor:Debian", FixedIn: "3.0.11-1~deb12u2", FixState: model.FixStateFixed,
				Aliases: []string{"DEBIAN-CVE-2024-0001", "DSA-5500-1"}, MatchedBy: "source", Package: "openssl", Version: "3.0.11-1~deb12u1"}}},
		{"Debian backported fix counts",
			model.Package{Ecosystem: "Debian", Name: "libssl3", Version: "3.0.11-1~deb12u2", SourceName: "openssl"}, debian12, Options{}, []result{}},
		{"Debian other release's records do not apply",
			model.Package{Ecosystem: "Debian", Name: "openssl", Version: "1.1.1n-0+deb11u5"}, &model.OS{Ecosystem: model.EcosystemDebian, Release: "10"}, Options{}, []result{}},
		{"Debian wont-fix without a fix",
			model.Package{Ecosystem: "Debian", Name: "libtiff6", Version: "4.5.0-6", SourceName: "tiff"}, debian12, Options{},
			[]result{{ID: "CVE-2024-0002", Severity: "LOW", Source: "vendor:Debian", FixState: model.FixStateWontFix,
				Aliases: []string{"DEBIAN-CVE-2024-0002"}, MatchedBy: "source", Package: "tiff", Version: "4.5.0-6"}}},
		{"kernel never matched in an image",
			model.Package{Ecosystem: "Debian", Name: "linux-image-6.1.0-13-amd64", Version: "6.1.55-1", SourceName: "linux"}, debian12, Options{Target: model.TargetImage}, []result{}},
		{"linux-pam is not a kernel",
			model.Package{Ecosystem: "Debian", Name: "libpam0g", Version: "1.5.2-6", SourceName: "linux-pam"}, debian12, Options{Target: model.TargetImage},
			[]result{{ID: "CVE-2024-0004", Severity: "UNTRIAGED", Source: "none", FixedIn: "1.5.2-6+deb12u2", FixState: model.FixStateFixed,
				Aliases: []string{"DEBIAN-CVE-2024-0004"}, MatchedBy: "source", Package: "linux-pam", Version: "1.5.2-6"}}},
		{"running kernel on a host",
			model.Package{Ecosystem: "Debian", Name: "linux-image-6.1.0-13-amd64", Version: "6.1.55-1", SourceName: "linux"}, debian12host, Options{Target: model.TargetHost},
			[]result{{ID: "CVE-2024-0003", Severity: "UNTRIAGED", Source: "none", FixedIn: "6.1.76-1", FixState: model.FixStateFixed,
				Aliases: []string{"DEBIAN-CVE-2024-0003"}, MatchedBy: "source", Package: "linux", Version: "6.1.55-1"}}},
		{"installed but not running kernel on a host",
			model.Package{Ecosystem: "Debian", Name: "linux-image-6.1.0-12-amd64", Version: "6.1.52-1", SourceName: "linux"}, debian12host, Options{Target: model.TargetHost}, []result{}},
		{"not running kernel with AllKernels",
			model.Package{Ecosystem: "Debian", Name: "linux-image-6.1.0-12-amd64", Version: "6.1.52-1", SourceName: "linux"}, debian12host, Options{Target: model.TargetHost, AllKernels: true},
			[]result{{ID: "CVE-2024-0003", Severity: "UNTRIAGED", Source: "none", FixedIn: "6.1.76-1", FixState: model.FixStateFixed,
				Aliases: []string{"DEBIAN-CVE-2024-0003"}, MatchedBy: "source", Package: "linux", Version: "6.1.52-1"}}},
		{"RPM running kernel-core on a host",
			model.Package{Ecosystem: "AlmaLinux", Name: "kernel-core", Version: "5.14.0-362.8.1.el9_3"}, alma9host, Options{Target: model.TargetHost},
			[]result{{ID: "RHSA-2024:0006", Severity: "HIGH", Source: "vendor:AlmaLinux", FixedIn: "5.14.0-362.13.1.el9_3", FixState: model.FixStateFixed,
				Aliases: []string{}, MatchedBy: "name", Package: "kernel-core", Version: "5.14.0-362.8.1.el9_3"}}},
		{"RPM kernel in an image",
			model.Package{Ecosystem: "AlmaLinux", Name: "kernel-core", Version: "5.14.0-362.8.1.el9_3"}, alma9host, Options{Target: model.TargetImage}, []result{}},
		{"Alpine by origin",
			model.Package{Ecosystem: "Alpine", Name: "libcrypto3", Version: "3.1.4-r0", SourceName: "openssl"}, alpine, Options{},
			[]result{{ID: "CVE-2024-0005", Severity: "UNTRIAGED", Source: "none", FixedIn: "3.1.4-r1", FixState: model.FixStateFixed,
				Aliases: []string{"ALPINE-CVE-2024-0005"}, MatchedBy: "source", Package: "openssl", Version: "3.1.4-r0"}}},
		{"Alpine release from a full VERSION_ID",
			model.Package{Ecosystem: "Alpine", Name: "libcrypto3", Version: "3.1.4-r0", SourceName: "openssl"}, alpineBare, Options{},
			[]result{{ID: "CVE-2024-0005", Severity: "UNTRIAGED", Source: "none", FixedIn: "3.1.4-r1", FixState: model.FixStateFixed,
				Aliases: []string{"ALPINE-CVE-2024-0005"}, MatchedBy: "source", Package: "openssl", Version: "3.1.4-r0"}}},
		{"rolling distribution: release-less records apply to any release",
			model.Package{Ecosystem: "Wolfi", Name: "glibc-locale-posix", Version: "2.38-r5", SourceName: "glibc"}, &model.OS{Ecosystem: model.EcosystemWolfi, Release: "20230201"}, Options{},
			[]result{{ID: "CVE-2024-0007", Severity: "UNTRIAGED", Source: "none", FixedIn: "2.38-r6", FixState: model.FixStateFixed,
				Aliases: []string{"CGA-2024-0007"}, MatchedBy: "source", Package: "glibc", Version: "2.38-r5"}}},
		{"module streams: the highest fix of the record's entries",
			model.Package{Ecosystem: "AlmaLinux", Name: "oci-umount", Version: "2:2.3.4-1.module_el8.3.0+1+aaaa"}, &model.OS{Ecosystem: model.EcosystemAlmaLinux, Release: "8"}, Options{},
			[]result{{ID: "ALBA-2024:0008", Severity: "UNTRIAGED", Source: "none", FixedIn: "2:2.3.4-2.module_el8.5.0+119+9a9ec082", FixState: model.FixStateFixed,
				Aliases: []string{}, MatchedBy: "name", Package: "oci-umount", Version: "2:2.3.4-1.module_el8.3.0+1+aaaa"}}},
		{"distro package without an OS release finds nothing",
			model.Package{Ecosystem: "Alpine", Name: "openssl", Version: "3.1.4-r0"}, nil, Options{}, []result{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vulns, err := ix.MatchPackage(context.Background(), &tc.pkg, tc.os, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, summarise(vulns)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatchInventoryImageSkipsKernel(t *testing.T) {
	ix := buildJSON(t, distroRecords...)
	inv := &model.Inventory{
		Target: model.Target{Kind: model.TargetImage, Name: "debian:12"},
		OS:     &model.OS{Ecosystem: model.EcosystemDebian, Release: "12"},
		Packages: []model.Package{
			{Ecosystem: "Debian", Name: "linux-libc-dev", Version: "6.1.55-1", SourceName: "linux"},
			{Ecosystem: "Debian", Name: "openssl", Version: "3.0.11-1~deb12u1"},
		},
	}
	ms, err := ix.Match(context.Background(), inv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.Package.Name+":"+ids(m.Vulnerabilities)[0])
	}
	if diff := cmp.Diff([]string{"openssl:CVE-2024-0001"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestEcosystemKeys(t *testing.T) {
	tests := []struct {
		in   string
		want ecoKey
	}{
		{"PyPI", ecoKey{"PyPI", ""}},
		{"Debian:12", ecoKey{"Debian", "12"}},
		{"Debian:12.4", ecoKey{"Debian", "12"}},
		{"Ubuntu:22.04:LTS", ecoKey{"Ubuntu", "22.04"}},
		{"Ubuntu:24.10", ecoKey{"Ubuntu", "24.10"}},
		{"Ubuntu:Pro:18.04:LTS", ecoKey{"Ubuntu:Pro", "18.04"}},
		{"Ubuntu:Pro:FIPS-updates:18.04:LTS", ecoKey{"Ubuntu:Pro:FIPS-updates", "18.04"}},
		{"Alpine:v3.18", ecoKey{"Alpine", "v3.18"}},
		{"Alpine:3.18.4", ecoKey{"Alpine", "v3.18"}},
		{"AlmaLinux:9", ecoKey{"AlmaLinux", "9"}},
		{"AlmaLinux:8.10", ecoKey{"AlmaLinux", "8"}},
		{"Red Hat:enterprise_linux:9::appstream", ecoKey{"Red Hat", "9"}},
		{"Maven:https://maven.google.com", ecoKey{"Maven", "https://maven.google.com"}},
	}
	for _, tc := range tests {
		if got := keyOf(tc.in); got != tc.want {
			t.Errorf("keyOf(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestNameNormalisation(t *testing.T) {
	tests := []struct{ eco, in, want string }{
		{"PyPI", "Django", "django"},
		{"PyPI", "zope.interface", "zope-interface"},
		{"PyPI", "Foo__Bar-.baz", "foo-bar-baz"},
		{"PyPI", "requests", "requests"},
		{"NuGet", "Newtonsoft.Json", "newtonsoft.json"},
		{"Packagist", "Symfony/Console", "symfony/console"},
		{"crates.io", "Serde_JSON", "serde-json"},
		{"Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"},
		{"npm", "@Babel/Core", "@Babel/Core"},
		{"Maven", "org.Apache:x", "org.Apache:x"},
	}
	for _, tc := range tests {
		if got := normName(tc.eco, tc.in); got != tc.want {
			t.Errorf("normName(%s, %q) = %q, want %q", tc.eco, tc.in, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { normName("PyPI", "requests") }); n != 0 {
		t.Errorf("normalising an already normal name allocates %.0f times", n)
	}
}
