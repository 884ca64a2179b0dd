package model

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestFingerprintIgnoresLifecycle checks that what changes with every
// observation (times, scan, the advisory snapshot, also named in each
// evidence entry) leaves the fingerprint alone, while the content does not.
func TestFingerprintIgnoresLifecycle(t *testing.T) {
	base := func() Finding {
		return Finding{
			ID: "fnd-1", AccountID: "acct-1", Type: FindingPackageVulnerability, CheckID: "CVE-2021-23337",
			Title: "lodash", Severity: SeverityHigh, Status: StatusActive,
			FirstObservedAt: time.Unix(100, 0), LastObservedAt: time.Unix(200, 0), SnapshotID: "snap-a", ScanID: "scan-a",
			Package: &PackageVulnerabilityDetails{
				VulnerabilityID:    "CVE-2021-23337",
				VulnerablePackages: []VulnerablePackage{{Name: "lodash", Version: "4.17.20"}},
				Evidence:           []Evidence{{Advisory: "GHSA-35jh-r3h4-6jhm", Feed: "osv", Snapshot: "snap-a", Range: "[introduced 0, fixed 4.17.21)"}},
			},
		}
	}
	f := base()
	want := f.Fingerprint()
	tests := []struct {
		name   string
		change func(*Finding)
		same   bool
	}{
		{"new snapshot, scan and times", func(f *Finding) {
			f.SnapshotID, f.ScanID, f.LastObservedAt = "snap-b", "scan-b", time.Unix(300, 0)
			f.Package.Evidence[0].Snapshot = "snap-b"
		}, true},
		{"closed and reopened", func(f *Finding) { f.Status, f.ReopenCount = StatusClosed, 2 }, true},
		{"other range", func(f *Finding) { f.Package.Evidence[0].Range = "[introduced 0, fixed 4.17.22)" }, false},
		{"other severity", func(f *Finding) { f.Severity = SeverityCritical }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := base()
			tt.change(&g)
			if got := g.Fingerprint() == want; got != tt.same {
				t.Errorf("fingerprint unchanged = %v, want %v", got, tt.same)
			}
		})
	}
	// ContentJSON must not change the finding it reads.
	if diff := cmp.Diff(base(), f); diff != "" {
		t.Errorf("ContentJSON changed the finding (-want +got):\n%s", diff)
	}
}
