package advisory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"io"
	"os"
	"time"
)

// downloaded is a feed body saved to a temporary file.
type downloaded struct {
	path string
	fp   Fingerprint
}

// download fetches f into a temporary file under tmp/, retrying temporary
// failures with exponential backoff and jitter (honouring Retry-After).
func (r *run) download(ctx context.Context, f Feed, prev Fingerprint) (*downloaded, error) {
	var last error
	for attempt := 1; attempt <= r.retry.Attempts; attempt++ {
		if attempt > 1 {
			d := r.retry.delay(attempt-1, last)
			r.c.Logger.Info("retrying feed", "feed", f.Name(), "attempt", attempt, "wait", d, "err", last)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(d):
			}
		}
		dl, err := r.downloadOnce(ctx, f, prev)
		if err == nil {
			return dl, nil
		}
		last = err
		if ctx.Err() != nil || !retryable(err) {
			return nil, err
		}
	}
	return nil, last
}

func (r *run) downloadOnce(ctx context.Context, f Feed, prev Fingerprint) (*downloaded, error) {
	fetched, err := f.Fetch(ctx, prev)
	if err != nil {
		return nil, err
	}
	defer fetched.Body.Close()
	if fetched.Size > r.c.MaxFeedSize {
		return nil, &TooLargeError{File: f.Source(), Limit: r.c.MaxFeedSize}
	}
	tmp, err := os.CreateTemp(r.db.tmpPath(), "dl-*")
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	var w io.Writer = io.MultiWriter(tmp, h)
	if r.c.Progress != nil {
		if pw := r.c.Progress(f.Name(), fetched.Size); pw != nil {
			defer pw.Close()
			w = io.MultiWriter(w, pw)
		}
	}
	n, err := io.Copy(w, io.LimitReader(fetched.Body, r.c.MaxFeedSize+1))
	if err != nil {
		return nil, err
	}
	if n > r.c.MaxFeedSize {
		return nil, &TooLargeError{File: f.Source(), Limit: r.c.MaxFeedSize}
	}
	if fetched.Size >= 0 && n != fetched.Size {
		return nil, io.ErrUnexpectedEOF
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	ok = true
	return &downloaded{path: tmp.Name(), fp: Fingerprint{
		ETag: fetched.ETag, LastModified: fetched.LastModified,
		SHA256: hex.EncodeToString(h.Sum(nil)), Size: n,
	}}, nil
}
