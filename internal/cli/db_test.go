package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const osvTestdata = "../../../shared/testdata/osv"

// vigil runs the CLI in-process and returns exit code, stdout, stderr.
func vigil(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// zipCount counts the records (non-directory entries) of an OSV zip.
func zipCount(t *testing.T, path string) int {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	n := 0
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/") {
			n++
		}
	}
	return n
}

type statusOut struct {
	Snapshot string `json:"snapshot"`
	Records  int    `json:"records"`
	Feeds    []struct {
		Name    string `json:"name"`
		Records int    `json:"records"`
		Stale   bool   `json:"stale"`
	} `json:"feeds"`
}

func TestDBImportStatus(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	code, out, errOut := vigil(t, "--db-dir", dir, "db", "import", osvTestdata)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "osv/PyPI") {
		t.Errorf("import output lacks the feed table:\n%s", out)
	}
	code, out, errOut = vigil(t, "--db-dir", dir, "db", "status", "--format", "json")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s", code, errOut)
	}
	var st statusOut
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status json: %v\n%s", err, out)
	}
	zips, _ := filepath.Glob(filepath.Join(osvTestdata, "*", "all.zip"))
	want := map[string]int{}
	for _, z := range zips {
		want["osv/"+filepath.Base(filepath.Dir(z))] = zipCount(t, z)
	}
	got := map[string]int{}
	for _, f := range st.Feeds {
		got[f.Name] = f.Records
		if f.Stale {
			t.Errorf("feed %s stale right after import", f.Name)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("status counts (-zips +status):\n%s", d)
	}

	code, out, _ = vigil(t, "--db-dir", dir, "db", "status")
	if code != 0 || !strings.Contains(out, st.Snapshot) || !strings.Contains(out, "osv/crates.io") {
		t.Errorf("status table: exit %d\n%s", code, out)
	}
	code, out, errOut = vigil(t, "--db-dir", dir, "db", "status", "--stale-after", "1ns")
	if code != 0 || !strings.Contains(out, "STALE") || !strings.Contains(errOut, "warning: feed osv/Go") {
		t.Errorf("stale status: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestDBErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	code, _, errOut := vigil(t, "--db-dir", dir, "db", "status")
	if code != ExitError || !strings.Contains(errOut, "no advisory database") {
		t.Errorf("status without db: exit %d, %q", code, errOut)
	}
	data, err := os.ReadFile(filepath.Join(osvTestdata, "npm", "all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "npm", "all.zip")
	os.MkdirAll(filepath.Dir(bad), 0o755)
	os.WriteFile(bad, data[:len(data)-100], 0o644)
	code, _, errOut = vigil(t, "--db-dir", dir, "db", "import", bad)
	if code != ExitError || !strings.Contains(errOut, bad) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("corrupt import: exit %d, want one line naming %s: %q", code, bad, errOut)
	}
	code, _, errOut = vigil(t, "--db-dir", dir, "db", "update", "--ecosystem", "Nope")
	if code != ExitError || !strings.Contains(errOut, `unknown ecosystem "Nope"`) {
		t.Errorf("bad ecosystem: exit %d, %q", code, errOut)
	}
	code, _, errOut = vigil(t, "--db-dir", dir, "db", "status", "--format", "xml")
	if code != ExitError || !strings.Contains(errOut, "--format") {
		t.Errorf("bad format: exit %d, %q", code, errOut)
	}
}

// countingBucket serves OSV zips in bucket layout with ETag and
// Last-Modified, counting full-body responses.
type countingBucket struct {
	root string
	mu   sync.Mutex
	full int
}

func (b *countingBucket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := filepath.Join(b.root, filepath.FromSlash(filepath.Clean("/"+r.URL.Path)))
	data, err := os.ReadFile(p)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	st, _ := os.Stat(p)
	sum := sha256.Sum256(data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	rec := &statusRecorder{ResponseWriter: w}
	http.ServeContent(rec, r, "all.zip", st.ModTime(), bytes.NewReader(data))
	if rec.code == http.StatusOK {
		b.mu.Lock()
		b.full++
		b.mu.Unlock()
	}
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(c int) { s.code = c; s.ResponseWriter.WriteHeader(c) }
func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

func TestDBUpdateMirror(t *testing.T) {
	b := &countingBucket{root: osvTestdata}
	srv := httptest.NewServer(b)
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "db")
	args := []string{"--db-dir", dir, "db", "update", "--mirror", srv.URL, "--ecosystem", "npm", "--ecosystem", "crates.io", "--no-enrich"}
	code, out, errOut := vigil(t, args...)
	if code != 0 {
		t.Fatalf("update: exit %d\n%s", code, errOut)
	}
	if b.full != 2 || !strings.Contains(out, "added") {
		t.Errorf("first update: %d downloads\n%s", b.full, out)
	}
	b.full = 0
	code, out, errOut = vigil(t, "--db-dir", dir, "db", "update", "--mirror", srv.URL, "--no-enrich")
	if code != 0 {
		t.Fatalf("second update: exit %d\n%s", code, errOut)
	}
	if b.full != 0 {
		t.Errorf("second update transferred %d archives, want 0", b.full)
	}
	if !strings.Contains(out, "unchanged") {
		t.Errorf("second update did not report unchanged:\n%s", out)
	}
	code, out, _ = vigil(t, "--db-dir", dir, "db", "status", "--format", "json")
	var st statusOut
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil {
		t.Fatalf("status: %d %s", code, out)
	}
	want := zipCount(t, filepath.Join(osvTestdata, "npm", "all.zip")) + zipCount(t, filepath.Join(osvTestdata, "crates.io", "all.zip"))
	if st.Records != want {
		t.Errorf("status records %d, want %d", st.Records, want)
	}
}
