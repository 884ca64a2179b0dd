package app_test

import (
	"archive/tar"
	"archive/zip"
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
	"slices"
	"strings"
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

const (
	npmZip    = "../../../shared/testdata/osv/npm/all.zip"
	nodeApp   = "../cli/testdata/node-app"
	lodashCVE = "CVE-2021-23337"
	// lodashRecord is the npm record whose upstream is lodashCVE; the
	// first snapshot lacks it and the update brings it.
	lodashRecord = "GHSA-35jh-r3h4-6jhm.json"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// zipWithout copies the OSV zip at src to dst leaving out entry skip.
func zipWithout(t *testing.T, src, dst, skip string) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range zr.File {
		if e.Name == skip {
			continue
		}
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// copyFile replaces dst by src atomically (a mirror never serves half a
// file).
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		t.Fatal(err)
	}
}

// nodeImage builds a one-layer image holding the real node-app lockfile.
func nodeImage(t *testing.T) v1.Image {
	t.Helper()
	return imageFrom(t, nodeApp)
}

// imageFrom builds a one-layer image with dir's package.json and
// package-lock.json under /app.
func imageFrom(t *testing.T, dir string) v1.Image {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []string{"package.json", "package-lock.json"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
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
	return img
}

// pushImage serves an in-process registry and pushes img as repo:tag.
func pushImage(t *testing.T, img v1.Image, repoTag string) string {
	t.Helper()
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(reg.Close)
	u, _ := url.Parse(reg.URL)
	ref := u.Host + "/" + repoTag
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	return ref
}

// client calls the API of a running app.
type client struct {
	t     *testing.T
	base  string
	token string
}

func (c *client) do(method, path string, body any, out any) int {
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
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v\n%s", method, path, err, data)
		}
	}
	if resp.StatusCode >= 300 {
		c.t.Logf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startApp runs an app until the test ends.
func startApp(t *testing.T, cfg app.Config) *app.App {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg)
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
			t.Errorf("Run did not return after cancellation")
		}
		a.Close()
	})
	return a
}

func vulnIDs(fs []model.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.CheckID)
		if f.Package != nil {
			ids = append(ids, f.Package.RelatedVulnerabilities...)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// TestEndToEnd runs the server on each store: an image pushed to an
// in-process registry is registered, scanned and its findings listed; a host
// inventory is pushed and matched; an advisory update served by a local
// mirror creates the new lodash finding by re-matching the stored
// inventories, without extracting anything again.
func TestEndToEnd(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			dbURL := be.url(t)
			ctx := context.Background()
			dir := t.TempDir()
			advDir, mirror := filepath.Join(dir, "advisories"), filepath.Join(dir, "mirror")
			reduced := filepath.Join(dir, "reduced", "all.zip")
			zipWithout(t, npmZip, reduced, lodashRecord)
			db, err := advisory.Open(advDir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Import(ctx, reduced, advisory.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(mirror, "npm"), 0o755); err != nil {
				t.Fatal(err)
			}
			copyFile(t, reduced, filepath.Join(mirror, "npm", "all.zip"))

			ref := pushImage(t, nodeImage(t), "team/node-app:1.0")
			var out bytes.Buffer
			a := startApp(t, app.Config{
				Listen: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), DB: dbURL, AdvisoryDir: advDir,
				UpdateInterval: 300 * time.Millisecond,
				Update:         advisory.UpdateOptions{Mirror: mirror, NoEnrich: true},
				Workers:        2, Poll: 50 * time.Millisecond, ShutdownGrace: 5 * time.Second,
				BootstrapToken: "e2e-admin-token", Out: &out, Logger: quiet,
			})
			if b := a.Bootstrap(); b == nil || b.Token != "e2e-admin-token" || !strings.Contains(out.String(), "VIGIL_BOOTSTRAP_TOKEN") || strings.Contains(out.String(), "e2e-admin-token") {
				t.Fatalf("bootstrap %+v, printed %q", b, out.String())
			}
			c := &client{t: t, base: "http://" + a.Addr(), token: "e2e-admin-token"}

			var reg api.Registered
			if st := c.do("POST", "/v1/resources/images", api.RegisterImageRequest{Reference: ref, Tags: map[string]string{"Env": "Prod"}}, &reg); st != http.StatusCreated {
				t.Fatalf("register: %d", st)
			}
			var res api.ResourceView
			eventually(t, 20*time.Second, "the image scan", func() bool {
				c.do("GET", "/v1/resources/"+string(reg.Resource.ID), nil, &res)
				return res.Coverage.Reason != model.ReasonPendingInitialScan
			})
			if res.Coverage.Status != model.CoverageActive || res.Coverage.Reason != model.ReasonSuccessful || res.Inventory == nil || res.Inventory.Packages == 0 || !strings.HasPrefix(res.Digest, "sha256:") {
				t.Fatalf("after the scan: %+v inventory %+v", res.Resource, res.Inventory)
			}
			var inv model.Inventory
			c.do("GET", "/v1/resources/"+string(reg.Resource.ID)+"/inventory", nil, &inv)
			var names []string
			for _, p := range inv.Packages {
				names = append(names, p.Name+"@"+p.Version)
			}
			if !slices.Contains(names, "lodash@4.17.15") {
				t.Fatalf("inventory: %v", names)
			}
			var fl api.FindingList
			c.do("GET", "/v1/findings?resourceId="+string(reg.Resource.ID)+"&limit=1000", nil, &fl)
			if len(fl.Findings) == 0 {
				t.Fatal("no findings after the first scan")
			}
			if slices.Contains(vulnIDs(fl.Findings), lodashCVE) {
				t.Fatalf("%s found before the update brought it", lodashCVE)
			}

			// A pushed host inventory is matched without extraction.
			hostInv := model.Inventory{Packages: []model.Package{{Ecosystem: model.EcosystemNPM, Name: "lodash", Version: "4.17.15",
				PURL: "pkg:npm/lodash@4.17.15", Manager: model.ManagerNPM, Path: "/srv/app/package-lock.json"}}}
			var host api.Registered
			if st := c.do("POST", "/v1/resources/hosts", api.PushHostRequest{Name: "web-1", Inventory: &hostInv}, &host); st != http.StatusCreated {
				t.Fatalf("push host: %d", st)
			}
			eventually(t, 20*time.Second, "the host match", func() bool {
				c.do("GET", "/v1/resources/"+string(host.Resource.ID), nil, &res)
				return res.Coverage.Reason == model.ReasonSuccessful
			})
			if n := a.Stats().Extractions; n != 1 {
				t.Fatalf("extractions before the update = %d, want 1", n)
			}

			// The mirror publishes the lodash advisory: the updater picks it
			// up and re-matches the stored inventories.
			copyFile(t, npmZip, filepath.Join(mirror, "npm", "all.zip"))
			start := time.Now()
			for _, id := range []model.ResourceID{reg.Resource.ID, host.Resource.ID} {
				eventually(t, 10*time.Second, lodashCVE+" on "+string(id), func() bool {
					var fl api.FindingList
					c.do("GET", "/v1/findings?resourceId="+string(id)+"&limit=1000", nil, &fl)
					return slices.Contains(vulnIDs(fl.Findings), lodashCVE)
				})
			}
			t.Logf("new finding %s after %s", lodashCVE, time.Since(start))
			if time.Since(start) > 5*time.Second {
				t.Errorf("the update took %s to create the finding (want ≤ 5 s)", time.Since(start))
			}
			if st := a.Stats(); st.Extractions != 1 || st.Updates < 1 {
				t.Errorf("after the update: %+v (want 1 extraction, ≥ 1 update)", st)
			}
			var csvBody []byte
			req, _ := http.NewRequest("GET", c.base+"/v1/findings/export?format=csv&vulnerabilityId="+lodashCVE, nil)
			req.Header.Set("Authorization", "Bearer "+c.token)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				csvBody, _ = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if strings.Count(string(csvBody), lodashCVE) < 2 {
				t.Errorf("CSV export:\n%s", csvBody)
			}
			var ev api.EventList
			c.do("GET", "/v1/events?since=0&limit=1000", nil, &ev)
			var types []string
			for _, e := range ev.Events {
				types = append(types, e.Type)
			}
			if !slices.Contains(types, "resource.registered") || !slices.Contains(types, "finding.created") {
				t.Errorf("events: %v", types)
			}
		})
	}
}
