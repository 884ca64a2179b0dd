package acceptance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/match"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
)

// testdata is shared/testdata, seen from this package's directory.
const testdata = "../../../shared/testdata"

// shared is the advisory database every test of this binary matches
// against: the Debian tracker's DSA and DLA lists and the Alpine secdb
// (v3.3–v3.11), imported once from their native formats by TestMain.
var shared struct {
	err    error // why there is no database; tests skip or fail with it
	dbDir  string
	snap   *advisory.Snapshot
	engine *scan.Engine
}

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "vigil-acceptance-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		shared.err = setupDB(dir)
		code := m.Run()
		if shared.snap != nil {
			shared.snap.Close()
		}
		return code
	}()
	os.Exit(code)
}

// setupDB imports the distro feeds through a bundle directory that links to
// the real feed folders, so that nothing is copied.
func setupDB(dir string) error {
	if _, err := os.Stat(filepath.Join(testdata, "debian-security-tracker", "DSA-list")); err != nil {
		return fmt.Errorf("shared test data not found: %w", err)
	}
	bundle := filepath.Join(dir, "bundle")
	if err := linkBundle(bundle, "debian-security-tracker", "alpine-secdb"); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	shared.dbDir = filepath.Join(dir, "db")
	db, err := advisory.Open(shared.dbDir)
	if err != nil {
		return err
	}
	if _, err := db.Import(ctx, bundle, advisory.ImportOptions{}); err != nil {
		return fmt.Errorf("import %s: %w", bundle, err)
	}
	snap, err := db.Current(ctx)
	if err != nil {
		return err
	}
	ix, err := match.Load(ctx, snap)
	if err != nil {
		snap.Close()
		return err
	}
	shared.snap = snap
	shared.engine = &scan.Engine{Index: ix}
	return nil
}

// linkBundle makes dir a bundle directory holding symbolic links to the
// named folders of the test data.
func linkBundle(dir string, folders ...string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range folders {
		abs, err := filepath.Abs(filepath.Join(testdata, f))
		if err != nil {
			return err
		}
		if err := os.Symlink(abs, filepath.Join(dir, f)); err != nil {
			return err
		}
	}
	return nil
}

func engine(t *testing.T) *scan.Engine {
	t.Helper()
	if shared.err != nil {
		t.Fatalf("advisory database: %v", shared.err)
	}
	return shared.engine
}

// quickEngine matches against the shared database without reading the
// details of matched records (for the tests with thousands of matches).
func quickEngine(t *testing.T) *scan.Engine {
	t.Helper()
	return &scan.Engine{Index: engine(t).Index, Options: match.Options{SkipDetails: true}}
}

// scanRoot indexes a root directory and matches it with e, failing on a
// partial result.
func scanRoot(t *testing.T, e *scan.Engine, root string) (*model.Inventory, []model.Match) {
	t.Helper()
	ctx := context.Background()
	inv, err := scan.Inventory(ctx, scan.Request{Kind: model.TargetFS, Target: root}, scan.Options{})
	if err != nil {
		t.Fatalf("index %s: %v", root, err)
	}
	ms, err := e.Match(ctx, inv)
	if err != nil {
		t.Fatalf("match %s: %v", root, err)
	}
	if inv.Partial {
		t.Errorf("inventory of %s is partial: %+v", root, inv.Issues)
	}
	return inv, ms
}

// makeRoot lays out a root file system in a temporary directory: files maps
// a slash path inside the root to its content.
func makeRoot(t *testing.T, files map[string][]byte) string {
	t.Helper()
	root := t.TempDir()
	for p, data := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
