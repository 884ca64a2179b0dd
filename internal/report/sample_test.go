package report

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/suppress"
)

var sampleNow = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// sampleInventory is an image with a Debian package and an npm lockfile,
// shaped like what the index stage produces for a real image.
func sampleInventory() *model.Inventory {
	return &model.Inventory{
		Target: model.Target{Kind: model.TargetImage, Name: "registry.example.com/app:1.0",
			Digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Repository: "registry.example.com/app", Tags: []string{"1.0"}, Platform: "linux/amd64"},
		OS: &model.OS{ID: "debian", VersionID: "12", Codename: "bookworm", PrettyName: "Debian GNU/Linux 12 (bookworm)",
			Ecosystem: model.EcosystemDebian, Release: "12"},
		Layers: []model.Layer{
			{Digest: "sha256:aaaa000000000000000000000000000000000000000000000000000000000001", DiffID: "sha256:d1ff000000000000000000000000000000000000000000000000000000000001", CreatedBy: "debootstrap"},
			{Digest: "sha256:aaaa000000000000000000000000000000000000000000000000000000000002", DiffID: "sha256:d1ff000000000000000000000000000000000000000000000000000000000002", CreatedBy: "COPY app /app"},
		},
		Packages: []model.Package{
			{Ecosystem: model.EcosystemDebian, Name: "libssl3", Version: "3.0.11-1~deb12u1", SourceName: "openssl", SourceVersion: "3.0.11-1~deb12u1",
				Arch: "amd64", PURL: "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12", Manager: model.ManagerOS,
				Path: "/var/lib/dpkg/status", Layer: "sha256:d1ff000000000000000000000000000000000000000000000000000000000001"},
			{Ecosystem: model.EcosystemNPM, Name: "lodash", Version: "4.17.15", PURL: "pkg:npm/lodash@4.17.15", Manager: model.ManagerNPM,
				Path: "/app/package-lock.json", Layer: "sha256:d1ff000000000000000000000000000000000000000000000000000000000002"},
			{Ecosystem: model.EcosystemNPM, Name: "minimist", Version: "1.2.0", PURL: "pkg:npm/minimist@1.2.0", Manager: model.ManagerNPM,
				Path: "/app/package-lock.json", Layer: "sha256:d1ff000000000000000000000000000000000000000000000000000000000002"},
		},
		IndexedAt: sampleNow,
	}
}

func sampleMatches(inv *model.Inventory) []model.Match {
	snap := "20261127T070000Z-3f2a"
	return []model.Match{
		{Package: inv.Packages[0], Vulnerabilities: []model.Vulnerability{
			{ID: "CVE-2023-5678", Aliases: []string{"DSA-5585-1"}, Summary: "openssl: excessive time spent in DH check",
				Severity: model.SeverityLow, SeveritySource: "Debian", VendorSeverity: "low",
				CVSS:    []model.CVSS{{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", BaseScore: 5.3, Source: "nvd"}},
				EPSS:    &model.EPSS{CVE: "CVE-2023-5678", Score: 0.0031, Percentile: 0.52, Date: "2026-11-26"},
				FixedIn: ptr("3.0.13-1~deb12u1"), FixState: model.FixStateFixed,
				References: []string{"https://security-tracker.debian.org/tracker/CVE-2023-5678"},
				Evidence: []model.Evidence{{Advisory: "DSA-5585-1", Ecosystem: "Debian:12", Package: "openssl", MatchedBy: "source",
					Version: "3.0.11-1~deb12u1", Range: "[introduced 0, fixed 3.0.13-1~deb12u1)", Feed: "debian/DSA", Snapshot: snap}}},
			{ID: "CVE-2024-2511", Summary: "openssl: unbounded memory growth with session handling in TLSv1.3",
				Severity: model.SeverityUntriaged, SeveritySource: "none", CVSS: []model.CVSS{}, FixState: model.FixStateWontFix,
				Evidence: []model.Evidence{{Advisory: "DEBIAN-CVE-2024-2511", Ecosystem: "Debian:12", Package: "openssl", MatchedBy: "source",
					Version: "3.0.11-1~deb12u1", Range: "[introduced 0, no fix)", Feed: "debian/tracker", Snapshot: snap}}},
		}},
		{Package: inv.Packages[1], Vulnerabilities: []model.Vulnerability{
			{ID: "CVE-2021-23337", Aliases: []string{"GHSA-35jh-r3h4-6jhm"}, Summary: "Command Injection in lodash",
				Details:  "`lodash` versions prior to 4.17.21 are vulnerable to Command Injection via the template function.",
				Severity: model.SeverityHigh, SeveritySource: "cvss",
				CVSS:    []model.CVSS{{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", BaseScore: 7.2, Source: "osv"}},
				EPSS:    &model.EPSS{CVE: "CVE-2021-23337", Score: 0.0211, Percentile: 0.88},
				FixedIn: ptr("4.17.21"), FixState: model.FixStateFixed, CWEs: []string{"CWE-77", "CWE-94"},
				Published: time.Date(2021, 5, 6, 16, 5, 51, 0, time.UTC), Modified: time.Date(2024, 2, 22, 0, 0, 0, 0, time.UTC),
				References: []string{"https://nvd.nist.gov/vuln/detail/CVE-2021-23337"},
				Evidence: []model.Evidence{{Advisory: "GHSA-35jh-r3h4-6jhm", Ecosystem: "npm", Package: "lodash", MatchedBy: "name",
					Version: "4.17.15", Range: "[introduced 0, fixed 4.17.21)", Feed: "osv/npm", Snapshot: snap}}},
			{ID: "CVE-2020-8203", Aliases: []string{"GHSA-p6mc-m468-83gw"}, Summary: "Prototype Pollution in lodash",
				Severity: model.SeverityHigh, SeveritySource: "cvss",
				CVSS:    []model.CVSS{{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H", BaseScore: 7.4, Source: "osv"}},
				KEV:     &model.KEV{CVE: "CVE-2020-8203", DateAdded: "2025-01-07", DueDate: "2025-01-28", RequiredAction: "Apply mitigations per vendor instructions."},
				FixedIn: ptr("4.17.19"), FixState: model.FixStateFixed,
				Evidence: []model.Evidence{{Advisory: "GHSA-p6mc-m468-83gw", Ecosystem: "npm", Package: "lodash", MatchedBy: "name",
					Version: "4.17.15", Range: "[introduced 3.7.0, fixed 4.17.19)", Feed: "osv/npm", Snapshot: snap}}},
		}},
		{Package: inv.Packages[2], Vulnerabilities: []model.Vulnerability{
			{ID: "CVE-2021-44906", Aliases: []string{"GHSA-xvch-5gv4-984h"}, Summary: "Prototype Pollution in minimist",
				Severity: model.SeverityCritical, SeveritySource: "cvss",
				CVSS:    []model.CVSS{{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BaseScore: 9.8, Source: "osv"}},
				FixedIn: ptr("1.2.6"), FixState: model.FixStateFixed,
				Evidence: []model.Evidence{{Advisory: "GHSA-xvch-5gv4-984h", Ecosystem: "npm", Package: "minimist", MatchedBy: "name",
					Version: "1.2.0", Range: "[introduced 0, fixed 1.2.6)", Feed: "osv/npm", Snapshot: snap}}},
		}},
	}
}

func sampleSuppress(t testing.TB) *suppress.Set {
	t.Helper()
	ig, err := suppress.ParseIgnoreFile(".vigilignore.yaml", []byte(
		"ignore:\n  - id: GHSA-p6mc-m468-83gw\n    purl: pkg:npm/lodash\n    reason: zipObjectDeep is never called\n    expires: 2027-03-31\n"+
			"  - id: CVE-2019-10744\n    reason: old entry\n    expires: 2026-01-31\n"))
	if err != nil {
		t.Fatal(err)
	}
	return suppress.NewSet(sampleNow, []*suppress.IgnoreFile{ig}, nil)
}

func sampleReport(t testing.TB) *Report {
	t.Helper()
	inv := sampleInventory()
	return Build(inv, sampleMatches(inv), Options{Explain: true, Suppress: sampleSuppress(t), Now: sampleNow,
		Generator: Generator{Name: "vigil", Version: "test"}, DBSnapshot: "20261127T070000Z-3f2a"})
}
