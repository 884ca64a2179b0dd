package match

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigilsec/vigil/internal/model"
)

// differentialLockfiles are the lockfiles of the shared test data compared
// against OSV-Scanner, with the file name OSV-Scanner should parse each as.
var differentialLockfiles = []struct{ path, parseAs string }{
	{"npm/package-lock.v1.json", "package-lock.json"},
	{"npm/package-lock.v2.json", "package-lock.json"},
	{"npm/package-lock.v3.json", "package-lock.json"},
	{"npm/package-lock.v3-workspace.json", "package-lock.json"},
	{"npm/npm-shrinkwrap.json", "package-lock.json"},
	{"npm/collapse-white-space.package-lock.json", "package-lock.json"},
	{"npm/wrappy.package-lock.json", "package-lock.json"},
	{"yarn/yarn.v1.lock", "yarn.lock"},
	{"yarn/yarn.v1-monorepo.lock", "yarn.lock"},
	{"yarn/yarn.berry.lock", "yarn.lock"},
	{"pnpm/pnpm-lock.v5.yaml", "pnpm-lock.yaml"},
	{"pnpm/pnpm-lock.v6.yaml", "pnpm-lock.yaml"},
	{"pnpm/pnpm-lock.v9.yaml", "pnpm-lock.yaml"},
	{"python/requirements/requirements.txt", "requirements.txt"},
	{"python/requirements/requirements-flask.txt", "requirements.txt"},
	{"python/requirements/requirements-operator.txt", "requirements.txt"},
	{"python/poetry/poetry.v1-flask.lock", "poetry.lock"},
	{"python/poetry/poetry.v2-flask.lock", "poetry.lock"},
	{"python/poetry/poetry.with-groups.lock", "poetry.lock"},
	{"python/pipenv/Pipfile.lock", "Pipfile.lock"},
	{"python/pipenv/Pipfile-many.lock", "Pipfile.lock"},
	{"python/uv/uv.lock", "uv.lock"},
	{"go/module/go.mod", "go.mod"},
	{"go/go116/go.mod", "go.mod"},
	{"cargo/Cargo.lock", "Cargo.lock"},
	{"cargo/Cargo.v3.lock", "Cargo.lock"},
	{"ruby/Gemfile.lock", "Gemfile.lock"},
	{"ruby/Gemfile.rails.lock", "Gemfile.lock"},
	{"composer/composer.lock", "composer.lock"},
	{"composer/composer.syft.lock", "composer.lock"},
	{"maven/pom-happy/pom.xml", "pom.xml"},
	{"dotnet/packages.lock.json", "packages.lock.json"},
	{"dotnet/packages.lock.scalibr.json", "packages.lock.json"},
}

// differentialEcosystems are the ecosystems OSV-Scanner loads a zip for;
// a missing zip would silently disable all its matching.
var differentialEcosystems = []string{"npm", "PyPI", "Go", "crates.io", "Maven", "RubyGems", "Packagist", "NuGet"}

// knownDifference is one entry of testdata/osv-scanner-differences.yaml.
type knownDifference struct {
	Lockfile  string `yaml:"lockfile"`
	Ecosystem string `yaml:"ecosystem"`
	Package   string `yaml:"package"`
	Version   string `yaml:"version"`
	// OnlyVigil and OnlyOSVScanner list record ids found by one side only.
	OnlyVigil      []string `yaml:"only_vigil,omitempty"`
	OnlyOSVScanner []string `yaml:"only_osv_scanner,omitempty"`
	Reason         string   `yaml:"reason"`
}

func (d knownDifference) key() string {
	return d.Lockfile + "|" + d.Ecosystem + "|" + d.Package + "|" + d.Version
}

// scannerOutput is the part of OSV-Scanner's JSON output compared.
type scannerOutput struct {
	Results []struct {
		Packages []struct {
			Package struct {
				Name      string `json:"name"`
				Version   string `json:"version"`
				Ecosystem string `json:"ecosystem"`
			} `json:"package"`
			Vulnerabilities []struct {
				ID string `json:"id"`
			} `json:"vulnerabilities"`
			Groups []struct {
				IDs []string `json:"ids"`
			} `json:"groups"`
		} `json:"packages"`
	} `json:"results"`
}

func osvScannerBinary(t *testing.T) string {
	if p := os.Getenv("VIGIL_OSV_SCANNER"); p != "" {
		return p
	}
	p, err := exec.LookPath("osv-scanner")
	if err != nil {
		t.Skipf("osv-scanner not found on PATH and VIGIL_OSV_SCANNER unset (install with GOBIN=/tmp/osvbin go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.5.0): %v", err)
	}
	return p
}

// TestDifferentialOSVScanner feeds vigil exactly the packages OSV-Scanner
// v2 reports for each test-data lockfile and compares the advisory record
// ids found per package. Both sides read the same records: OSV-Scanner's
// per-ecosystem zips are rebuilt from every test-data record naming that
// ecosystem. Every difference must be explained in
// testdata/osv-scanner-differences.yaml; a listed difference that no
// longer occurs fails too.
func TestDifferentialOSVScanner(t *testing.T) {
	if testing.Short() {
		t.Skip("runs osv-scanner")
	}
	bin := osvScannerBinary(t)
	dbDir := t.TempDir()
	writeScannerZips(t, dbDir)
	known := readKnownDifferences(t)
	ix := sharedIndex(t)
	ctx := context.Background()

	seen := map[string]bool{}
	var lockPkgs []lockfilePackage
	compared, found := 0, 0
	for _, lf := range differentialLockfiles {
		out := runScanner(t, bin, dbDir, lf.parseAs, filepath.Join(testdata, "pkgdb", lf.path))
		for _, r := range out.Results {
			for _, sp := range r.Packages {
				p := model.Package{Ecosystem: model.Ecosystem(sp.Package.Ecosystem), Name: sp.Package.Name, Version: sp.Package.Version}
				lockPkgs = append(lockPkgs, lockfilePackage{lf.path, p.Ecosystem, p.Name, p.Version})
				vulns, err := ix.MatchPackage(ctx, &p, nil, Options{SkipDetails: true})
				if err != nil {
					t.Logf("%s: %v", lf.path, err)
				}
				got := advisories(vulns)
				compared++
				found += len(got)
				var want []string
				for _, v := range sp.Vulnerabilities {
					want = append(want, v.ID)
				}
				slices.Sort(want)
				want = slices.Compact(want)
				d := knownDifference{Lockfile: lf.path, Ecosystem: sp.Package.Ecosystem, Package: p.Name, Version: p.Version}
				for _, id := range got {
					if !slices.Contains(want, id) {
						d.OnlyVigil = append(d.OnlyVigil, id)
					}
				}
				for _, id := range want {
					if !slices.Contains(got, id) {
						d.OnlyOSVScanner = append(d.OnlyOSVScanner, id)
					}
				}
				compareGroups(t, lf.path, &p, vulns, sp.Groups)
				if len(d.OnlyVigil) == 0 && len(d.OnlyOSVScanner) == 0 {
					continue
				}
				k, ok := known[d.key()]
				seen[d.key()] = true
				if !ok || !slices.Equal(k.OnlyVigil, d.OnlyVigil) || !slices.Equal(k.OnlyOSVScanner, d.OnlyOSVScanner) {
					y, _ := yaml.Marshal([]knownDifference{d})
					t.Errorf("unlisted difference with osv-scanner:\n%s", y)
				}
			}
		}
	}
	t.Logf("compared %d packages from %d lockfiles; vigil found %d advisory records", compared, len(differentialLockfiles), found)
	if compared < 300 || found < 100 {
		t.Errorf("too little compared (%d packages, %d records): is osv-scanner loading its databases?", compared, found)
	}
	for k := range known {
		if !seen[k] {
			t.Errorf("listed difference %s no longer occurs; remove it", k)
		}
	}
	if os.Getenv("VIGIL_WRITE_LOCKFILE_PACKAGES") != "" {
		writeLockfilePackages(t, lockPkgs)
	}
}

// compareGroups checks that records OSV-Scanner groups together are one
// vulnerability in vigil too (OSV-Scanner groups by aliases only, so vigil
// may merge more through upstream ids, never less).
func compareGroups(t *testing.T, lockfile string, p *model.Package, vulns []model.Vulnerability, groups []struct {
	IDs []string `json:"ids"`
}) {
	t.Helper()
	groupOf := map[string]string{}
	for _, v := range vulns {
		for _, e := range v.Evidence {
			groupOf[e.Advisory] = v.ID
		}
	}
	for _, g := range groups {
		var vigil []string
		for _, id := range g.IDs {
			if v, ok := groupOf[id]; ok {
				vigil = append(vigil, v)
			}
		}
		slices.Sort(vigil)
		if len(slices.Compact(vigil)) > 1 {
			t.Errorf("%s %s@%s: osv-scanner groups %v as one vulnerability, vigil splits them into %v", lockfile, p.Name, p.Version, g.IDs, vigil)
		}
	}
}

func runScanner(t *testing.T, bin, dbDir, parseAs, path string) scannerOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "scan", "source", "--offline", "--offline-vulnerabilities",
		"--all-packages", "--format", "json", "-L", parseAs+":"+path)
	cmd.Env = append(os.Environ(), "OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY="+dbDir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	// Exit status 1 means vulnerabilities were found.
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
		t.Fatalf("osv-scanner on %s: %v\n%s", path, err, stderr.String())
	}
	var out scannerOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("osv-scanner output for %s: %v", path, err)
	}
	if strings.Contains(stderr.String(), "local db") && strings.Contains(stderr.String(), "not found") {
		t.Fatalf("osv-scanner could not load a local database for %s:\n%s", path, stderr.String())
	}
	return out
}

// writeScannerZips writes $dbDir/osv-scalibr/<Ecosystem>/all.zip for every
// ecosystem OSV-Scanner may load, holding every test-data record that
// names the ecosystem (an empty zip when none does).
func writeScannerZips(t *testing.T, dbDir string) {
	t.Helper()
	writers := map[string]*zip.Writer{}
	for _, eco := range differentialEcosystems {
		dir := filepath.Join(dbDir, "osv-scalibr", eco)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, "all.zip"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		writers[eco] = zip.NewWriter(f)
	}
	for _, p := range allZips(t) {
		zr, err := zip.OpenReader(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			var rec struct {
				Affected []struct {
					Package struct {
						Ecosystem string `json:"ecosystem"`
					} `json:"package"`
				} `json:"affected"`
			}
			if err := json.Unmarshal(data, &rec); err != nil {
				t.Fatalf("%s: %v", zf.Name, err)
			}
			done := map[string]bool{}
			for _, a := range rec.Affected {
				base, _, _ := strings.Cut(a.Package.Ecosystem, ":")
				if w, ok := writers[base]; ok && !done[base] {
					done[base] = true
					fw, err := w.Create(zf.Name)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := fw.Write(data); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		zr.Close()
	}
	for eco, w := range writers {
		if err := w.Close(); err != nil {
			t.Fatalf("%s zip: %v", eco, err)
		}
	}
}

func readKnownDifferences(t *testing.T) map[string]knownDifference {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "osv-scanner-differences.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var list []knownDifference
	if err := yaml.Unmarshal(data, &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]knownDifference{}
	for _, d := range list {
		if d.Reason == "" {
			t.Errorf("difference %s has no reason", d.key())
		}
		if _, dup := out[d.key()]; dup {
			t.Errorf("difference %s listed twice", d.key())
		}
		slices.Sort(d.OnlyVigil)
		slices.Sort(d.OnlyOSVScanner)
		out[d.key()] = d
	}
	return out
}

// lockfilePackage is one package OSV-Scanner read from a lockfile.
type lockfilePackage struct {
	Lockfile  string          `json:"lockfile"`
	Ecosystem model.Ecosystem `json:"ecosystem"`
	Name      string          `json:"name"`
	Version   string          `json:"version"`
}

const lockfilePackagesFile = "testdata/lockfile-packages.json"

func writeLockfilePackages(t *testing.T, pkgs []lockfilePackage) {
	t.Helper()
	data, err := json.MarshalIndent(pkgs, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lockfilePackagesFile, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d packages to %s", len(pkgs), lockfilePackagesFile)
}
