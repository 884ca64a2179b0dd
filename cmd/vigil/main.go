// Command vigil is the single binary of the vigil vulnerability assessment
// service: a CLI for one-off and CI scans, the advisory database commands,
// the server, worker and agent roles. All logic lives under internal/;
// this file only hands the process to internal/cli.
//
// VIGIL_CPUPROFILE=FILE writes a CPU profile of the whole run to FILE (go
// tool pprof reads it): how BENCHMARKS.md's server figures are analysed.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/vigilsec/vigil/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	done := profile(os.Getenv("VIGIL_CPUPROFILE"))
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	done()
	os.Exit(code)
}

// profile starts a CPU profile to path, if set, and returns what stops it.
func profile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "vigil: VIGIL_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}
