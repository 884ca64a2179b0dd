package console

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// assets holds the console's files: index.html and its modules and styles.
//
//go:embed assets
var assets embed.FS

// Prefix is where the console's files are served; "/" serves its index.
const Prefix = "/console/"

// ContentSecurityPolicy allows only the console's own scripts, styles and
// API calls: no inline script or style, no framing, no plugins.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// file is one embedded file with its precomputed headers.
type file struct {
	data  []byte
	ctype string
	etag  string
}

// Handler serves the console at "/" and under Prefix and passes every other
// request (the API, health checks) to api.
type Handler struct {
	api   http.Handler
	files map[string]file
}

// New returns a Handler in front of api. It reads the embedded files once.
func New(api http.Handler) (*Handler, error) {
	h := &Handler{api: api, files: map[string]file{}}
	err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ct := mime.TypeByExtension(path.Ext(p))
		if strings.HasSuffix(p, ".js") {
			ct = "text/javascript; charset=utf-8"
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.files[strings.TrimPrefix(p, "assets/")] = file{data: data, ctype: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	return h, err
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := h.route(r.URL.Path)
	if !ok {
		h.api.ServeHTTP(w, r)
		return
	}
	f, ok := h.files[name]
	hd := w.Header()
	SetSecurityHeaders(hd)
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		status := http.StatusNotFound
		if ok {
			hd.Set("Allow", "GET, HEAD")
			status = http.StatusMethodNotAllowed
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	hd.Set("Content-Type", f.ctype)
	hd.Set("ETag", f.etag)
	// Revalidate every time: a new binary's files are never mixed with a
	// cached older module graph.
	hd.Set("Cache-Control", "no-cache")
	if match := r.Header.Get("If-None-Match"); match == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(f.data)
}

// route maps a request path to an embedded file name; ok is false for
// paths the console does not own.
func (h *Handler) route(p string) (string, bool) {
	switch {
	case p == "/" || p == Prefix || p == "/index.html":
		return "index.html", true
	case strings.HasPrefix(p, Prefix):
		name := strings.TrimPrefix(p, Prefix)
		if name != path.Clean("/" + name)[1:] {
			return "", true
		}
		return name, true
	case p == "/favicon.ico":
		return "favicon.svg", true
	}
	return "", false
}

// SetSecurityHeaders sets the console's security headers on h.
func SetSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
}
