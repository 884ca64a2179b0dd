package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEQuickstart runs the README's set-up command verbatim (the
// first sh block under "Set-up"), as a newcomer would paste it, against
// ../shared/testdata, with the database in a temporary directory.
func TestREADMEQuickstart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs vigil through go run; skipped with -short")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	sec := string(readme)
	i := strings.Index(sec, "## Set-up")
	if i < 0 {
		t.Fatal("README has no Set-up section")
	}
	block := regexp.MustCompile("(?s)```sh\n(.*?)```").FindStringSubmatch(sec[i:])
	if block == nil {
		t.Fatal("no sh block under Set-up")
	}
	command := strings.TrimSpace(block[1])
	if !strings.HasPrefix(command, "go run ./cmd/vigil") {
		t.Fatalf("the first set-up command should run vigil, got %q", command)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", command)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "VIGIL_DB_DIR="+filepath.Join(t.TempDir(), "db"), "VIGIL_CACHE_DIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%q failed: %v\n%s", command, err, out)
	}
	// The scan must find the sample app's known vulnerabilities, with the
	// KEV and Debian feeds imported alongside.
	containsAll(t, "quickstart output", string(out), "debian/DSA", "kev", "osv/npm",
		"lodash", "CVE-2021-23337", "minimist", "CVE-2021-44906", "CRITICAL: 1")
}
