package app_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/app"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/storeopen"
)

// importNPM makes an advisory database from the real npm sample.
func importNPM(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "advisories")
	db, err := advisory.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(context.Background(), npmZip, advisory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// write pushes img to ref.
func write(t *testing.T, ref string, img v1.Image) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
}

// fixedImage is nodeImage with lodash 4.17.21 in the lockfile.
func fixedImage(t *testing.T) v1.Image {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json"} {
		data, err := os.ReadFile(filepath.Join(nodeApp, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "package-lock.json" {
			s := strings.Replace(string(data), `"node_modules/lodash": {
      "version": "4.17.15"`, `"node_modules/lodash": {
      "version": "4.17.21"`, 1)
			if s == string(data) {
				t.Fatal("lodash entry not found in the lockfile")
			}
			data = []byte(s)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return imageFrom(t, dir)
}

// scanned requests a scan and waits until the resource's last scan time
// moves past after.
func scanned(t *testing.T, c *client, id model.ResourceID, after time.Time) api.ResourceView {
	t.Helper()
	if st := c.do("POST", "/v1/scans", api.ScanRequest{ResourceID: id}, nil); st != http.StatusAccepted {
		t.Fatalf("scan request: %d", st)
	}
	var res api.ResourceView
	eventually(t, 20*time.Second, "the scan of "+string(id), func() bool {
		c.do("GET", "/v1/resources/"+string(id), nil, &res)
		return res.Coverage.LastScannedAt.After(after)
	})
	return res
}

func lodashFinding(t *testing.T, c *client, id model.ResourceID) *model.Finding {
	t.Helper()
	var fl api.FindingList
	c.do("GET", "/v1/findings?resourceId="+string(id)+"&vulnerabilityId="+lodashCVE, nil, &fl)
	if len(fl.Findings) > 1 {
		t.Fatalf("%d findings for %s", len(fl.Findings), lodashCVE)
	}
	if len(fl.Findings) == 0 {
		return nil
	}
	return &fl.Findings[0]
}

// TestFindingLifecycle: pushing a fixed image closes the lodash finding;
// the old image coming back reopens it with the same id; a suppression
// rule suppresses it and, once expired, stops.
func TestFindingLifecycle(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			dbURL := be.url(t)
			vulnerable, fixed := nodeImage(t), fixedImage(t)
			ref := pushImage(t, vulnerable, "team/node-app:1.0")
			a := startApp(t, app.Config{
				Listen: "127.0.0.1:0", DataDir: t.TempDir(), DB: dbURL, AdvisoryDir: importNPM(t),
				Workers: 2, Poll: 50 * time.Millisecond, MaintainInterval: 100 * time.Millisecond,
				BootstrapToken: "lifecycle-token", Logger: quiet,
			})
			c := &client{t: t, base: "http://" + a.Addr(), token: "lifecycle-token"}
			var reg api.Registered
			c.do("POST", "/v1/resources/images", api.RegisterImageRequest{Reference: ref}, &reg)
			id := reg.Resource.ID
			var res api.ResourceView
			eventually(t, 20*time.Second, "the first scan", func() bool {
				c.do("GET", "/v1/resources/"+string(id), nil, &res)
				return res.Coverage.Reason == model.ReasonSuccessful
			})
			first := lodashFinding(t, c, id)
			if first == nil || first.Status != model.StatusActive {
				t.Fatalf("after the first scan: %+v", first)
			}

			write(t, ref, fixed)
			res = scanned(t, c, id, res.Coverage.LastScannedAt)
			if f := lodashFinding(t, c, id); f == nil || f.Status != model.StatusClosed || f.ID != first.ID {
				t.Fatalf("after the fixed image: %+v", f)
			}

			write(t, ref, vulnerable)
			res = scanned(t, c, id, res.Coverage.LastScannedAt)
			back := lodashFinding(t, c, id)
			if back == nil || back.Status != model.StatusActive || back.ID != first.ID || back.ReopenCount != 1 {
				t.Fatalf("after the old image came back: %+v", back)
			}

			expires := time.Now().Add(1500 * time.Millisecond)
			var rule model.SuppressionRule
			st := c.do("POST", "/v1/suppression-rules", api.RuleRequest{Name: "accepted", Reason: "test", ExpiresAt: expires,
				Filter: model.FindingFilter{VulnerabilityID: []model.StringFilter{{Comparison: model.CompareEquals, Value: lodashCVE}}}}, &rule)
			if st != http.StatusCreated {
				t.Fatalf("rule: %d", st)
			}
			if f := lodashFinding(t, c, id); f.Status != model.StatusSuppressed {
				t.Fatalf("with the rule: %s", f.Status)
			}
			eventually(t, 10*time.Second, "the rule to expire", func() bool {
				return lodashFinding(t, c, id).Status == model.StatusActive
			})
			c.do("GET", "/v1/suppression-rules/"+string(rule.ID), nil, &rule)
			if rule.State != model.RuleExpired {
				t.Errorf("rule state %s, want EXPIRED", rule.State)
			}
		})
	}
}

// blockingRegistry serves a registry whose blob downloads wait until
// release is closed; started is closed at the first blob request.
func blockingRegistry(t *testing.T) (host string, started, release chan struct{}) {
	t.Helper()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	started, release = make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" && strings.Contains(r.URL.Path, "/blobs/") {
			once.Do(func() { close(started) })
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u.Host, started, release
}

// TestShutdownReleasesJobs stops the server while a scan is in flight: the
// job goes back to the queue without counting the delivery, and the next
// start completes it.
func TestShutdownReleasesJobs(t *testing.T) {
	host, started, release := blockingRegistry(t)
	ref := host + "/team/node-app:1.0"
	write(t, ref, nodeImage(t)) // uploads are not blob GETs: they do not block

	dataDir, advDir := t.TempDir(), importNPM(t)
	cfg := app.Config{
		Listen: "127.0.0.1:0", DataDir: dataDir, AdvisoryDir: advDir, Workers: 1, Poll: 50 * time.Millisecond,
		ShutdownGrace: 200 * time.Millisecond, BootstrapToken: "shutdown-token", Logger: quiet,
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	c := &client{t: t, base: "http://" + a.Addr(), token: "shutdown-token"}
	var reg api.Registered
	c.do("POST", "/v1/resources/images", api.RegisterImageRequest{Reference: ref}, &reg)
	select {
	case <-started:
	case <-time.After(20 * time.Second):
		t.Fatal("the scan never fetched a blob")
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return")
	}
	if st := a.Stats(); st.Pool.Released != 1 {
		t.Errorf("pool stats %+v, want one released job", st.Pool)
	}
	a.Close()

	st, err := storeopen.Open(context.Background(), "", dataDir, store.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	stats, err := st.Queue().Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	job, err := st.Queue().Get(context.Background(), reg.JobID)
	st.Close()
	if err != nil || stats[model.JobQueued] != 1 || stats[model.JobLeased] != 0 || job.Attempts != 0 {
		t.Fatalf("after shutdown: stats %v, job %+v, err %v", stats, job, err)
	}

	close(release)
	cfg.BootstrapToken = ""
	var out strings.Builder
	cfg.Out = &out
	a2 := startApp(t, cfg)
	if a2.Bootstrap() != nil || out.Len() != 0 {
		t.Errorf("second start bootstrapped again: %q", out.String())
	}
	c.base = "http://" + a2.Addr()
	var res api.ResourceView
	eventually(t, 20*time.Second, "the released scan", func() bool {
		c.do("GET", "/v1/resources/"+string(reg.Resource.ID), nil, &res)
		return res.Coverage.Reason == model.ReasonSuccessful
	})
}
