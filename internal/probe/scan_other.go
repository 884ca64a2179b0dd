//go:build !linux

package probe

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// pacer hands out start times spaced 1/rate apart.
type pacer struct {
	start    time.Time
	interval time.Duration
	n        atomic.Int64
}

func (p *pacer) wait(ctx context.Context) error {
	if p.interval <= 0 {
		return ctx.Err()
	}
	at := p.start.Add(time.Duration(p.n.Add(1)-1) * p.interval)
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// connectScan dials every port with the standard library (portable
// fallback of the epoll scanner) and returns the open ones, sorted.
func connectScan(ctx context.Context, ip netip.Addr, ports []int, opt Options) ([]int, error) {
	p := &pacer{start: time.Now()}
	if opt.Rate > 0 {
		p.interval = time.Second / time.Duration(opt.Rate)
	}
	var mu sync.Mutex
	var open []int
	jobs := make(chan int)
	var wg sync.WaitGroup
	d := net.Dialer{Timeout: opt.Timeout}
	for range min(opt.Concurrency, max(len(ports), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for port := range jobs {
				c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), strconv.Itoa(port)))
				if err == nil {
					c.Close()
					mu.Lock()
					open = append(open, port)
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for _, port := range ports {
		if err := p.wait(ctx); err != nil {
			break
		}
		select {
		case jobs <- port:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	slices.Sort(open)
	return open, ctx.Err()
}
