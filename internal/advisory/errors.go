package advisory

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotModified is returned by Feed.Fetch when the source has not changed
// since the fingerprint it was given (HTTP 304).
var ErrNotModified = errors.New("not modified")

// NoDatabaseError is returned by Current and Status when the directory holds
// no snapshot yet.
type NoDatabaseError struct{ Dir string }

// Error implements error.
func (e *NoDatabaseError) Error() string {
	return fmt.Sprintf("no advisory database in %s: run `vigil db update` or `vigil db import`", e.Dir)
}

// VerifyError says that a feed file failed verification: a zip that does
// not open, a truncated file, a record that does not parse. File names the
// file (or URL) so that the user knows which one to look at.
type VerifyError struct {
	File   string
	Reason string
	Err    error
}

// Error implements error.
func (e *VerifyError) Error() string {
	msg := e.File + " is not a valid feed file: " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *VerifyError) Unwrap() error { return e.Err }

// HTTPError is a non-success HTTP response from a feed source.
type HTTPError struct {
	URL        string
	StatusCode int
	// RetryAfter is the server's Retry-After, zero when absent.
	RetryAfter time.Duration
}

// Error implements error.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d", e.URL, e.StatusCode)
}

// Temporary reports whether retrying may succeed (5xx, 429, 408).
func (e *HTTPError) Temporary() bool {
	return e.StatusCode >= 500 || e.StatusCode == 429 || e.StatusCode == 408
}

// TooLargeError says a feed file or record is bigger than its cap.
type TooLargeError struct {
	File  string
	Limit int64
}

// Error implements error.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than the %d bytes allowed", e.File, e.Limit)
}

// FeedError wraps the failure of one feed during an update or import.
type FeedError struct {
	Feed string
	Err  error
}

// Error implements error.
func (e *FeedError) Error() string { return "feed " + e.Feed + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FeedError) Unwrap() error { return e.Err }

// NotFoundError is returned by Snapshot.Record for an unknown id.
type NotFoundError struct{ ID string }

// Error implements error.
func (e *NotFoundError) Error() string { return "advisory " + e.ID + " is not in the database" }

// CorruptError says the database directory itself is damaged (a manifest
// or index that does not parse, a blob that is missing).
type CorruptError struct {
	Path string
	Err  error
}

// Error implements error.
func (e *CorruptError) Error() string {
	return "advisory database file " + e.Path + " is damaged: " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *CorruptError) Unwrap() error { return e.Err }

// UnknownEcosystemError is returned for an ecosystem that has no OSV feed.
type UnknownEcosystemError struct{ Ecosystem string }

// Error implements error.
func (e *UnknownEcosystemError) Error() string {
	return fmt.Sprintf("unknown ecosystem %q: want one of %s", e.Ecosystem, feedEcosystemList())
}

// NothingWantedError is returned by Update when no ecosystem is configured
// and none is persisted in the database directory.
type NothingWantedError struct{}

// Error implements error.
func (e *NothingWantedError) Error() string {
	return "no ecosystems to update: pass --ecosystem, or scan something first"
}

// UnrecognizedFileError is returned by Import for a file whose format it
// cannot tell.
type UnrecognizedFileError struct{ Path string }

// Error implements error.
func (e *UnrecognizedFileError) Error() string {
	return e.Path + " is not an OSV record, OSV zip, bucket directory, KEV, EPSS or NVD file"
}
