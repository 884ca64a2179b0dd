package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/index"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/report"
	"github.com/vigilsec/vigil/internal/source"
)

// syftBinary finds syft (a peer, used only in tests): $VIGIL_SYFT, PATH,
// or skips.
func syftBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VIGIL_SYFT"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("syft"); err == nil {
		return p
	}
	t.Skip("syft not found: set VIGIL_SYFT or put syft on PATH (go install github.com/anchore/syft/cmd/syft@v1.57.1); .ci/run does")
	return ""
}

var (
	fullDBOnce sync.Once
	fullDBDir  string
	fullDBErr  string
)

// fullDB imports all of ../shared/testdata once per test binary.
func fullDB(t *testing.T) string {
	t.Helper()
	fullDBOnce.Do(func() {
		fullDBDir = filepath.Join(filepath.Dir(testDB), "full")
		var out, errb bytes.Buffer
		if code := Main(context.Background(), []string{"--db-dir", fullDBDir, "--quiet", "db", "import", sharedTestdata}, nil, &out, &errb); code != 0 {
			fullDBErr = errb.String()
		}
	})
	if fullDBErr != "" {
		t.Fatalf("importing ../shared/testdata: %s", fullDBErr)
	}
	return fullDBDir
}

// vulnSet is the set of "name@version vulnerability" pairs of a report.
func vulnSet(t *testing.T, out string) []string {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not a JSON report: %v", err)
	}
	var s []string
	seen := map[string]bool{}
	for _, f := range r.Findings {
		k := f.Package.Name + "@" + f.Package.Version + " " + f.Vulnerability.ID
		if !seen[k] {
			seen[k] = true
			s = append(s, k)
		}
	}
	sort.Strings(s)
	return s
}

// ownedByOS returns "name@version" of the language packages of dir that an
// OS package installed (model.Package.OwnedBy): `vigil scan fs` matches
// them through the OS package only, while an SBOM of syft's does not say
// which OS package owns a file (its CycloneDX output has no such
// relationship), so `vigil scan sbom` matches them in their own ecosystem.
func ownedByOS(t *testing.T, dir string) map[string]bool {
	t.Helper()
	d, err := source.OpenDir(dir, model.TargetFS)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := index.IndexDir(context.Background(), d, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	owned := map[string]bool{}
	for _, p := range inv.Packages {
		if p.OwnedBy != "" {
			owned[p.Name+"@"+p.Version] = true
		}
	}
	return owned
}

// TestScanSyftSBOMFindsWhatTheDirectoryScanFinds: syft's CycloneDX and
// SPDX output for a directory, scanned with `vigil scan sbom`, gives the
// same vulnerabilities as `vigil scan fs` on the directory itself, apart
// from those of packages an OS package owns (ownedByOS).
func TestScanSyftSBOMFindsWhatTheDirectoryScanFinds(t *testing.T) {
	syft := syftBinary(t)
	targets := []struct{ name, dir, db string }{{"node-app", nodeApp, testDB}}
	if c := os.Getenv("VIGIL_CORPUS"); c != "" {
		if _, err := os.Stat(filepath.Join(c, "rootfs-app")); err == nil {
			targets = append(targets, struct{ name, dir, db string }{"corpus rootfs-app", filepath.Join(c, "rootfs-app"), fullDB(t)})
		}
	} else {
		t.Log("VIGIL_CORPUS unset: only the node app is compared (the corpus root file system is skipped)")
	}
	for _, tc := range targets {
		t.Run(tc.name, func(t *testing.T) {
			code, dirOut, errs := run(t, "--db-dir", tc.db, "scan", "fs", tc.dir, "--offline", "--format", "json")
			if code != ExitOK {
				t.Fatalf("scan fs: exit %d: %s", code, errs)
			}
			want := vulnSet(t, dirOut)
			if len(want) == 0 {
				t.Fatal("the directory scan found nothing: the comparison would prove nothing")
			}
			owned := ownedByOS(t, tc.dir)
			for _, format := range []string{"cyclonedx-json", "spdx-json"} {
				bom := filepath.Join(t.TempDir(), "bom.json")
				cmd := exec.Command(syft, "scan", "dir:"+tc.dir, "-o", format+"="+bom, "-q")
				cmd.Env = append(os.Environ(), "SYFT_CHECK_FOR_APP_UPDATE=false")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("syft %s: %v\n%s", format, err, out)
				}
				code, out, errs := run(t, "--db-dir", tc.db, "scan", "sbom", bom, "--offline", "--format", "json")
				if code != ExitOK {
					t.Fatalf("scan sbom (%s): exit %d: %s", format, code, errs)
				}
				var got []string
				ownedVulns := 0
				for _, v := range vulnSet(t, out) {
					if nv, _, _ := strings.Cut(v, " "); owned[nv] {
						ownedVulns++
						continue
					}
					got = append(got, v)
				}
				t.Logf("%s: %d vulnerabilities of %d packages owned by OS packages matched only from the SBOM", format, ownedVulns, len(owned))
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: vulnerabilities differ from the directory scan (-dir +sbom):\n%s", format, diff)
				}
			}
		})
	}
}
