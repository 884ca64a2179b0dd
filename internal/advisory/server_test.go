package advisory

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// bucket serves a directory in OSV bucket layout like the public bucket:
// strong ETags, Last-Modified, 304 on a matching conditional request. It
// counts full-body (200) responses per path and can fail or stall.
type bucket struct {
	dir string
	mu  sync.Mutex
	// full counts 200 responses per path; notModified counts 304s.
	full        map[string]int
	notModified int
	// fail makes the next n requests of a path answer status.
	fail map[string]failSpec
	// stall makes a path send half its body, signal, then hang.
	stall   string
	stalled chan struct{}
}

type failSpec struct {
	n, status  int
	retryAfter string
}

func newBucket(t *testing.T, dir string) (*bucket, *httptest.Server) {
	b := &bucket{dir: dir, full: map[string]int{}, fail: map[string]failSpec{}, stalled: make(chan struct{}, 1)}
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	return b, srv
}

func (b *bucket) fullCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, v := range b.full {
		n += v
	}
	return n
}

func (b *bucket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := filepath.Join(b.dir, filepath.FromSlash(filepath.Clean("/"+r.URL.Path)))
	b.mu.Lock()
	if f, ok := b.fail[r.URL.Path]; ok && f.n > 0 {
		f.n--
		b.fail[r.URL.Path] = f
		b.mu.Unlock()
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		http.Error(w, "try later", f.status)
		return
	}
	stall := b.stall == r.URL.Path
	b.mu.Unlock()
	data, err := os.ReadFile(p)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	st, _ := os.Stat(p)
	sum := sha256.Sum256(data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	if stall {
		w.Header().Set("Content-Length", itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		select {
		case b.stalled <- struct{}{}:
		default:
		}
		<-r.Context().Done()
		return
	}
	cw := &codeWriter{ResponseWriter: w}
	http.ServeContent(cw, r, filepath.Base(p), st.ModTime(), bytes.NewReader(data))
	b.mu.Lock()
	switch cw.code {
	case http.StatusOK:
		b.full[r.URL.Path]++
	case http.StatusNotModified:
		b.notModified++
	}
	b.mu.Unlock()
}

func itoa(n int) string { return strconv.Itoa(n) }

type codeWriter struct {
	http.ResponseWriter
	code int
}

func (c *codeWriter) WriteHeader(code int) {
	c.code = code
	c.ResponseWriter.WriteHeader(code)
}

func (c *codeWriter) Write(p []byte) (int, error) {
	if c.code == 0 {
		c.code = http.StatusOK
	}
	return c.ResponseWriter.Write(p)
}

// mirrorOf copies the named ecosystems of the shared OSV data into a new
// bucket directory.
func mirrorOf(t *testing.T, ecosystems ...string) string {
	dir := t.TempDir()
	for _, e := range ecosystems {
		copyFile(t, filepath.Join(osvDir, e, "all.zip"), filepath.Join(dir, e, "all.zip"))
	}
	return dir
}

// zipEntry is one entry of a zip built by a test.
type zipEntry struct {
	name string
	data []byte
}

// readZip returns every entry of a zip.
func readZip(t *testing.T, path string) []zipEntry {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out []zipEntry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, zipEntry{f.Name, data})
	}
	return out
}

// writeZip writes entries as a zip file, with a fixed time so that the
// bytes depend only on the content.
func writeZip(t *testing.T, path string, entries []zipEntry) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, buf.Bytes())
	// A new mtime makes Last-Modified change too.
	future := time.Now().Add(time.Duration(len(entries)) * time.Second)
	os.Chtimes(path, future, future)
}

// editRecord changes fields of a JSON record.
func editRecord(t *testing.T, data []byte, set map[string]any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		m[k] = v
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
