package console_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/app"
	"github.com/vigilsec/vigil/internal/model"
)

// Real advisory data and a real application's lockfile (../shared/testdata
// and the CLI's node-app fixture, which pins lodash 4.17.15, minimist
// 1.2.0, axios 0.21.0, express 4.17.1, …).
const (
	npmZip  = "../../../shared/testdata/osv/npm/all.zip"
	nodeApp = "../cli/testdata/node-app"
	admin   = "console-e2e-admin-token"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// site is a running server seeded with two accounts: the bootstrap
// (delegated-admin) account A with a host and an image, and a member
// account B with a host of its own and an admin token.
type site struct {
	base   string
	a      *client
	b      *client
	aRes   []model.ResourceID
	aNames []string
	bRes   model.ResourceID
}

// client calls the API with a token.
type client struct {
	t     testing.TB
	base  string
	token string
}

func (c *client) do(method, path string, body, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// lockPackages reads the node-app lockfile's packages as a host inventory.
func lockPackages(t testing.TB) *model.Inventory {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(nodeApp, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
		Dependencies map[string]struct {
			Version string `json:"version"`
		} `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		t.Fatal(err)
	}
	inv := &model.Inventory{}
	add := func(n, v string) {
		inv.Packages = append(inv.Packages, model.Package{Ecosystem: model.EcosystemNPM, Name: n, Version: v,
			PURL: "pkg:npm/" + n + "@" + v, Manager: model.ManagerNPM, Path: "/srv/app/package-lock.json"})
	}
	for k, p := range lock.Packages {
		if n := filepath.Base(k); k != "" && p.Version != "" {
			add(n, p.Version)
		}
	}
	if len(inv.Packages) == 0 {
		for n, p := range lock.Dependencies {
			add(n, p.Version)
		}
	}
	if len(inv.Packages) == 0 {
		t.Fatal("no packages in the node-app lockfile")
	}
	return inv
}

// nodeImage pushes a one-layer image holding the node-app's lockfile to an
// in-process registry and returns its reference.
func nodeImage(t testing.TB) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []string{"package.json", "package-lock.json"} {
		data, err := os.ReadFile(filepath.Join(nodeApp, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: "app/" + f, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
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

// startSite runs a server on SQLite with the npm advisories and seeds it.
func startSite(t *testing.T) *site {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	advDir := filepath.Join(dir, "advisories")
	db, err := advisory.Open(advDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(ctx, npmZip, advisory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, app.Config{Listen: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), AdvisoryDir: advDir,
		Workers: 2, Poll: 50 * time.Millisecond, ShutdownGrace: 5 * time.Second, BootstrapToken: admin, Logger: quiet})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("Run did not return")
		}
		a.Close()
	})
	s := &site{base: "http://" + a.Addr()}
	s.a = &client{t: t, base: s.base, token: admin}

	var acct model.Account
	s.a.do("POST", "/v1/accounts", api.CreateAccountRequest{Name: "member-b"}, &acct)
	var tok api.CreatedToken
	s.a.do("POST", "/v1/tokens", api.CreateTokenRequest{Name: "b-admin", Role: model.RoleAdmin, AccountID: acct.ID}, &tok)
	s.b = &client{t: t, base: s.base, token: tok.Secret}

	inv := lockPackages(t)
	var reg api.Registered
	s.a.do("POST", "/v1/resources/hosts", api.PushHostRequest{Name: "alpha-web-7f3", Tags: map[string]string{"Env": "Prod"}, Inventory: inv}, &reg)
	s.aRes, s.aNames = append(s.aRes, reg.Resource.ID), append(s.aNames, reg.Resource.Name)
	ref := nodeImage(t)
	s.a.do("POST", "/v1/resources/images", api.RegisterImageRequest{Reference: ref, Tags: map[string]string{"Team": "payments"}}, &reg)
	s.aRes, s.aNames = append(s.aRes, reg.Resource.ID), append(s.aNames, reg.Resource.Name)
	s.b.do("POST", "/v1/resources/hosts", api.PushHostRequest{Name: "bravo-db-2c9", Inventory: inv}, &reg)
	s.bRes = reg.Resource.ID

	for _, id := range append(append([]model.ResourceID{}, s.aRes...), s.bRes) {
		deadline := time.Now().Add(60 * time.Second)
		for {
			var v api.ResourceView
			s.a.do("GET", "/v1/resources/"+string(id), nil, &v)
			if v.Coverage.Reason == model.ReasonSuccessful {
				break
			}
			if v.Coverage.Reason == model.ReasonScanFailed || time.Now().After(deadline) {
				t.Fatalf("scan of %s: %+v", id, v.Coverage)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return s
}
