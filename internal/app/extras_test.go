package app_test

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/app"
	"github.com/vigilsec/vigil/internal/model"
)

// post sends a raw body and decodes the answer.
func (c *client) post(path, contentType string, body []byte, out any) int {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		c.t.Logf("POST %s: %d %s", path, resp.StatusCode, data)
		return resp.StatusCode
	}
	if err := json.Unmarshal(data, out); err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode
}

func (c *client) raw(path string) []byte {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, data)
	}
	return data
}

func waitSuccessful(t *testing.T, c *client, id model.ResourceID) {
	t.Helper()
	eventually(t, 20*time.Second, "the scan of "+string(id), func() bool {
		var res api.ResourceView
		c.do("GET", "/v1/resources/"+string(id), nil, &res)
		return res.Coverage.Reason == model.ReasonSuccessful
	})
}

func hasLodashCVE(t *testing.T, c *client, id model.ResourceID) bool {
	t.Helper()
	var fl api.FindingList
	c.do("GET", "/v1/findings?resourceId="+string(id)+"&limit=1000", nil, &fl)
	return slices.Contains(vulnIDs(fl.Findings), lodashCVE)
}

// TestUploads: the CycloneDX SBOM the API exports for a scanned image,
// uploaded again as an SBOM resource, and a function zip holding the same
// lockfile, both get the lodash finding.
func TestUploads(t *testing.T) {
	ref := pushImage(t, nodeImage(t), "team/node-app:1.0")
	a := startApp(t, app.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), AdvisoryDir: importNPM(t),
		Workers: 2, Poll: 50 * time.Millisecond, BootstrapToken: "uploads-token", Logger: quiet})
	c := &client{t: t, base: "http://" + a.Addr(), token: "uploads-token"}
	var img api.Registered
	c.do("POST", "/v1/resources/images", api.RegisterImageRequest{Reference: ref}, &img)
	waitSuccessful(t, c, img.Resource.ID)

	bom := c.raw("/v1/resources/" + string(img.Resource.ID) + "/sbom?format=cyclonedx")
	var sb api.Registered
	if st := c.post("/v1/resources/sboms?name=node-app.cdx.json&tag=Team=web", "application/json", bom, &sb); st != http.StatusCreated {
		t.Fatalf("SBOM upload: %d", st)
	}
	if sb.Resource.Type != model.ResourceSBOM || sb.Resource.Tags["Team"] != "web" {
		t.Errorf("SBOM resource %+v", sb.Resource)
	}
	waitSuccessful(t, c, sb.Resource.ID)
	if !hasLodashCVE(t, c, sb.Resource.ID) {
		t.Errorf("no %s on the uploaded SBOM", lodashCVE)
	}

	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for _, f := range []string{"package.json", "package-lock.json"} {
		data, err := os.ReadFile(filepath.Join(nodeApp, f))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(f)
		w.Write(data)
	}
	zw.Close()
	var fn api.Registered
	if st := c.post("/v1/resources/functions?name=checkout-handler", "application/zip", zbuf.Bytes(), &fn); st != http.StatusCreated {
		t.Fatalf("function upload: %d", st)
	}
	waitSuccessful(t, c, fn.Resource.ID)
	if !hasLodashCVE(t, c, fn.Resource.ID) {
		t.Errorf("no %s on the function", lodashCVE)
	}
	if n := a.Stats().Extractions; n != 2 {
		t.Errorf("extractions = %d, want 2 (the image and the function zip)", n)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// paths and a pool trusting the certificate.
func selfSigned(t *testing.T) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vigil test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return cert, key, pool
}

// TestTLSAndReadiness serves HTTPS with a given certificate; /readyz says
// 503 until an advisory snapshot exists.
func TestTLSAndReadiness(t *testing.T) {
	cert, key, pool := selfSigned(t)
	a := startApp(t, app.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), AdvisoryDir: filepath.Join(t.TempDir(), "empty"),
		TLSCert: cert, TLSKey: key, Workers: 1, Logger: quiet, Out: io.Discard})
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := hc.Get("https://" + a.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Errorf("healthz over TLS: %d", resp.StatusCode)
	}
	resp, err = hc.Get("https://" + a.Addr() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz without advisories: %d", resp.StatusCode)
	}
	if b := a.Bootstrap(); b == nil || len(b.Token) != 32 {
		t.Errorf("bootstrap %+v", b)
	}
}

// TestWorkerMode runs a server without workers and a separate worker
// process-equivalent against the same PostgreSQL: the worker does the scan.
func TestWorkerMode(t *testing.T) {
	dbURL := postgresURL(t)
	adv := importNPM(t)
	ref := pushImage(t, nodeImage(t), "team/node-app:1.0")
	srv := startApp(t, app.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), DB: dbURL, AdvisoryDir: adv,
		Workers: -1, BootstrapToken: "worker-token", Logger: quiet})
	wk := startApp(t, app.Config{DataDir: t.TempDir(), DB: dbURL, AdvisoryDir: adv, NoBootstrap: true,
		Workers: 2, Poll: 50 * time.Millisecond, Logger: quiet})
	if wk.Addr() != "" {
		t.Errorf("worker listens on %s", wk.Addr())
	}
	c := &client{t: t, base: "http://" + srv.Addr(), token: "worker-token"}
	var img api.Registered
	c.do("POST", "/v1/resources/images", api.RegisterImageRequest{Reference: ref}, &img)
	waitSuccessful(t, c, img.Resource.ID)
	if !hasLodashCVE(t, c, img.Resource.ID) {
		t.Errorf("no %s", lodashCVE)
	}
	if s, w := srv.Stats(), wk.Stats(); s.Extractions != 0 || w.Extractions != 1 || w.Pool.Succeeded < 1 {
		t.Errorf("server %+v, worker %+v", s, w)
	}
}

// TestScheduledRescan: an image whose last scan is older than the rescan
// interval is scanned again without being asked, and a new digest under
// its tag is picked up.
func TestScheduledRescan(t *testing.T) {
	ref := pushImage(t, nodeImage(t), "team/node-app:1.0")
	a := startApp(t, app.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), AdvisoryDir: importNPM(t),
		Workers: 1, Poll: 50 * time.Millisecond, MaintainInterval: 100 * time.Millisecond, RescanInterval: 300 * time.Millisecond,
		BootstrapToken: "rescan-token", Logger: quiet})
	c := &client{t: t, base: "http://" + a.Addr(), token: "rescan-token"}
	var img api.Registered
	c.do("POST", "/v1/resources/images", api.RegisterImageRequest{Reference: ref}, &img)
	waitSuccessful(t, c, img.Resource.ID)
	var before api.ResourceView
	c.do("GET", "/v1/resources/"+string(img.Resource.ID), nil, &before)
	write(t, ref, fixedImage(t))
	eventually(t, 20*time.Second, "a scheduled rescan with the new digest", func() bool {
		var res api.ResourceView
		c.do("GET", "/v1/resources/"+string(img.Resource.ID), nil, &res)
		return res.Digest != before.Digest && res.Coverage.Reason == model.ReasonSuccessful
	})
	if hasLodashCVE(t, c, img.Resource.ID) {
		var fl api.FindingList
		c.do("GET", "/v1/findings?resourceId="+string(img.Resource.ID)+"&vulnerabilityId="+lodashCVE+"&findingStatus=ACTIVE", nil, &fl)
		if len(fl.Findings) != 0 {
			t.Errorf("lodash finding still ACTIVE after the fixed image was rescanned")
		}
	}
}
