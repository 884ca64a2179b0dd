// Command vigil is the single binary of the vigil vulnerability assessment
// service: a CLI for one-off and CI scans, the advisory database commands,
// the server, worker and agent roles. All logic lives under internal/;
// this file only hands the process to internal/cli.
//
// VIGIL_CPUPROFILE=FILE writes a CPU profile of the whole run to FILE (go
// tool pprof reads it): how BENCHMARKS.md's server figures are analysed.
// VIGIL_MEMPROFILE=FILE writes a heap profile at exit (its alloc_space
// view: every allocation of the run, by where it was made).
// VIGIL_TRACE=FILE writes an execution trace (go tool trace reads it): where
// the server's goroutines wait. VIGIL_HEAPWATCH=MB:FILE writes a heap
// profile the first time a collection finds more than MB MiB live (its
// inuse view is that collection's): what a rare peak of memory holds.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vigilsec/vigil/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	done := recordTo("VIGIL_CPUPROFILE", pprof.StartCPUProfile, pprof.StopCPUProfile)
	traced := recordTo("VIGIL_TRACE", trace.Start, trace.Stop)
	unwatch := watchHeap(os.Getenv("VIGIL_HEAPWATCH"), 50*time.Millisecond)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	unwatch()
	traced()
	done()
	if err := heapProfile(os.Getenv("VIGIL_MEMPROFILE")); err != nil {
		fmt.Fprintf(os.Stderr, "vigil: VIGIL_MEMPROFILE: %v\n", err)
	}
	os.Exit(code)
}

// recordTo starts a recording (a CPU profile, an execution trace) to the
// file the environment variable env names, if set, and returns what
// stops it.
func recordTo(env string, start func(io.Writer) error, stop func()) func() {
	path := os.Getenv(env)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = start(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "vigil: %s: %v\n", env, err)
		return func() {}
	}
	return func() {
		stop()
		_ = f.Close()
	}
}

// heapProfile writes a heap profile to path, if set.
func heapProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = pprof.Lookup("heap").WriteTo(f, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// watchHeap parses spec ("MB:FILE") and, every interval, reads the live
// heap the last collection found; the first time it is over MB MiB, it
// writes a heap profile to FILE and stops watching. It returns what stops
// it sooner.
func watchHeap(spec string, interval time.Duration) (stop func()) {
	if spec == "" {
		return func() {}
	}
	limit, path, err := parseHeapWatch(spec)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vigil: VIGIL_HEAPWATCH: %v\n", err)
		return func() {}
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(s)
			if s[0].Value.Kind() != metrics.KindUint64 || s[0].Value.Uint64() <= limit {
				continue
			}
			if err := heapProfile(path); err != nil {
				fmt.Fprintf(os.Stderr, "vigil: VIGIL_HEAPWATCH: %v\n", err)
			} else {
				fmt.Fprintf(os.Stderr, "vigil: VIGIL_HEAPWATCH: %d MiB live, heap profile in %s\n", s[0].Value.Uint64()>>20, path)
			}
			return
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// parseHeapWatch parses VIGIL_HEAPWATCH's "MB:FILE" into a limit in
// bytes and the file.
func parseHeapWatch(spec string) (limit uint64, path string, err error) {
	mb, path, ok := strings.Cut(spec, ":")
	n, err := strconv.ParseUint(mb, 10, 32)
	if !ok || err != nil || n == 0 || path == "" {
		return 0, "", fmt.Errorf("want MB:FILE (e.g. 200:/tmp/heap.prof), got %q", spec)
	}
	return n << 20, path, nil
}
