package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// testDB is an advisory database imported once from the real npm OSV
// sample, shared (read-only) by the scan tests.
var testDB string

const sharedTestdata = "../../../shared/testdata"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vigil-cli-db-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	testDB = filepath.Join(dir, "db")
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"--db-dir", testDB, "db", "import",
		filepath.Join(sharedTestdata, "osv/npm/all.zip")}, nil, &out, &errb); code != 0 {
		fmt.Fprintf(os.Stderr, "importing the test database failed (%d): %s%s", code, out.String(), errb.String())
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs the command line and returns exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, nil, &out, &errb)
	return code, out.String(), errb.String()
}

var snapshotRE = regexp.MustCompile(`\d{8}T\d{6}Z-[0-9a-f]{8}`)

// normalize replaces values that change between runs.
func normalize(s string) string {
	return snapshotRE.ReplaceAllString(s, "SNAPSHOT")
}

func containsAll(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}
