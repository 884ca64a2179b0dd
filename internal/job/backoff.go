package job

import (
	"math/rand/v2"
	"time"
)

// Backoff computes the delay before a failed job's next delivery:
// Base·2^(attempt-1), at most Max, randomised by ±Jitter (a fraction).
type Backoff struct {
	Base   time.Duration
	Max    time.Duration
	Jitter float64
}

// DefaultBackoff starts at 5 s and caps at 30 min, ±20 %.
var DefaultBackoff = Backoff{Base: 5 * time.Second, Max: 30 * time.Minute, Jitter: 0.2}

// Delay returns the wait after the attempt-th delivery failed (attempt ≥ 1).
func (b Backoff) Delay(attempt int) time.Duration {
	if b.Base <= 0 {
		return 0
	}
	d := b.Base
	for i := 1; i < attempt && (b.Max <= 0 || d < b.Max); i++ {
		d *= 2
	}
	if b.Max > 0 && d > b.Max {
		d = b.Max
	}
	if b.Jitter > 0 {
		f := 1 + b.Jitter*(2*rand.Float64()-1)
		d = time.Duration(float64(d) * f)
	}
	return d
}
