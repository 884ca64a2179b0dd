package agent

import (
	"math/rand/v2"
	"time"
)

// backoff is a bounded exponential delay with jitter: attempt n waits a
// random time in [d/2, d] where d = min(max, base·2ⁿ).
type backoff struct {
	base, max time.Duration
	n         int
}

func (b *backoff) next() time.Duration {
	d := b.base << min(b.n, 30)
	if d <= 0 || d > b.max {
		d = b.max
	}
	b.n++
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func (b *backoff) reset() { b.n = 0 }
