package advisory

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kind says what a feed holds and so how its file is verified and read.
type Kind string

// Feed kinds. Debian native lists are converted to OSV records when
// fetched and stored like an OSV zip. Alpine secdb files (one per branch
// and repository) are stored as fetched (KindAlpineSecDB) and merged into
// one derived OSV feed (KindAlpine), because one ALPINE-CVE record spans
// every branch.
const (
	KindOSV         Kind = "osv"
	KindDebian      Kind = "debian"
	KindAlpine      Kind = "alpine"
	KindAlpineSecDB Kind = "alpine-secdb"
	KindKEV         Kind = "kev"
	KindEPSS        Kind = "epss"
	KindNVD         Kind = "nvd"
)

// IsAdvisory reports whether feeds of this kind carry OSV records (as
// opposed to enrichment data).
func (k Kind) IsAdvisory() bool { return k == KindOSV || k == KindDebian || k == KindAlpine }

// Fingerprint identifies one version of a feed file: the HTTP validators
// it was served with and the hash of its bytes.
type Fingerprint struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	SHA256       string `json:"sha256"`
	Size         int64  `json:"size"`
}

// FeedEntry is one feed of a snapshot, as recorded in its manifest.
type FeedEntry struct {
	Name        string      `json:"name"`
	Kind        Kind        `json:"kind"`
	Source      string      `json:"source"`
	Fingerprint Fingerprint `json:"fingerprint"`
	FetchedAt   time.Time   `json:"fetchedAt"`
	Records     int         `json:"records"`
	// Blob is the file name under blobs/ holding the verified data (for
	// converted feeds, the OSV zip made from the source).
	Blob string `json:"blob"`
}

// Manifest describes one snapshot: which verified blob each feed uses.
type Manifest struct {
	Version   int         `json:"version"`
	ID        string      `json:"id"`
	CreatedAt time.Time   `json:"createdAt"`
	Feeds     []FeedEntry `json:"feeds"`
}

const manifestVersion = 1

// Bounds for files read from the database directory.
const (
	maxManifestSize = 16 << 20
	maxFeedsPerSnap = 10000
)

// ParseManifest decodes and checks a manifest.json. Every blob name must be
// a plain file name (no path separators), so a damaged or hostile manifest
// cannot point outside the blobs directory.
func ParseManifest(data []byte) (*Manifest, error) {
	if len(data) > maxManifestSize {
		return nil, fmt.Errorf("manifest is %d bytes, more than %d", len(data), maxManifestSize)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("manifest version %d, want %d", m.Version, manifestVersion)
	}
	if !validSnapshotID(m.ID) {
		return nil, fmt.Errorf("bad snapshot id %q", m.ID)
	}
	if len(m.Feeds) > maxFeedsPerSnap {
		return nil, fmt.Errorf("%d feeds, more than %d", len(m.Feeds), maxFeedsPerSnap)
	}
	seen := make(map[string]bool, len(m.Feeds))
	for i, f := range m.Feeds {
		if f.Name == "" || seen[f.Name] {
			return nil, fmt.Errorf("feed %d: empty or duplicate name %q", i, f.Name)
		}
		seen[f.Name] = true
		switch f.Kind {
		case KindOSV, KindDebian, KindAlpine, KindAlpineSecDB, KindKEV, KindEPSS, KindNVD:
		default:
			return nil, fmt.Errorf("feed %s: unknown kind %q", f.Name, f.Kind)
		}
		if !validBlobName(f.Blob) {
			return nil, fmt.Errorf("feed %s: bad blob name %q", f.Name, f.Blob)
		}
		if f.Records < 0 {
			return nil, fmt.Errorf("feed %s: negative record count", f.Name)
		}
	}
	return &m, nil
}

// validBlobName accepts "<64 hex>.<ext>" with a short alphanumeric ext.
func validBlobName(s string) bool {
	hash, ext, ok := strings.Cut(s, ".")
	if !ok || len(hash) != 64 || len(ext) == 0 || len(ext) > 16 {
		return false
	}
	for _, c := range hash {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	for _, c := range ext {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.') {
			return false
		}
	}
	return !strings.Contains(ext, "..")
}

// validSnapshotID accepts the ids newSnapshotID makes: digits, letters and
// '-', at most 64 characters, not starting with '.'.
func validSnapshotID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}

// feed returns the entry with the given name.
func (m *Manifest) feed(name string) (FeedEntry, bool) {
	i := slices.IndexFunc(m.Feeds, func(f FeedEntry) bool { return f.Name == name })
	if i < 0 {
		return FeedEntry{}, false
	}
	return m.Feeds[i], true
}

// sortFeeds orders feeds for display and for record precedence: advisory
// feeds first, then enrichment, each by name.
func sortFeeds(fs []FeedEntry) {
	slices.SortFunc(fs, func(a, b FeedEntry) int {
		if ra, rb := kindRank(a.Kind), kindRank(b.Kind); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.Name, b.Name)
	})
}

func kindRank(k Kind) int {
	switch k {
	case KindOSV:
		return 0
	case KindDebian, KindAlpine:
		return 1
	case KindAlpineSecDB:
		return 2
	case KindKEV:
		return 2
	case KindEPSS:
		return 3
	}
	return 4
}
