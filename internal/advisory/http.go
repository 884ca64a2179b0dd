package advisory

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// HTTPClient fetches feed files over HTTP(S) with conditional requests,
// timeouts and a stall detector. The zero value is usable.
type HTTPClient struct {
	// Client is the underlying client; nil uses one with sane timeouts.
	Client *http.Client
	// UserAgent is sent with every request.
	UserAgent string
	// StallTimeout aborts a body that delivers no byte for this long
	// (default 60s).
	StallTimeout time.Duration
}

var defaultHTTP = &http.Client{
	Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   30 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
	},
}

func (c *HTTPClient) client() *http.Client {
	if c != nil && c.Client != nil {
		return c.Client
	}
	return defaultHTTP
}

// ErrStalled is returned when a response body stops delivering data.
var ErrStalled = errors.New("download stalled")

// Get does one conditional GET. It returns ErrNotModified on 304 and an
// *HTTPError for any other non-200 status.
func (c *HTTPClient) Get(ctx context.Context, rawURL string, prev Fingerprint, hdr http.Header) (*Fetched, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		cancel(nil)
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	ua := "vigil"
	if c != nil && c.UserAgent != "" {
		ua = c.UserAgent
	}
	req.Header.Set("User-Agent", ua)
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := c.client().Do(req)
	if err != nil {
		cancel(nil)
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		resp.Body.Close()
		cancel(nil)
		return nil, ErrNotModified
	default:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		cancel(nil)
		return nil, &HTTPError{URL: redact(rawURL), StatusCode: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	stall := 60 * time.Second
	if c != nil && c.StallTimeout > 0 {
		stall = c.StallTimeout
	}
	return &Fetched{
		Body:         newStallReader(resp.Body, stall, cancel),
		Size:         resp.ContentLength,
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
	}, nil
}

// redact drops the query string, which may hold credentials.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery = ""
	u.User = nil
	return u.String()
}

// parseRetryAfter reads a Retry-After value (seconds or an HTTP date),
// capped at 10 minutes.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, 10*time.Minute))
}

// stallReader cancels the request when no byte arrives for d.
type stallReader struct {
	rc     io.ReadCloser
	d      time.Duration
	timer  *time.Timer
	cancel context.CancelCauseFunc
	once   sync.Once
}

func newStallReader(rc io.ReadCloser, d time.Duration, cancel context.CancelCauseFunc) *stallReader {
	s := &stallReader{rc: rc, d: d, cancel: cancel}
	s.timer = time.AfterFunc(d, func() { cancel(ErrStalled) })
	return s
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.rc.Read(p)
	if n > 0 {
		s.timer.Reset(s.d)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		if errors.Is(err, context.Canceled) {
			// Report the stall rather than a bare cancellation.
			return n, ErrStalled
		}
	}
	return n, err
}

func (s *stallReader) Close() error {
	s.once.Do(func() { s.timer.Stop() })
	err := s.rc.Close()
	s.cancel(nil)
	return err
}

// RetryPolicy says how often and how long to wait between attempts.
type RetryPolicy struct {
	// Attempts is the total number of tries (default 4).
	Attempts int
	// Base is the first backoff (default 1s), doubled each retry, with
	// full jitter; Max caps a single wait (default 60s). A server's
	// Retry-After is honoured up to Max.
	Base, Max time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 4
	}
	if p.Base <= 0 {
		p.Base = time.Second
	}
	if p.Max <= 0 {
		p.Max = 60 * time.Second
	}
	return p
}

// delay returns the wait before retry number n (1-based) after err.
func (p RetryPolicy) delay(n int, err error) time.Duration {
	d := p.Base << min(n-1, 20)
	d = d/2 + rand.N(d/2+1) // jitter in [d/2, d]
	var he *HTTPError
	if errors.As(err, &he) && he.RetryAfter > d {
		d = he.RetryAfter
	}
	return min(d, p.Max)
}

// retryable reports whether an attempt that failed with err may succeed
// when repeated: 5xx/429/408, network errors, stalls and truncated bodies.
func retryable(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Temporary()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errors.Is(err, ErrStalled)
	}
	if errors.Is(err, ErrStalled) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return false // an unknown host does not appear by retrying
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var ue *url.Error
	return errors.As(err, &ue)
}
