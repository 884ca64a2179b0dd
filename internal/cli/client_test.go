package cli

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
)

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// pushNodeApp pushes a one-layer image holding testdata/node-app to an
// in-process registry and returns its reference.
func pushNodeApp(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []string{"package.json", "package-lock.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "node-app", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: "app/" + f, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(data)
	}
	tw.Close()
	data := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: layer, History: v1.History{CreatedBy: "COPY app /app"}})
	if err != nil {
		t.Fatal(err)
	}
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(reg.Close)
	u, _ := url.Parse(reg.URL)
	ref := u.Host + "/team/node-app:1.0"
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	return ref
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

var adminTokenRE = regexp.MustCompile(`admin token \(shown once, store it now\): ([0-9a-f]+)`)

// TestServerAndClientCommands runs `vigil server` on SQLite and drives it
// with the client subcommands through VIGIL_SERVER and VIGIL_TOKEN.
func TestServerAndClientCommands(t *testing.T) {
	ref := pushNodeApp(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"--db-dir", testDB, "server", "--listen", addr, "--data-dir", t.TempDir(),
			"--update-interval", "0", "--workers", "2"}, nil, &out, &errb)
	}()
	defer func() {
		cancel()
		select {
		case code := <-done:
			if code != ExitOK {
				t.Errorf("server exit code %d: %s", code, errb.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("server did not stop after cancellation")
		}
	}()
	var token string
	deadline := time.Now().Add(20 * time.Second)
	for token == "" {
		if m := adminTokenRE.FindStringSubmatch(out.String()); m != nil {
			token = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no admin token printed:\n%s\n%s", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server does not answer /healthz")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Setenv("VIGIL_SERVER", "http://"+addr)
	t.Setenv("VIGIL_TOKEN", token)

	code, stdout, stderr := run(t, "resources", "add", "image", ref, "--tag", "Env=Prod")
	if code != ExitOK || !strings.Contains(stdout, "registered res-") {
		t.Fatalf("resources add image: %d %s %s", code, stdout, stderr)
	}
	for {
		code, stdout, stderr = run(t, "resources", "list", "--format", "json")
		var l api.ResourceList
		if code != ExitOK || json.Unmarshal([]byte(stdout), &l) != nil || len(l.Resources) != 1 {
			t.Fatalf("resources list: %d %s %s", code, stdout, stderr)
		}
		if l.Resources[0].Coverage.Reason == model.ReasonSuccessful {
			break
		}
		if time.Now().After(deadline.Add(20 * time.Second)) {
			t.Fatalf("scan not done: %+v", l.Resources[0])
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, stdout, _ = run(t, "resources", "list")
	containsAll(t, "resources table", stdout, "COVERAGE", "IMAGE", ref, "ACTIVE", "SUCCESSFUL", "Env=Prod")

	code, stdout, stderr = run(t, "findings", "list", "--severity", "HIGH", "--package", "lodash", "--format", "json")
	var fl api.FindingList
	if code != ExitOK || json.Unmarshal([]byte(stdout), &fl) != nil || len(fl.Findings) == 0 {
		t.Fatalf("findings list: %d %s %s", code, stdout, stderr)
	}
	for _, f := range fl.Findings {
		if f.Severity != model.SeverityHigh || f.FirstPackage() == nil || f.FirstPackage().Name != "lodash" {
			t.Errorf("filtered listing holds %s %s", f.Severity, f.CheckID)
		}
	}
	_, stdout, _ = run(t, "findings", "list")
	containsAll(t, "findings table", stdout, "SEVERITY", "CVE-2021-23337", "lodash@4.17.15", "4.17.21", "minimist")

	code, stdout, _ = run(t, "accounts", "create", "team-b")
	if code != ExitOK || !strings.Contains(stdout, "created account acct-") {
		t.Errorf("accounts create: %d %s", code, stdout)
	}
	_, stdout, _ = run(t, "accounts", "list")
	containsAll(t, "accounts table", stdout, "admin", "team-b", "true")

	code, stdout, _ = run(t, "tokens", "create", "ci", "--role", "read-only", "--format", "json")
	var ct api.CreatedToken
	if code != ExitOK || json.Unmarshal([]byte(stdout), &ct) != nil || ct.Secret == "" {
		t.Fatalf("tokens create: %d %s", code, stdout)
	}
	_, stdout, _ = run(t, "tokens", "list")
	containsAll(t, "tokens table", stdout, "bootstrap", "ci", "read-only")

	t.Setenv("VIGIL_TOKEN", ct.Secret)
	if code, _, stderr := run(t, "resources", "add", "image", ref); code != ExitError || !strings.Contains(stderr, "forbidden") {
		t.Errorf("read-only add: %d %s", code, stderr)
	}
	if code, _, _ := run(t, "findings", "list"); code != ExitOK {
		t.Errorf("read-only findings list: %d", code)
	}
	t.Setenv("VIGIL_TOKEN", token)
	if code, stdout, stderr := run(t, "tokens", "revoke", string(ct.Token.ID)); code != ExitOK || !strings.Contains(stdout, "revoked") {
		t.Errorf("revoke: %d %s %s", code, stdout, stderr)
	}
	t.Setenv("VIGIL_TOKEN", ct.Secret)
	if code, _, stderr := run(t, "resources", "list"); code != ExitError || !strings.Contains(stderr, "unauthenticated") {
		t.Errorf("revoked token: %d %s", code, stderr)
	}
	t.Setenv("VIGIL_SERVER", "")
	if code, _, stderr := run(t, "resources", "list"); code != ExitError || !strings.Contains(stderr, "VIGIL_SERVER") {
		t.Errorf("no server: %d %s", code, stderr)
	}
}

func TestWorkerNeedsPostgres(t *testing.T) {
	code, _, stderr := run(t, "--db-dir", testDB, "worker", "--data-dir", t.TempDir())
	if code != ExitError || !strings.Contains(stderr, "postgres://") {
		t.Errorf("worker without --db: %d %s", code, stderr)
	}
}

func TestServerMemoryTarget(t *testing.T) {
	code, _, stderr := run(t, "--db-dir", testDB, "server", "--data-dir", t.TempDir(), "--listen", "127.0.0.1:0", "--memory-target", "lots")
	if code != ExitError || !strings.Contains(stderr, "--memory-target") {
		t.Errorf("server --memory-target lots: %d %s", code, stderr)
	}
}
