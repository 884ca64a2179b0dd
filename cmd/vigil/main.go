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
// the server's goroutines wait.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"
	"syscall"

	"github.com/vigilsec/vigil/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	done := recordTo("VIGIL_CPUPROFILE", pprof.StartCPUProfile, pprof.StopCPUProfile)
	traced := recordTo("VIGIL_TRACE", trace.Start, trace.Stop)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	traced()
	done()
	heapProfile(os.Getenv("VIGIL_MEMPROFILE"))
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
func heapProfile(path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("heap").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "vigil: VIGIL_MEMPROFILE: %v\n", err)
	}
}
