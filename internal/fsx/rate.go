package fsx

import (
	"context"
	"io"
	"sync"
	"time"
)

// rateSlack is how far behind its schedule a rate limiter may fall (after
// an idle spell or an overslept timer) and still catch up: at most
// rate×rateSlack bytes are read faster than the rate.
const rateSlack = 100 * time.Millisecond

// rateChunk bounds one read through a rate limiter, so that pacing is
// smooth rather than one long sleep per large file.
const rateChunk = 64 << 10

// RateLimiter paces the reads of file contents to a byte rate. It is
// shared by every walk of one Budget and is safe for concurrent use. Each
// read is paid for after it happens: the reader sleeps until the bytes
// read so far fit the rate, so n bytes take at least n/rate − rateSlack
// from the limiter's creation.
type RateLimiter struct {
	rate float64 // bytes per second, > 0
	mu   sync.Mutex
	next time.Time // when the bytes reserved so far are paid for
}

// NewRateLimiter returns a limiter of bytesPerSecond, or nil (no limit)
// when bytesPerSecond is not positive.
func NewRateLimiter(bytesPerSecond int64) *RateLimiter {
	if bytesPerSecond <= 0 {
		return nil
	}
	return &RateLimiter{rate: float64(bytesPerSecond), next: time.Now()}
}

// Wait charges n bytes and sleeps until they fit the rate, or ctx ends.
func (l *RateLimiter) Wait(ctx context.Context, n int) error {
	if l == nil || n <= 0 {
		return nil
	}
	now := time.Now()
	l.mu.Lock()
	if floor := now.Add(-rateSlack); l.next.Before(floor) {
		l.next = floor
	}
	l.next = l.next.Add(time.Duration(float64(n) / l.rate * float64(time.Second)))
	d := l.next.Sub(now)
	l.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// rateReader reads through a RateLimiter.
type rateReader struct {
	ctx context.Context
	r   io.Reader
	lim *RateLimiter
}

// Read implements io.Reader.
func (r *rateReader) Read(p []byte) (int, error) {
	if len(p) > rateChunk {
		p = p[:rateChunk]
	}
	n, err := r.r.Read(p)
	if werr := r.lim.Wait(r.ctx, n); werr != nil && err == nil {
		err = werr
	}
	return n, err
}

// paced returns r read at the budget's rate, or r itself when there is no
// rate (no extra work on the unlimited path).
func paced(ctx context.Context, r io.Reader, lim *RateLimiter) io.Reader {
	if lim == nil {
		return r
	}
	return &rateReader{ctx: ctx, r: r, lim: lim}
}
