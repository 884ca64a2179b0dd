package advisory

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/vigilsec/vigil/internal/osv"
)

// This file is the one place that lists vigil's feeds and how each kind is
// verified and read.

// Default sources.
const (
	DefaultOSVBase   = "https://osv-vulnerabilities.storage.googleapis.com"
	DefaultKEVURL    = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
	DefaultEPSSURL   = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
	DefaultNVDURL    = "https://services.nvd.nist.gov/rest/json/cves/2.0"
	DefaultDebianDSA = "https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DSA/list"
	DefaultDebianDLA = "https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DLA/list"
	DefaultAlpineURL = "https://secdb.alpinelinux.org"
)

// DefaultAlpineBranches are the secdb branches fetched when the native
// Alpine feed is used.
var DefaultAlpineBranches = []string{"v3.18", "v3.19", "v3.20", "v3.21", "v3.22", "edge"}

// kindSpec says how feeds of one kind are stored, verified and read.
type kindSpec struct {
	// ext is the blob file extension.
	ext string
	// convert turns a native distro file into OSV records; nil for kinds
	// that are stored as fetched.
	convert func(r io.Reader, feed string) ([]*osv.Record, error)
	// load parses an enrichment file into e and returns how many entries
	// it held; nil for advisory kinds.
	load func(r io.Reader, e *enrichment) (int, error)
	// check verifies a source file stored as fetched that is neither OSV
	// nor enrichment (Alpine secdb) and returns its record count.
	check func(r io.Reader) (int, error)
	// derived marks a kind that no feed fetches: apply builds it from
	// other feeds.
	derived bool
}

// kindSpecs lists every kind. Converters and loaders come from the
// subpackages debian, alpine, kev, epss and nvd.
var kindSpecs = map[Kind]kindSpec{
	KindOSV:         {ext: "zip"},
	KindDebian:      {ext: "zip", convert: convertDebian},
	KindAlpine:      {ext: "zip", derived: true},
	KindAlpineSecDB: {ext: "json", check: checkAlpine},
	KindKEV:         {ext: "json", load: loadKEV},
	KindEPSS:        {ext: "csv.gz", load: loadEPSS},
	KindNVD:         {ext: "json", load: loadNVD},
}

// httpFeed is a feed served at one URL.
type httpFeed struct {
	name, url string
	kind      Kind
	client    *HTTPClient
	header    http.Header
}

// NewHTTPFeed returns a feed fetched from url with c.
func NewHTTPFeed(name string, kind Kind, url string, c *HTTPClient) Feed {
	return &httpFeed{name: name, kind: kind, url: url, client: c}
}

func (f *httpFeed) Name() string   { return f.name }
func (f *httpFeed) Kind() Kind     { return f.kind }
func (f *httpFeed) Source() string { return f.url }

func (f *httpFeed) Fetch(ctx context.Context, prev Fingerprint) (*Fetched, error) {
	return f.client.Get(ctx, f.url, prev, f.header)
}

// OSVFeedName is the feed name of an OSV ecosystem: "osv/PyPI".
func OSVFeedName(ecosystem string) string { return "osv/" + ecosystem }

// osvURL is the all.zip URL of an ecosystem under a bucket base. The base
// may also be a local directory in bucket layout.
func osvURL(base, ecosystem string) string {
	return strings.TrimRight(base, "/") + "/" + ecosystem + "/all.zip"
}

// sourceFeed returns an HTTP feed for http(s) URLs and a file feed for
// anything else (a mirror that is a local directory).
func sourceFeed(name string, kind Kind, src string, c *HTTPClient) Feed {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		return NewHTTPFeed(name, kind, src, c)
	}
	return NewFileFeed(name, kind, strings.TrimPrefix(src, "file://"))
}

// updateFeeds lists the feeds an update fetches.
func updateFeeds(opts *UpdateOptions, ecosystems []string) []Feed {
	base := opts.Mirror
	if base == "" {
		base = DefaultOSVBase
	}
	c := opts.HTTP
	var feeds []Feed
	for _, e := range ecosystems {
		feeds = append(feeds, sourceFeed(OSVFeedName(e), KindOSV, osvURL(base, e), c))
	}
	if !opts.NoEnrich {
		feeds = append(feeds,
			sourceFeed("kev", KindKEV, or(opts.KEVURL, DefaultKEVURL), c),
			sourceFeed("epss", KindEPSS, or(opts.EPSSURL, DefaultEPSSURL), c))
	}
	return feeds
}

// nativeFallback lists the native distro feeds used for an ecosystem
// whose OSV archive the source does not have (HTTP 404 or missing file).
func nativeFallback(opts *UpdateOptions, ecosystem string) []Feed {
	c := opts.HTTP
	switch ecosystem {
	case "Debian":
		return []Feed{
			sourceFeed("debian/DSA", KindDebian, or(opts.DebianDSAURL, DefaultDebianDSA), c),
			sourceFeed("debian/DLA", KindDebian, or(opts.DebianDLAURL, DefaultDebianDLA), c),
		}
	case "Alpine":
		base := or(opts.AlpineURL, DefaultAlpineURL)
		branches := opts.AlpineBranches
		if len(branches) == 0 {
			branches = DefaultAlpineBranches
		}
		var out []Feed
		for _, b := range branches {
			for _, repo := range []string{"main", "community"} {
				out = append(out, sourceFeed(alpineFeedName(b, repo), KindAlpineSecDB, strings.TrimRight(base, "/")+"/"+b+"/"+repo+".json", c))
			}
		}
		return out
	}
	return nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// isNotFound reports whether a fetch failed because the source has no
// such file.
func isNotFound(err error) bool {
	if he, ok := err.(*HTTPError); ok {
		return he.StatusCode == http.StatusNotFound
	}
	return os.IsNotExist(err)
}

// debianKind returns "DSA" or "DLA" from a feed name "debian/DSA".
func debianKind(feed string) (string, error) {
	k := feed[strings.LastIndex(feed, "/")+1:]
	if k != "DSA" && k != "DLA" {
		return "", fmt.Errorf("feed %s: want debian/DSA or debian/DLA", feed)
	}
	return k, nil
}

// alpineFeedName names the feed of one secdb file.
func alpineFeedName(branch, repo string) string { return "alpine-secdb/" + branch + "/" + repo }
