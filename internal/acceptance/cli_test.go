package acceptance

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// cliReport is the part of `vigil scan --format json --explain` checked.
type cliReport struct {
	OS *struct {
		Ecosystem string `json:"ecosystem"`
		Release   string `json:"release"`
	} `json:"os"`
	Partial  bool `json:"partial"`
	Findings []struct {
		Vulnerability struct {
			ID string `json:"id"`
		} `json:"vulnerability"`
		Package struct {
			Name          string `json:"name"`
			Version       string `json:"version"`
			SourceName    string `json:"sourceName"`
			SourceVersion string `json:"sourceVersion"`
		} `json:"package"`
		FixedIn     *string `json:"fixedIn"`
		FixState    string  `json:"fixState"`
		Explanation []struct {
			Advisory  string `json:"advisory"`
			Ecosystem string `json:"ecosystem"`
			Package   string `json:"package"`
			MatchedBy string `json:"matchedBy"`
			Version   string `json:"version"`
			Range     string `json:"range"`
		} `json:"explanation"`
	} `json:"findings"`
}

// TestCLIScanDebianRoot runs the real binary: `vigil db import` of the two
// tracker lists (each as a single file), then `vigil scan fs ROOT --offline
// --format json --explain` of the buster root with one package lowered
// below a fix, and of the original root.
func TestCLIScanDebianRoot(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the vigil binary")
	}
	needDpkg(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "vigil")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/vigilsec/vigil/cmd/vigil").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dbDir := filepath.Join(tmp, "db")
	run := func(args ...string) []byte {
		t.Helper()
		args = append([]string{"--db-dir", dbDir, "--quiet"}, args...)
		cmd := exec.CommandContext(ctx, bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("vigil %v: %v\n%s", args, err, stderr.Bytes())
		}
		return out
	}
	for _, l := range []string{"DSA-list", "DLA-list"} {
		run("db", "import", filepath.Join(testdata, "debian-security-tracker", l))
	}

	bp := debianBackport(t)
	scanJSON := func(status []byte) (cliReport, map[pkgAdv]debExpect) {
		t.Helper()
		root := debianRoot(t, bp.osRelease, status)
		var r cliReport
		if err := json.Unmarshal(run("scan", "fs", root, "--offline", "--cache-dir=", "--format", "json", "--explain"), &r); err != nil {
			t.Fatal(err)
		}
		if r.Partial {
			t.Errorf("report is partial")
		}
		osr := osRelease(t, filepath.Join(root, "etc", "os-release"))
		if r.OS == nil || r.OS.Ecosystem != "Debian" || r.OS.Release != osr["VERSION_ID"] {
			t.Fatalf("report os %+v, want Debian %s", r.OS, osr["VERSION_ID"])
		}
		exp := expectDebian(t, readDpkgStatus(t, status), bp.fixes, debianCodename(t, osr), dpkgLess)
		got := map[pkgAdv]bool{}
		for _, f := range r.Findings {
			if len(f.Explanation) == 0 {
				t.Errorf("finding %s on %s has no explanation", f.Vulnerability.ID, f.Package.Name)
			}
			for _, ex := range f.Explanation {
				got[pkgAdv{f.Package.Name, ex.Advisory}] = true
			}
		}
		if d := cmp.Diff(sortedKeys(exp), sortedKeys(got)); d != "" {
			t.Errorf("(package, advisory) pairs (-expected +reported by vigil scan):\n%s", d)
		}
		return r, exp
	}

	r, _ := scanJSON(bp.status)
	for _, f := range r.Findings {
		for _, ex := range f.Explanation {
			if f.Package.Name == bp.pick.Package && ex.Advisory == bp.fix.Advisory {
				t.Errorf("%s %s reported for %s (fixed in %s)", f.Package.Name, f.Package.Version, ex.Advisory, bp.fix.Version)
			}
		}
	}

	r, _ = scanJSON(bp.lowered)
	eco := "Debian:" + r.OS.Release
	found := false
	for _, f := range r.Findings {
		for _, ex := range f.Explanation {
			if f.Package.Name != bp.pick.Package || ex.Advisory != bp.fix.Advisory {
				continue
			}
			found = true
			t.Logf("vigil scan: %s %s: %s fixedIn %s fixState %s explanation %+v", f.Package.Name, f.Package.Version, f.Vulnerability.ID, deref(f.FixedIn), f.FixState, ex)
			if f.FixedIn == nil || *f.FixedIn != bp.fix.Version || f.FixState != "fixed" {
				t.Errorf("fixedIn %s fixState %s, want fixed in %s", deref(f.FixedIn), f.FixState, bp.fix.Version)
			}
			if ex.MatchedBy != "source" || ex.Package != bp.pick.Source || ex.Version != bp.lower || ex.Ecosystem != eco {
				t.Errorf("explanation %+v, want matchedBy source, package %s, version %s, ecosystem %s", ex, bp.pick.Source, bp.lower, eco)
			}
		}
	}
	if !found {
		t.Errorf("%s %s not reported for %s by vigil scan", bp.pick.Package, bp.lower, bp.fix.Advisory)
	}
}
