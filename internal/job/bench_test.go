package job_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/job"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/sqlite"
)

// BenchmarkPool measures end-to-end throughput of no-op jobs through a
// pool of 4 workers on SQLite: enqueue, lease, run, ack.
func BenchmarkPool(b *testing.B) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "v.db"), store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	q := s.Queue()
	var done atomic.Int64
	p, err := job.New(job.Config{Queue: q, Concurrency: 4, Poll: time.Millisecond, Handlers: map[model.JobKind]job.Handler{
		"noop": job.HandlerFunc(func(context.Context, model.Job) error { done.Add(1); return nil }),
	}})
	if err != nil {
		b.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { _ = p.Run(rctx); close(stopped) }()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, _, err := q.Enqueue(ctx, model.Job{Kind: "noop"}); err != nil {
			b.Fatal(err)
		}
		p.Notify()
	}
	for done.Load() < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
	b.StopTimer()
	cancel()
	<-stopped
}
