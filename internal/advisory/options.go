package advisory

import (
	"io"
	"log/slog"
	"time"
)

// ProgressFunc is called when a download of total bytes (-1 if unknown)
// starts; the returned writer receives every byte read and is closed at
// the end. Return nil for no progress display.
type ProgressFunc func(feed string, total int64) io.WriteCloser

// UpdateOptions configures Update. The zero value downloads the wanted
// ecosystems from the public OSV bucket plus KEV and EPSS.
type UpdateOptions struct {
	// Mirror replaces the OSV bucket base: an http(s) URL or a local
	// directory in bucket layout (<base>/<Ecosystem>/all.zip).
	Mirror string
	// Ecosystems are added to the persisted wanted set before updating.
	Ecosystems []string
	// NoEnrich skips KEV and EPSS.
	NoEnrich bool
	// NVD fetches CVSS from the NVD API for CVEs of records without any
	// severity. NVDAPIKey is sent as the apiKey header when set.
	NVD       bool
	NVDAPIKey string
	// NVDGap overrides the pause between NVD requests (default 6s, 0.6s
	// with an API key).
	NVDGap time.Duration
	// Source overrides; empty means the public default.
	KEVURL, EPSSURL, NVDURL    string
	DebianDSAURL, DebianDLAURL string
	AlpineURL                  string
	AlpineBranches             []string
	// HTTP is the client used for every download (nil: defaults).
	HTTP *HTTPClient
	// Retry is the retry policy for temporary failures.
	Retry RetryPolicy
	// Limits and behaviour shared with Import.
	Common
}

// ImportOptions configures Import.
type ImportOptions struct {
	Common
}

// Common holds the options shared by Update and Import.
type Common struct {
	// MaxFeedSize caps one feed file (default 4 GiB).
	MaxFeedSize int64
	// KeepSnapshots is how many snapshots are kept (default 3, minimum 1);
	// blobs no kept snapshot uses are removed.
	KeepSnapshots int
	// Concurrency is how many feeds are fetched at once (default 4).
	Concurrency int
	// Progress shows download progress; nil shows none.
	Progress ProgressFunc
	// Logger receives informational messages; nil discards them.
	Logger *slog.Logger
}

func (c Common) withDefaults() Common {
	if c.MaxFeedSize <= 0 {
		c.MaxFeedSize = 4 << 30
	}
	if c.KeepSnapshots <= 0 {
		c.KeepSnapshots = 3
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Feed result states.
const (
	FeedUpdated   = "updated"
	FeedUnchanged = "unchanged"
	FeedFailed    = "failed"
	FeedMissing   = "missing"
)

// FeedResult is what happened to one feed during an update or import.
type FeedResult struct {
	Name   string `json:"name"`
	Kind   Kind   `json:"kind"`
	Source string `json:"source"`
	// Status is FeedUpdated, FeedUnchanged, FeedFailed or FeedMissing
	// (the source has no such file; a native feed may replace it).
	Status  string `json:"status"`
	Records int    `json:"records"`
	// Transferred counts body bytes downloaded (0 for a 304).
	Transferred int64  `json:"transferred"`
	Error       string `json:"error,omitempty"`
	Err         error  `json:"-"`
}

// UpdateResult is the outcome of Update or Import.
type UpdateResult struct {
	// Snapshot is the current snapshot after the run; Previous the one
	// before ("" for the first).
	Snapshot string `json:"snapshot"`
	Previous string `json:"previous,omitempty"`
	// Unchanged is true when every feed was unchanged: no snapshot was made.
	Unchanged bool          `json:"unchanged"`
	Diff      Diff          `json:"diff"`
	Feeds     []FeedResult  `json:"feeds"`
	Records   int           `json:"records"`
	Duration  time.Duration `json:"duration"`
}
